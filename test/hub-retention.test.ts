// The hub file's retention of residents' records, on both backends, with the clock given: each
// period deletes what is older than it and keeps what is newer, and touches no other table; a
// closed alert goes with its history, notes and claims, an open one stays however old; only sent
// FHIR rows and failed pushes go.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDb, sqliteTarget } from '../cloud-relay/hub/db.ts';
import type { RetentionPeriods } from '../cloud-relay/hub/retention.ts';
import { HubStore } from '../cloud-relay/hub/store.ts';
import type { HubDb } from '../cloud-relay/hub/tables.ts';
import { hubBackends } from './helpers/hub-backends.ts';
import { DAY, PUSH_EFFECTS, seedResident, seedStaff } from './helpers/resident-seed.ts';
import { tempDir } from './helpers/tmp.ts';

const A = { gw: 'gw-ada', r: 'ada-1' };
const B = { gw: 'gw-bo', r: 'bo-2' };
const T0 = Date.parse('2026-03-02T10:00:00Z');
const OLD = T0;
const NEW = T0 + 40 * DAY;
const NOW = T0 + 45 * DAY;
/** Older than OLD's records by far: only the period under test can delete anything. */
const KEEP = { messages: 1000 * DAY, rejected: 1000 * DAY, audit: 1000 * DAY, sessions: 1000 * DAY };

const BACKENDS = hubBackends();

