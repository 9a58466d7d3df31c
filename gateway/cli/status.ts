// `hearth status [--json]`: one screen for a technician on site.
//
// The running gateway holds its database in exclusive locking mode, so nothing else may open it
// (and a reader would leave -wal/-shm files owned by whoever ran the command). The gateway
// already publishes a retained status on its own local broker, and writes the credential for
// its tools beside the database: so this command asks the broker, which costs the SD card
// nothing, and asks it for a fresh one. Only when no gateway answers does it read (a copy of)
// the file itself, and says that it did.
import { existsSync } from 'node:fs';
import { topics } from '../../cloud-relay/protocol/messages.ts';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { EXIT } from '../../core/process.ts';
import { Zone } from '../../core/zone.ts';
import { readLocalStatus } from '../local-status.ts';
import { type StatusReport, statusReport } from '../status-report.ts';
import { readCopy } from '../store/status-reader.ts';
import { problemsText } from './check-config.ts';
import { localClient } from './local-client.ts';

/** How long the gateway's broker has to answer before the file is read instead. */
const ASK_MS = 3_000;

type Source = { source: string; devices: string[]; present: boolean; detail: string };
export type StatusView = {
  running: boolean;
  note: string | null;
  sources: Source[] | null;
  delivery: { undelivered: boolean; unconfirmed?: boolean; reason: string | null } | null;
  report: StatusReport;
};

export async function statusCommand(
  o: { config: string; json?: boolean },
  print: (text: string) => void,
): Promise<number> {
  const { config, problems } = loadConfig(o.config, { strictRefs: false });
  if (!config) {
    print(problemsText(o.config, problems));
    return EXIT.badInput;
  }
  const view = (await fromGateway(config)) ?? fromFile(config);
  if (typeof view === 'string') {
    print(`hearth status: ${view}`);
    return EXIT.failed;
  }
  print(o.json ? JSON.stringify(view, null, 2) : render(view));
  return view.running ? EXIT.ok : EXIT.failed;
}

async function fromGateway(config: Config): Promise<StatusView | null> {
  const client = localClient(config, ASK_MS);
  if (!client) return null;
  try {
    return await new Promise<StatusView | null>((resolve) => {
      // The retained status may be a minute old: it answers only if no fresh one comes in time.
      let retained: StatusView | null = null;
      const timer = setTimeout(() => resolve(retained), ASK_MS);
      const done = (v: StatusView | null) => {
        clearTimeout(timer);
        resolve(v);
      };
      client.on('error', () => done(retained));
      client.on('close', () => done(retained));
      client.on('message', (_t, payload, packet) => {
        // Whatever is on the topic (another program's garbage, a newer gateway's shape) is no answer;
        // nor is a status without its report (the database could not give one that time).
        const read = readLocalStatus(payload);
        const s = read.ok ? read.status : null;
        if (!s?.report) return;
        const view = {
          running: true,
          note: null,
          sources: s.sources,
          delivery: s.delivery,
          report: s.report,
        };
        if (packet.retain) retained = view;
        else done(view);
      });
      client.on('connect', async () => {
        await client.subscribeAsync(topics.localStatus);
        await client.publishAsync(topics.localStatusRequest, '');
      });
    });
  } finally {
    client.end(true);
  }
}

function fromFile(config: Config): StatusView | string {
  const path = config.storage.path;
  if (!existsSync(path)) return `the gateway is not running and there is no database at ${path} yet`;
  try {
    // A copy of the file, not the file: see readCopy.
    const report = readCopy(path, (reader) =>
      statusReport({ reader, path, config, zone: new Zone(config.gateway.timezone), now: Date.now() }),
    );
    return {
      running: false,
      note: 'the gateway is not running (or not answering): read from the database file as last written',
      sources: null,
      delivery: null,
      report,
    };
  } catch (err) {
    return `the gateway is not answering and ${path} cannot be read: ${(err as Error).message}`;
  }
}

