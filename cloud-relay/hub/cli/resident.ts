// `hearth hub resident export ID` and `hearth hub resident erase ID [--before DATE]`: a subject
// access request and an erasure request answered at the trust (README: Data protection). The id
// and the date are checked before the database is opened; an id the hub holds nothing under is
// refused by name, so a typing error never erases nothing and says it did.
import { chmodSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { HubConfig } from '../../../config/hub-schema.ts';
import { formatDuration } from '../../../config/values.ts';
import { EXIT } from '../../../core/process.ts';
import { Zone } from '../../../core/zone.ts';
import { audit } from '../audit.ts';
import { consoleDb } from '../console-tables.ts';
import { openDb } from '../db.ts';
import { dbTarget } from '../hub.ts';
import { beforeErase, reclaim } from '../reclaim.ts';
import { badAuditName, badResidentId, parseBefore } from '../resident-input.ts';
import { eraseResident, exportResident, knownResident } from '../resident-rights.ts';
import { RESIDENT_TABLES } from '../resident-tables.ts';
import { HubStore } from '../store.ts';

type Out = { code: number; text: string };
/** A home heard this recently may still be sending. */
const HEARD_LATELY_MS = 86_400_000;

const who = (by?: string) => by ?? `command line (${userInfo().username})`;

async function withStore<T>(config: HubConfig, file: string, fn: (s: HubStore) => Promise<T>): Promise<T> {
  const store = new HubStore(openDb(dbTarget(config, file)).db);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Why the id or `--by` is refused before the database is opened, or null. */
function badInput(verb: string, resident: string, by?: string): Out | null {
  const bad = badResidentId(resident) ?? (by === undefined ? null : badAuditName(by));
  return bad ? { code: EXIT.badInput, text: `hearth hub resident ${verb}: ${bad}` } : null;
}

/** The id, already checked by badInput, refused when the hub holds nothing under it. */
async function checked(store: HubStore, verb: string, resident: string): Promise<Out | null> {
  if (!(await knownResident(consoleDb(store.db), resident)))
    return {
      code: EXIT.badInput,
      text: `hearth hub resident ${verb}: the hub holds nothing about a resident "${resident}" (no home, alert, summary or carer names her); check the id on the console's Homes page`,
    };
  return null;
}

export async function residentExportCommand(
  config: HubConfig,
  file: string,
  resident: string,
  o: { out?: string; by?: string },
  now = Date.now(),
): Promise<Out> {
  const bad = badInput('export', resident, o.by);
  if (bad) return bad;
  return withStore(config, file, async (store) => {
    const refused = await checked(store, 'export', resident);
    if (refused) return refused;
    const doc = await exportResident(store.db, resident, now);
    const text = JSON.stringify(doc, null, 2);
    // Written first: the audit says an export was given only once it was.
    if (o.out)
      try {
        writeFileSync(o.out, `${text}\n`, { mode: 0o600 });
        chmodSync(o.out, 0o600);
      } catch (e) {
        return { code: EXIT.badInput, text: `hearth hub resident export: ${o.out}: ${(e as Error).message}` };
      }
    await audit(
      consoleDb(store.db),
      { staff: who(o.by), action: 'export-resident', resident, outcome: 'ok' },
      now,
    );
    if (!o.out) return { code: EXIT.ok, text };
    const rows = Object.values(doc.tables).reduce((a, r) => a + r.length, 0);
    return {
      code: EXIT.ok,
      text: `${o.out}: ${rows} records about ${resident} (readable by this user only)`,
    };
  });
}

export async function residentEraseCommand(
  config: HubConfig,
  file: string,
  resident: string,
  o: { before?: string; by?: string },
  now = Date.now(),
): Promise<Out> {
  const bad = badInput('erase', resident, o.by);
  if (bad) return bad;
  let before: number | undefined;
  if (o.before !== undefined) {
    const b = parseBefore(o.before, new Zone(config.hub.timezone), now);
    if (!b.ok) return { code: EXIT.badInput, text: `hearth hub resident erase: ${b.reason}` };
    before = b.at;
  }
  return withStore(config, file, async (store) => {
    const refused = await checked(store, 'erase', resident);
    if (refused) return refused;
    // A home still sending brings her records back: said, so the home is stopped first.
    const heard = await store.db
      .selectFrom('homes')
      .select(['gateway', 'last_seen_at'])
      .where('resident', '=', resident)
      .where('last_seen_at', '>', now - HEARD_LATELY_MS)
      .execute();
    await beforeErase(store.db);
    const r = await eraseResident(store.db, { resident, by: who(o.by), before }, now);
    const touched = Object.entries(r.counts).filter(([, n]) => n > 0);
    const space = await reclaim(
      store.db,
      touched.map(([t]) => t),
      { rewrite: true },
    );
    const listed = config.homes.expected.filter((h) => h.resident === resident).map((h) => h.gateway);
    const lines = [
      `erased ${r.total} records about ${resident}${before === undefined ? '' : ` older than ${o.before}`}${r.gateways.length ? ` (home ${r.gateways.join(', ')})` : ''}:`,
      ...RESIDENT_TABLES.map((h) => `  ${h.table.padEnd(18)} ${r.counts[h.table] ?? 0}`),
      space,
      'One audit line says so, with these counts and not the data.',
    ];
    for (const h of heard)
      lines.push(
        `${h.gateway} was heard ${formatDuration(now - (h.last_seen_at ?? now))} ago: while it sends, her alerts and days arrive again; stop it (hearth forget --all at the home) and erase again.`,
      );
    if (listed.length && before === undefined)
      lines.push(
        `${file} still lists ${listed.join(', ')} for ${resident} under homes.expected: remove it, or the hub knows her home again when it next starts.`,
      );
    return { code: EXIT.ok, text: lines.join('\n') };
  });
}
