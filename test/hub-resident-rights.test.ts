// A resident's data rights at the trust, on both backends: every table of a fresh hub is either
// in the registry of what belongs to a resident or named as holding nothing about anyone; her
// export holds every kind of record; her erasure leaves her id and her home's id nowhere but in
// the one audit line that says what was erased, and leaves the other resident as she was; an
// erasure --before keeps what is newer.
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { audit } from '../cloud-relay/hub/audit.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import {
  countResident,
  eraseResident,
  exportResident,
  knownResident,
} from '../cloud-relay/hub/resident-rights.ts';
import { NO_RESIDENT_DATA, RESIDENT_TABLES } from '../cloud-relay/hub/resident-tables.ts';
import type { HubStore } from '../cloud-relay/hub/store.ts';
import type { HubDb } from '../cloud-relay/hub/tables.ts';
import { hubBackends } from './helpers/hub-backends.ts';
import { DAY, PUSH_EFFECTS, seedResident, seedStaff } from './helpers/resident-seed.ts';

const A = { gw: 'gw-ada', r: 'ada-1' };
const B = { gw: 'gw-bo', r: 'bo-2' };
const T0 = Date.parse('2026-03-02T10:00:00Z');

const BACKENDS = hubBackends();

/** Every row of every table, as the database gives it. */
async function everything(db: Kysely<HubDb>): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const t of await db.introspection.getTables())
    out.set(
      t.name,
      (await sql<Record<string, unknown>>`select * from ${sql.table(t.name)}`.execute(db)).rows,
    );
  return out;
}

/** Where any text of any row holds one of `needles`: `table: row as JSON`. */
function mentions(all: Map<string, Record<string, unknown>[]>, needles: string[]): string[] {
  const found: string[] = [];
  for (const [table, rows] of all)
    for (const row of rows)
      if (Object.values(row).some((v) => typeof v === 'string' && needles.some((n) => v.includes(n))))
        found.push(`${table}: ${JSON.stringify(row)}`);
  return found.sort();
}

async function seedBoth(store: HubStore, t = T0) {
  await seedStaff(store, [A.r, B.r], t);
  await seedResident(store, { ...A, t, tag: 'a', ladder: true });
  await seedResident(store, { ...B, t, tag: 'b' });
}