const mb = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${(n / 1e6).toFixed(1)} MB`);
const hm = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** One line per device, its columns as wide as their widest cell: a long device id breaks none. */
function readingLines(readings: StatusReport['last_readings']): string[] {
  const rows = readings.map((x) => [
    x.device,
    x.kind,
    String(x.value),
    x.battery === null ? '' : `battery ${x.battery} %`,
    hm(x.at),
  ]);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
  const shown = (c: number) => (widths[c] ?? 0) > 0;
  return rows.map((row) =>
    `  ${row
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .filter((_, c) => shown(c))
      .join('  ')}`.trimEnd(),
  );
}

/** One screen, for a person. */
export function render(v: StatusView): string {
  const r = v.report;
  const lines = [
    `Hearth ${r.gateway}: ${v.running ? 'running' : 'NOT RUNNING'}   (at ${hm(r.at)})`,
    ...(v.note ? [`  ${v.note}`] : []),
  ];
  lines.push('sources');
  if (!v.sources) lines.push('  unknown while the gateway is not running');
  for (const s of v.sources ?? [])
    lines.push(`  ${s.present ? 'ok     ' : 'MISSING'} ${s.source}: ${s.devices.join(', ')}  ${s.detail}`);
  lines.push('last readings');
  if (r.last_readings.length === 0) lines.push('  none stored');
  lines.push(...readingLines(r.last_readings));
  if (r.mode)
    lines.push(
      `care mode    ${r.mode.mode} until ${hm(r.mode.until)} (set by ${r.mode.by}, ${r.mode.source}, at ${hm(r.mode.since)})`,
    );
  lines.push(`open alerts  ${r.open_alerts.length || 'none'}`);
  for (const a of r.open_alerts) lines.push(`  ${a.rule} ${a.state} since ${hm(a.at)} (${a.alert_id})`);
  const oldest = r.queue.oldest_undelivered_alert;
  lines.push(
    `queue        ${r.queue.depth} message${r.queue.depth === 1 ? '' : 's'} waiting${oldest ? `; oldest undelivered alert from ${hm(oldest)}` : ''}${v.delivery?.undelivered ? ` (${v.delivery.reason ?? 'not delivered'})` : ''}`,
  );
  const awaiting = r.queue.oldest_awaiting_receipt;
  if (r.queue.awaiting_receipt > 0 || v.delivery?.unconfirmed)
    lines.push(
      `receipts     ${r.queue.awaiting_receipt} message${r.queue.awaiting_receipt === 1 ? '' : 's'} at the trust broker awaiting the hub's receipt${awaiting ? `, the oldest from ${hm(awaiting)}` : ''}${v.delivery?.unconfirmed ? ' (CANNOT CONFIRM DELIVERY of an alert)' : ''}`,
    );
  lines.push(
    `storage      ${r.storage.path} ${mb(r.storage.bytes)}, ${r.storage.free_bytes === null ? 'free space unknown' : `${mb(r.storage.free_bytes)} free`}${r.storage.failing ? `; FAILING: ${r.storage.failing}` : ''}`,
  );
  const t = r.test_call;
  if (t)
    lines.push(
      `test call    ${t.alert_id} sent ${hm(t.sent_at)}${t.acked_at ? `, acknowledged by ${t.acked_by} at ${hm(t.acked_at)}` : t.fault ? ` NOT ACKNOWLEDGED (${t.fault})` : ', awaiting its acknowledgement'}`,
    );
  lines.push(`last backup  ${r.last_backup ? `${hm(r.last_backup.at)}  ${r.last_backup.file}` : 'none yet'}`);
  lines.push(
    `clock        ${r.clock.synchronized === null ? 'synchronisation unknown' : r.clock.synchronized ? 'synchronised' : 'NOT synchronised'} (${r.clock.time_zone})`,
  );
  lines.push(
    `versions     hearth ${r.versions.hearth}, node ${r.versions.node}, SQLite ${r.versions.sqlite}, schema ${r.versions.schema}`,
  );
  return lines.join('\n');
}
