// What `hearth status` shows, read from the database: the same function serves the running
// gateway (which publishes it on its retained local status topic) and the command line when
// the gateway is not running (which reads the file itself).
import { existsSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { Config } from '../config/schema.ts';
import type { Zone } from '../core/zone.ts';
import { listBackups } from './store/backup.ts';

export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;
/** systemd-timesyncd creates this file once the clock has been synchronised since boot. */
const TIMESYNC_FLAG = '/run/systemd/timesync/synchronized';

export type StatusReport = {
  gateway: string;
  at: string;
  last_readings: { device: string; room: string | null; kind: string; value: unknown; at: string }[];
  open_alerts: { alert_id: string; rule: string; state: string; at: string }[];
  queue: { depth: number; oldest_undelivered_alert: string | null };
  storage: { path: string; bytes: number; free_bytes: number | null; failing: string | null };
  last_backup: { file: string; at: string } | null;
  clock: { synchronized: boolean | null; time_zone: string };
  versions: { hearth: string; node: string; sqlite: string; schema: number };
};

const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);

export function statusReport(o: {
  db: Database.Database;
  path: string;
  config: Config;
  zone: Zone;
  now: number;
  failing?: string | null;
}): StatusReport {
  const { db, path, config, zone } = o;
  const last = db.prepare(
    'SELECT device, room, kind, value, at FROM events WHERE device = ? ORDER BY at DESC, id DESC LIMIT 1',
  );
  const readings = config.devices.flatMap((d) => {
    const r = last.get(d.id) as
      | { device: string; room: string | null; kind: string; value: string; at: number }
      | undefined;
    return r ? [{ ...r, value: JSON.parse(r.value) as unknown, at: zone.iso(r.at) }] : [];
  });
  // The latest state of each alert; the ones not over yet are open.
  const open = db
    .prepare(
      `SELECT a.alert_id, a.rule, a.state, a.at FROM alert_log a
       JOIN (SELECT max(rowid) AS last FROM alert_log GROUP BY alert_id) l ON a.rowid = l.last
       WHERE a.state NOT IN ('resolved', 'cancelled') ORDER BY a.at`,
    )
    .all() as { alert_id: string; rule: string; state: string; at: number }[];
  const queue = db
    .prepare(
      "SELECT count(*) AS depth, min(CASE WHEN type = 'alert' THEN created_at END) AS oldest FROM outbox",
    )
    .get() as { depth: number; oldest: number | null };
  let free: number | null = null;
  try {
    const fs = statfsSync(dirname(path));
    free = fs.bavail * fs.bsize;
  } catch {
    free = null;
  }
  const backup = listBackups(path)[0];
  return {
    gateway: config.gateway.id,
    at: zone.iso(o.now),
    last_readings: readings,
    open_alerts: open.map((a) => ({ ...a, at: zone.iso(a.at) })),
    queue: {
      depth: queue.depth,
      oldest_undelivered_alert: queue.oldest === null ? null : zone.iso(queue.oldest),
    },
    storage: {
      path,
      bytes: size(path) + size(`${path}-wal`),
      free_bytes: free,
      failing: o.failing ?? null,
    },
    last_backup: backup ? { file: backup.file, at: zone.iso(backup.at) } : null,
    clock: { synchronized: clockSynchronized(), time_zone: zone.name },
    versions: {
      hearth: VERSION,
      node: process.versions.node,
      sqlite: db.prepare('SELECT sqlite_version()').pluck().get() as string,
      schema: db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number,
    },
  };
}

/** True once NTP has set the clock since boot; null where systemd-timesyncd does not run. */
function clockSynchronized(): boolean | null {
  if (existsSync(TIMESYNC_FLAG)) return true;
  return existsSync('/run/systemd/timesync') ? false : null;
}
