// What `hearth status` shows, read from the database: the same function serves the running
// gateway (which publishes it on its retained local status topic) and the command line when
// the gateway is not running (which reads a copy of the file: store/status-reader.ts).
import { existsSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config, Device } from '../config/schema.ts';
import type { Zone } from '../core/zone.ts';
import { readTestCall, TEST_CALL_KEY, testCallFault } from './engine/test-calls.ts';
import { listBackups } from './store/backup.ts';
import type { StatusReader } from './store/status-reader.ts';

export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;
/** systemd-timesyncd creates this file once the clock has been synchronised since boot. */
const TIMESYNC_FLAG = '/run/systemd/timesync/synchronized';

export type StatusReport = {
  gateway: string;
  at: string;
  /** Each device's primary reading (the kind its row declares), with its battery beside it. */
  last_readings: {
    device: string;
    room: string | null;
    kind: string;
    value: unknown;
    at: string;
    battery: number | null;
  }[];
  open_alerts: { alert_id: string; rule: string; state: string; at: string }[];
  /** The care mode on (README: Care modes), or null. */
  mode: { mode: string; since: string; until: string; by: string; source: string } | null;
  /** awaiting_receipt: at the trust broker, not yet confirmed stored by the hub (relay.receipts). */
  queue: {
    depth: number;
    oldest_undelivered_alert: string | null;
    awaiting_receipt: number;
    oldest_awaiting_receipt: string | null;
  };
  storage: { path: string; bytes: number; free_bytes: number | null; failing: string | null };
  /** The last daily test call (schedules.test_call), and the fault when it went unacknowledged. */
  test_call: {
    alert_id: string;
    sent_at: string;
    acked_at: string | null;
    acked_by: string | null;
    fault: string | null;
  } | null;
  last_backup: { file: string; at: string } | null;
  clock: { synchronized: boolean | null; time_zone: string };
  versions: { hearth: string; node: string; sqlite: string; schema: number };
};

const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);

export function statusReport(o: {
  reader: StatusReader;
  path: string;
  config: Config;
  zone: Zone;
  now: number;
  failing?: string | null;
}): StatusReport {
  const { reader, path, config, zone } = o;
  const readings = config.devices.flatMap((d) => {
    const r = reader.lastReading(d.id, primaryKind(d));
    const battery = reader.lastReading(d.id, 'battery');
    const level = typeof battery?.value === 'number' ? battery.value : null;
    return r ? [{ ...r, at: zone.iso(r.at), battery: level }] : [];
  });
  const open = reader.openAlerts();
  const mode = reader.mode(o.now);
  const queue = reader.queue();
  let free: number | null = null;
  try {
    const fs = statfsSync(dirname(path));
    free = fs.bavail * fs.bsize;
  } catch {
    free = null;
  }
  const backup = listBackups(path)[0];
  const test = readTestCall(reader.meta(TEST_CALL_KEY));
  return {
    gateway: config.gateway.id,
    at: zone.iso(o.now),
    last_readings: readings,
    open_alerts: open.map((a) => ({ ...a, at: zone.iso(a.at) })),
    mode: mode && { ...mode, since: zone.iso(mode.since), until: zone.iso(mode.until) },
    queue: {
      depth: queue.depth,
      oldest_undelivered_alert: queue.oldest === null ? null : zone.iso(queue.oldest),
      awaiting_receipt: queue.awaiting,
      oldest_awaiting_receipt: queue.oldestAwaiting === null ? null : zone.iso(queue.oldestAwaiting),
    },
    storage: {
      path,
      bytes: size(path) + size(`${path}-wal`),
      free_bytes: free,
      failing: o.failing ?? null,
    },
    test_call: test && {
      alert_id: test.alert_id,
      sent_at: zone.iso(test.sent_at),
      acked_at: test.acked_at === null ? null : zone.iso(test.acked_at),
      acked_by: test.acked_by,
      fault: testCallFault(test, o.now, config.schedules.test_call_ack_within),
    },
    last_backup: backup ? { file: backup.file, at: zone.iso(backup.at) } : null,
    clock: { synchronized: clockSynchronized(), time_zone: zone.name },
    versions: { hearth: VERSION, node: process.versions.node, ...reader.versions() },
  };
}

/** The kind a row declares (a bed mat, a radar's presence); none for rows read by their payload. */
function primaryKind(d: Device): string | undefined {
  return 'kind' in d && d.kind && d.kind !== 'output' ? d.kind : undefined;
}

/** True once NTP has set the clock since boot; null where systemd-timesyncd does not run. */
function clockSynchronized(): boolean | null {
  if (existsSync(TIMESYNC_FLAG)) return true;
  return existsSync('/run/systemd/timesync') ? false : null;
}
