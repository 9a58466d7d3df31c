// A batch's rows of `homes`, read and written back in one statement each. A batch holds hundreds
// of homes: on PostgreSQL their keys and columns go as arrays (pg-arrays.ts).
import type { Transaction } from 'kysely';
import { HOME_SAID_COLUMNS, type HomeSaid } from './home-touch.ts';
import { anyOf, columnsOf, type PgColumns, unnestRows } from './pg-arrays.ts';
import type { HubDb } from './tables.ts';

type Tx = Transaction<HubDb>;

export type HomeRow = HomeSaid & {
  gateway: string;
  resident: string;
  expected: number;
  heartbeat_ms: number;
  first_known_at: number;
};

const HOME_COLUMNS: PgColumns<HomeRow> = {
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

/** The homes' rows as held, by gateway. PostgreSQL: locked, in `gateways`' order, until the commit. */
export async function readHomes(t: Tx, gateways: readonly string[], postgres: boolean) {
  const read = t
    .selectFrom('homes')
    .select(['gateway', 'heartbeat_ms', ...HOME_SAID_COLUMNS])
    .orderBy('gateway');
  const rows = await (postgres
    ? read.where('gateway', '=', anyOf(gateways, 'text')).forUpdate()
    : read.where('gateway', 'in', gateways)
  ).execute();
  return new Map(rows.map((r) => [r.gateway, r]));
}

/** Inserts the homes not yet known and sets what the messages said of the others. */
export async function writeHomes(t: Tx, rows: readonly HomeRow[], postgres: boolean): Promise<void> {
  if (rows.length === 0) return;
  const into = t.insertInto('homes');
  await (postgres
    ? into.columns(columnsOf(HOME_COLUMNS)).expression(unnestRows(rows, HOME_COLUMNS))
    : into.values([...rows])
  )
    .onConflict((oc) =>
      oc
        .column('gateway')
        .doUpdateSet((eb) => Object.fromEntries(HOME_SAID_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)]))),
    )
    .execute();
}
