// The resident's data rights (UK GDPR; ETSI EN 303 645 provision 5.11): `hearth export` writes
// everything held about them as JSON; `hearth forget` erases it. Both open the database
// themselves, so both refuse while the gateway runs (its exclusive lock says so): a technician
// stops the service, runs the command, starts it again.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { EXIT } from '../../core/process.ts';
import { Zone } from '../../core/zone.ts';
import { listBackups } from '../store/backup.ts';
import { eraseBackup, type ReadingRow } from '../store/resident-data.ts';
import { Store } from '../store/store.ts';
import { problemsText } from './check-config.ts';

type Print = (text: string) => void | Promise<void>;
type Opened = { config: Config; zone: Zone; store: Store };

/** "2026-03-01" is local midnight in the home's time zone; a full ISO time is taken as it is. */
export function parseDate(text: string, zone: Zone): number | null {
  const day = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text);
  if (day) return zone.fromLocal(Number(day[1]), Number(day[2]), Number(day[3]), 0);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(text)) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

function open(file: string, print: Print): Opened | number {
  const { config, problems } = loadConfig(file, { strictRefs: false });
  if (!config) {
    void print(problemsText(file, problems));
    return EXIT.badInput;
  }
  try {
    return { config, zone: new Zone(config.gateway.timezone), store: Store.open(config.storage.path) };
  } catch (err) {
    void print(`hearth: ${(err as Error).message}`);
    return EXIT.failed;
  }
}

export async function exportCommand(
  o: { config: string; since?: string },
  write: (s: string) => Promise<void>,
  print: Print,
): Promise<number> {
  const opened = open(o.config, print);
  if (typeof opened === 'number') return opened;
  const { config, zone, store } = opened;
  try {
    const since = o.since === undefined ? Number.NEGATIVE_INFINITY : parseDate(o.since, zone);
    if (since === null) {
      await print(
        `hearth export: --since ${o.since}: a date (2026-03-01, local midnight) or an ISO time with its offset`,
      );
      return EXIT.badInput;
    }
    const from = Number.isFinite(since) ? since : -8.64e15;
    const checkIn = new Set(config.devices.filter((d) => d.role === 'check-in').map((d) => d.id));
    const data = store.residentData;
    await write(
      `{"v":1,"type":"export","gateway":${JSON.stringify(config.gateway.id)},"resident":${JSON.stringify(config.gateway.resident)},"exported_at":${JSON.stringify(zone.iso(Date.now()))},"since":${JSON.stringify(Number.isFinite(since) ? zone.iso(from) : null)}`,
    );
    const reading = (r: ReadingRow) =>
      JSON.stringify({
        at: zone.iso(r.at),
        device: r.device,
        kind: r.kind,
        value: JSON.parse(r.value),
        room: r.room,
      });
    await section(write, 'readings', data.readings(from), reading);
    await section(write, 'check_ins', data.readings(from), (r) =>
      checkIn.has(r.device) ? reading(r) : null,
    );
    await section(write, 'alerts', data.alerts(from), (a) => JSON.stringify({ ...a, at: zone.iso(a.at) }));
    await section(
      write,
      'summaries',
      data.summaries(Number.isFinite(since) ? zone.date(from) : ''),
      (s) => `{"date":${JSON.stringify(s.date)},"summary":${s.summary}}`,
    );
    await section(write, 'undelivered_messages', data.undelivered(from), (m) => m.payload);
    await section(write, 'care_modes', data.modeSpans(from), (m) =>
      JSON.stringify({
        mode: m.mode,
        from: zone.iso(m.started_at),
        until: zone.iso(m.until),
        ended: m.ended_at === null ? null : zone.iso(m.ended_at),
        by: m.set_by,
        source: m.source,
      }),
    );
    await section(
      write,
      'rule_state',
      data.ruleStates(),
      (s) =>
        `{"rule":${JSON.stringify(s.rule)},"updated_at":${JSON.stringify(zone.iso(s.updated_at))},"state":${s.state}}`,
    );
    await write('}\n');
    return EXIT.ok;
  } finally {
    store.close();
  }
}

/** Writes `,"name":[...]` a few hundred rows at a time, so a year of readings never sits in memory. */
async function section<T>(
  write: (s: string) => Promise<void>,
  name: string,
  rows: Iterable<T>,
  line: (row: T) => string | null,
): Promise<void> {
  await write(`,"${name}":[`);
  let chunk: string[] = [];
  let first = true;
  for (const row of rows) {
    const l = line(row);
    if (l === null) continue;
    chunk.push(first ? `\n${l}` : `,\n${l}`);
    first = false;
    if (chunk.length >= 500) {
      await write(chunk.join(''));
      chunk = [];
    }
  }
  await write(`${chunk.join('')}]`);
}

export async function forgetCommand(
  o: { config: string; before?: string; all?: boolean },
  print: Print,
): Promise<number> {
  if (Boolean(o.all) === (o.before !== undefined)) {
    await print('hearth forget: give either --before DATE or --all');
    return EXIT.badInput;
  }
  const opened = open(o.config, print);
  if (typeof opened === 'number') return opened;
  const { zone, store } = opened;
  const path = store.path;
  let t: number | null = null;
  if (o.before !== undefined) {
    t = parseDate(o.before, zone);
    if (t === null) {
      store.close();
      await print(
        `hearth forget: --before ${o.before}: a date (2026-03-01, local midnight) or an ISO time with its offset`,
      );
      return EXIT.badInput;
    }
  }
  const date = t === null ? '' : zone.date(t);
  let counts: Record<string, number>;
  try {
    store.commit();
    counts = store.residentData.erase(t, date);
  } finally {
    store.close();
  }
  const out = [
    `erased from ${path}${t === null ? ' (everything)' : ` (before ${zone.iso(t)})`}:`,
    ...Object.entries(counts).map(([what, n]) => `  ${String(n).padStart(8)} ${what}`),
  ];
  // Backups hold the same data: they are erased alike (or removed with --all).
  for (const b of listBackups(path)) {
    if (t === null) {
      rmSync(b.file, { force: true });
      out.push(`  backup ${basename(b.file)} removed`);
    } else {
      const n = eraseBackup(b.file, t, date);
      out.push(
        `  backup ${basename(b.file)}: ${n.readings ?? 0} readings and the rest before that time erased`,
      );
    }
  }
  const dir = dirname(path);
  const aside = existsSync(dir)
    ? readdirSync(dir).filter((n) => n.startsWith(`${basename(path)}.corrupt-`))
    : [];
  for (const n of aside) {
    if (t === null) {
      rmSync(join(dir, n), { force: true });
      out.push(`  damaged copy ${n} removed`);
    } else out.push(`  note: the damaged copy ${n} cannot be edited; remove it, or use --all`);
  }
  out.push('the database was vacuumed with secure_delete on: erased rows are not left in free pages');
  await print(out.join('\n'));
  return EXIT.ok;
}
