// A batch's rows of `homes`, read and written back in one statement each. A batch holds hundreds
// of homes: on PostgreSQL each column travels as one array (`= any`, `unnest`), so a statement
// has a parameter per column, not one per column per home, and the hub does not build, compile
// and encode some eight thousand of them a batch. SQLite has no arrays: there, a list and rows.
import { type RawBuilder, sql, type Transaction } from 'kysely';
import { HOME_SAID_COLUMNS, type HomeSaid } from './home-touch.ts';
import type { HubDb } from './tables.ts';

type Tx = Transaction<HubDb>;

export type HomeRow = HomeSaid & {
  gateway: string;
  resident: string;
  expected: number;
  heartbeat_ms: number;
  first_known_at: number;
};

/** Each column's PostgreSQL type, for the arrays it travels in. */
const PG_TYPES: Record<keyof HomeRow, 'text' | 'integer' | 'bigint'> = {
  gateway: 'text',
  resident: 'text',
  expected: 'integer',
  heartbeat_ms: 'bigint',
  first_known_at: 'bigint',
  last_seen_at: 'bigint',
  last_heartbeat_at: 'bigint',
  queue_depth: 'integer',
  queue_growth: 'integer',
  clock_skew_ms: 'bigint',
  clock_skew_count: 'integer',
  status: 'text',
  status_at: 'bigint',
  hearth_version: 'text',
  oldest_undelivered_alert_s: 'integer',
  storage_fault: 'text',
};
const COLUMNS = Object.keys(PG_TYPES) as (keyof HomeRow)[];

/** The homes' rows as held, by gateway. PostgreSQL: locked, in `gateways`' order, until the commit. */
export async function readHomes(t: Tx, gateways: readonly string[], postgres: boolean) {
  const read = t
    .selectFrom('homes')
    .select(['gateway', 'heartbeat_ms', ...HOME_SAID_COLUMNS])
    .where('gateway', postgres ? '=' : 'in', postgres ? anyOf(gateways, 'text') : gateways)
    .orderBy('gateway');
  const rows = await (postgres ? read.forUpdate() : read).execute();
  return new Map(rows.map((r) => [r.gateway, r]));
}

/** Inserts the homes not yet known and sets what the messages said of the others. */
export async function writeHomes(t: Tx, rows: readonly HomeRow[], postgres: boolean): Promise<void> {
  if (rows.length === 0) return;
  if (postgres) {
    const arrays = COLUMNS.map((c) =>
      anyArray(
        rows.map((r) => r[c]),
        PG_TYPES[c],
      ),
    );
    await sql`insert into homes (${sql.join(COLUMNS.map((c) => sql.ref(c)))})
      select * from unnest(${sql.join(arrays)})
      on conflict (gateway) do update set ${sql.join(HOME_SAID_COLUMNS.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`))}`.execute(
      t,
    );
    return;
  }
  await t
    .insertInto('homes')
    .values([...rows])
    .onConflict((oc) =>
      oc
        .column('gateway')
        .doUpdateSet((eb) => Object.fromEntries(HOME_SAID_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)]))),
    )
    .execute();
}

/** One parameter holding every value, typed so that nulls and numbers arrive as the column's. */
const anyArray = (values: readonly unknown[], type: string): RawBuilder<unknown> =>
  sql`${values}::${sql.raw(type)}[]`;

const anyOf = (values: readonly string[], type: string): RawBuilder<string> =>
  sql<string>`any(${anyArray(values, type)})`;