async function counts(db: Kysely<HubDb>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of await db.introspection.getTables()) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t.name)}`.execute(db);
    out[t.name] = Number(r.rows[0]?.n);
  }
  return out;
}

const rows = async (db: Kysely<HubDb>, q: string) =>
  (await sql<Record<string, unknown>>`${sql.raw(q)}`.execute(db)).rows;

/** A resident's records of an old day and a new one; B's old day, whose FHIR row is not sent. */
async function seeded(store: HubStore) {
  await seedStaff(store, [A.r, B.r], OLD);
  await seedResident(store, { ...A, t: OLD, tag: 'old' });
  await seedResident(store, { ...A, t: NEW, tag: 'new' });
  await seedResident(store, { ...B, t: OLD, tag: 'b' });
  await sql`update fhir_outbox set sent_at = queued_at where resident = ${A.r}`.execute(store.db);
  // Pushes to A's carers failed; B's are still due (a phone not reached yet).
  await sql`update push_outbox set state = 'failed' where payload like ${`%${A.gw}%`}`.execute(store.db);
  await sql`insert into push_tokens_used (id, used_at, expires_at) values
    ('tok-old', ${OLD}, ${OLD + 3_600_000}), ('tok-new', ${NEW}, ${NEW + 3_600_000})`.execute(store.db);
}

type Case = {
  period: Exclude<keyof RetentionPeriods, keyof typeof KEEP>;
  /** The tables it may delete from. */
  tables: string[];
  /** What is left of them, as a sorted list of names. */
  left: string;
  expected: string[];
};

const CASES: Case[] = [
  {
    period: 'summaries',
    tables: ['summaries', 'nights'],
    left: `select 's ' || resident || ' ' || date as x from summaries union all
      select 'n ' || resident || ' ' || date from nights`,
    expected: ['n ada-1 2026-04-11', 's ada-1 2026-04-11'],
  },
  {
    period: 'alerts',
    tables: [
      'alerts',
      'alert_history',
      'alert_notes',
      'alert_claims',
      'alert_escalations',
      'alert_answers',
      'alert_closures',
    ],
    left: `select 'a ' || alert_id || ' ' || state as x from alerts union all
      select 'h ' || alert_id from alert_history union all select 'note ' || alert_id from alert_notes
      union all select 'claim ' || alert_id from alert_claims
      union all select 'c ' || outcome || ' ' || case when gateway = '#hub' then 'hub' else alert_id end
        from alert_closures`,
    // The old alerts still open (a test call no one took) are kept with their history; the
    // resolved ones went with theirs, and so did the old ones an operator closed with an outcome
    // while the home had not yet confirmed. The hub's own alerts, closed but not yet resolved, stay.
    expected: [
      'a fall-new resolved',
      'a quiet-new raised',
      'a test-b raised',
      'a test-new raised',
      'a test-old raised',
      ...['fall-new', 'fall-new', 'fall-new', 'quiet-new'].map((a) => `h ${a}`),
      ...['test-b', 'test-new', 'test-old'].map((a) => `h ${a}`),
      'claim fall-new',
      'note fall-new',
      'c false_alarm quiet-new',
      ...['hub', 'hub', 'hub'].map((h) => `c responder_sent ${h}`),
    ],
  },
  {
    period: 'test_calls',
    tables: ['test_calls'],
    left: 'select alert_id as x from test_calls',
    expected: ['test-new'],
  },
  {
    period: 'commands',
    tables: ['commands'],
    left: "select alert_id || ' ' || name as x from commands",
    // The new call closed unacknowledged: its home was sent an ack, then the close.
    expected: ['quiet-new ack', 'quiet-new close'],
  },
  {
    period: 'fhir_sent',
    tables: ['fhir_outbox'],
    left: `select resident || ' ' || date as x from fhir_outbox`,
    // B's old day was never accepted: kept to be sent, however old.
    expected: ['ada-1 2026-04-11', 'bo-2 2026-03-02'],
  },
  {
    period: 'pushes',
    tables: ['push_outbox'],
    left: `select state || ' ' || created as x from push_outbox`,
    expected: [], // filled below from what was seeded
  },
  {
    period: 'push_tokens',
    tables: ['push_tokens_used'],
    left: 'select id as x from push_tokens_used',
    expected: ['tok-new'],
  },
];

describe.each(BACKENDS)('retention on $name', (backend) => {
  it.each(CASES)(
    '$period: deletes what is older than its period, keeps what is newer and every other table',
    async (c) => {
      const { store } = await backend.open(PUSH_EFFECTS);
      await seeded(store);
      const before = await counts(store.db);
      const expected =
        c.period === 'pushes'
          ? (await rows(store.db, c.left))
              .map((r) => String(r.x))
              .filter((x) => !(x.startsWith('failed') && Number(x.split(' ')[1]) < NOW - 20 * DAY))
          : c.expected;
      if (c.period === 'pushes') {
        // Some of each: failed old ones to go, failed new ones and B's due old ones to stay.
        expect(expected.some((x) => x.startsWith('failed'))).toBe(true);
        expect(expected.some((x) => x.startsWith('due'))).toBe(true);
        expect(expected.length).toBeLessThan(before.push_outbox ?? 0);
      }
      const r = await store.enforceRetention(NOW, { ...KEEP, [c.period]: 20 * DAY }, { batch: 2 });
      const left = (await rows(store.db, c.left)).map((x) => String(x.x)).sort();
      expect(left).toEqual([...expected].sort());
      const after = await counts(store.db);
      for (const [t, n] of Object.entries(before))
        if (!c.tables.includes(t)) expect({ t, n: after[t] }).toEqual({ t, n });
      const deleted = c.tables.reduce((a, t) => a + ((before[t] ?? 0) - (after[t] ?? 0)), 0);
      expect(deleted).toBeGreaterThan(0);
      // Small batches: more than one, each a transaction of its own.
      expect(r.batches).toBeGreaterThan(1);
      // Run again, nothing more goes.
      await store.enforceRetention(NOW, { ...KEEP, [c.period]: 20 * DAY }, { batch: 2 });
      expect(await counts(store.db)).toEqual(after);
    },
  );
});

describe.each(BACKENDS)("retention of the hub's own alerts on $name", (backend) => {
  it('deletes a resolved one past the period with what was said of it at the hub; keeps an open one and a newer one', async () => {
    const { store } = await backend.open(PUSH_EFFECTS);
    await seeded(store);
    // A's old silence resolved long ago, her new one lately; B's still open.
    await store.resolveHubAlerts(A.gw, 'gateway_silent', OLD + DAY);
    await store.db
      .updateTable('hub_alerts')
      .set({ resolved_at: NEW })
      .where('key', '=', `gateway_silent/${A.gw}/new`)
      .execute();
    const r = await store.enforceRetention(NOW, { ...KEEP, alerts: 20 * DAY }, { batch: 2 });
    expect(r.alerts).toBeGreaterThan(0);
    const keys = (await store.db.selectFrom('hub_alerts').select('key').execute()).map((h) => h.key).sort();
    expect(keys).toEqual([`gateway_silent/${A.gw}/new`, `gateway_silent/${B.gw}/b`]);
    const closures = await rows(store.db, "select alert_id as x from alert_closures where gateway = '#hub'");
    expect(closures.map((c) => String(c.x)).sort()).toEqual(keys);
  });
});

describe('retention on the embedded SQLite file', () => {
  it('leaves no byte of a deleted day in the file (secure_delete): not readable back from free pages', async () => {
    const target = sqliteTarget(join(tempDir('hearth-hub-retention-'), 'db'));
    const store = new HubStore(openDb(target).db, PUSH_EFFECTS);
    await store.migrate();
    await seeded(store);
    const old = await store.db.selectFrom('summaries').select('fhir').where('at_ms', '<', NEW).execute();
    // The old day's FHIR resource ids: derived from resident, date and kind, held in this row only.
    const ids = old.flatMap((r) =>
      [...r.fhir.matchAll(/"fullUrl":"urn:uuid:([0-9a-f-]{36})"/g)].map((m) => m[1] ?? ''),
    );
    expect(ids.length).toBeGreaterThan(5);
    await store.enforceRetention(NOW, { ...KEEP, summaries: 20 * DAY });
    await store.close();
    if (target.kind !== 'sqlite') throw new Error('sqlite');
    const bytes = readFileSync(target.file);
    expect(ids.filter((id) => bytes.includes(id))).toEqual([]);
  });
});