describe.each(BACKENDS)('data rights on $name', (backend) => {
  it('places every table of the migrated schema: in the registry, or named as holding no resident data', async () => {
    const { store } = await backend.open();
    const tables = await store.db.introspection.getTables();
    const names = tables.map((t) => t.name).sort();
    const placed = [...RESIDENT_TABLES.map((h) => h.table), ...Object.keys(NO_RESIDENT_DATA)];
    expect(names.filter((n) => !placed.includes(n))).toEqual([]);
    // And nothing placed that the schema has not (a table renamed and forgotten here).
    expect(placed.filter((n) => !names.includes(n))).toEqual([]);
    // Every column the registry reads exists in its table.
    for (const h of RESIDENT_TABLES) {
      const columns = tables.find((t) => t.name === h.table)?.columns.map((c) => c.name) ?? [];
      const b = h.belongs;
      const used = [
        ...(h.time ?? []),
        ...(h.json ?? []),
        ...(b.by === 'resident' || b.by === 'gateway' ? [b.column] : []),
        ...(b.by === 'alert' ? ['gateway', 'alert_id'] : []),
        ...(b.by === 'mention' ? [b.resident, b.text, b.key] : []),
        ...(b.by === 'about' ? [b.column, b.key] : []),
      ];
      expect({ table: h.table, missing: used.filter((c) => !columns.includes(c)) }).toEqual({
        table: h.table,
        missing: [],
      });
    }
    for (const [table, why] of Object.entries(NO_RESIDENT_DATA))
      expect(why.length, table).toBeGreaterThan(10);
  });

  it("exports every kind of her records, none of another's; erases them all but one audit line; the other resident is untouched", async () => {
    const { store } = await backend.open(PUSH_EFFECTS);
    await seedBoth(store);
    // A home whose id begins with hers: a line naming it is not about her.
    await audit(
      consoleDb(store.db),
      { staff: 'op-1', action: 'view-alert', target: `${A.gw}-west/a-9`, outcome: 'ok' },
      T0,
    );
    const before = await everything(store.db);
    const ofB = mentions(before, [B.r, B.gw]);
    expect(ofB.length).toBeGreaterThan(20);

    const doc = await exportResident(store.db, A.r, T0 + DAY);
    expect(doc.gateways).toEqual([A.gw]);
    const counts = Object.fromEntries(Object.entries(doc.tables).map(([t, rows]) => [t, rows.length]));
    // Each kind of record is there: the alerts with their history, notes, claims and escalation,
    // the hub's alert of her home, her day (with its FHIR bundle) and night, her test call, the
    // command acknowledging her alert, the pushes about her, her FHIR row, the audit lines.
    for (const table of RESIDENT_TABLES.map((h) => h.table))
      expect({ table, some: (counts[table] ?? 0) > 0 }).toEqual({ table, some: true });
    expect(counts).toMatchObject({ alerts: 3, alert_history: 5, alert_notes: 1, alert_claims: 1, audit: 2 });
    // The erase page's counts are the export's, the line naming gw-ada-west left out as there.
    expect(await countResident(store.db, A.r)).toEqual(counts);
    const [day] = doc.tables.summaries ?? [];
    expect(day?.fhir).toMatchObject({ resourceType: 'Bundle' });
    expect(doc.tables.push_outbox?.[0]?.payload).toMatchObject({ about: { gateway: A.gw } });
    const text = JSON.stringify(doc);
    expect(text).not.toContain(B.r);
    expect(text).not.toContain(B.gw);

    const erased = await eraseResident(store.db, { resident: A.r, by: 'dpo-1' }, T0 + 2 * DAY);
    expect(erased.total).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
    const after = await everything(store.db);
    const left = mentions(after, [A.r, A.gw]);
    expect(left).toHaveLength(2);
    expect(left.filter((l) => l.includes('gw-ada-west/a-9'))).toHaveLength(1);
    expect(left.filter((l) => l.includes('"action":"erase-resident"'))).toHaveLength(1);
    const line = after.get('audit')?.find((r) => r.action === 'erase-resident');
    expect(line).toMatchObject({ staff: 'dpo-1', resident: A.r, target: 'all records', outcome: 'ok' });
    expect(line?.detail).toMatch(/^\d+ rows erased: alert_history 5, .*summaries 1, .*homes 1$/);
    // Counts, not the data: nothing of what she said or what was said of her.
    expect(String(line?.detail)).not.toMatch(/floor|lounge|movement/i);
    expect(mentions(after, [B.r, B.gw])).toEqual(ofB);
    expect(await knownResident(consoleDb(store.db), A.r)).toBe(false);
  });

  it('erases --before only what is older than the date, and keeps what is newer', async () => {
    const { store } = await backend.open(PUSH_EFFECTS);
    await seedStaff(store, [A.r], T0);
    await seedResident(store, { ...A, t: T0, tag: 'old' });
    await seedResident(store, { ...A, t: T0 + 40 * DAY, tag: 'new' });
    const r = await eraseResident(
      store.db,
      { resident: A.r, by: 'dpo-1', before: T0 + 20 * DAY },
      T0 + 41 * DAY,
    );
    expect(r.counts).toMatchObject({
      alerts: 3,
      alert_history: 5,
      summaries: 1,
      nights: 1,
      homes: 0,
      residents: 0,
    });
    const doc = await exportResident(store.db, A.r, T0 + 41 * DAY);
    const ids = (doc.tables.alerts ?? []).map((a) => a.alert_id).sort();
    expect(ids).toEqual(['fall-new', 'quiet-new', 'test-new']);
    expect((doc.tables.alert_notes ?? []).map((n) => n.alert_id)).toEqual(['fall-new']);
    expect((doc.tables.summaries ?? []).map((s) => s.date)).toEqual(['2026-04-11']);
    expect(doc.tables.homes).toHaveLength(1);
    expect(await countResident(store.db, A.r)).toEqual(
      Object.fromEntries(Object.entries(doc.tables).map(([t, rows]) => [t, rows.length])),
    );
    expect(doc.tables.staff_residents).toHaveLength(1);
    // Nothing dated before the cut is left under her, in any table that dates its rows.
    const old = mentions(await everything(store.db), ['-old', '2026-03-02']);
    expect(old.filter((l) => !l.startsWith('audit: ') || !l.includes('erase-resident'))).toEqual([]);
  });
});
