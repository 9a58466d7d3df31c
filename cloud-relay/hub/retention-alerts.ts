// Closed alerts past their retention, with what hangs on them (their history, notes, claims,
// escalations, answer and closure), a batch of alerts per transaction: an alert and its history go
// together, so no history is left behind without its alert nor an alert without its history. The
// hub's own alerts go the same way once resolved, with what was said of them at the hub.
import { type Kysely, sql, type Transaction } from 'kysely';
import { HUB_GATEWAY } from './call-tables.ts';
import type { ConsoleDb } from './console-tables.ts';

/** States no one acts on any more; an alert still raised or escalated is kept however old. */
export const CLOSED_ALERT_STATES = ['acknowledged', 'resolved', 'cancelled'] as const;

/** The tables whose rows belong to one alert, by (gateway, alert_id). */
const OF_ALERT = [
  'alert_history',
  'alert_notes',
  'alert_claims',
  'alert_escalations',
  'alert_answers',
  'alert_closures',
] as const;

/** Deletes the rows that hang on these alerts, in every table of OF_ALERT. */
async function deleteRowsOf(t: Transaction<ConsoleDb>, alerts: { gateway: string; alert_id: string }[]) {
  // SQLite takes a row value IN only from a subquery: VALUES is one, on PostgreSQL too.
  const keys = sql.join(alerts.map((a) => sql`(${a.gateway}, ${a.alert_id})`));
  for (const table of OF_ALERT)
    await sql`delete from ${sql.table(table)} where (gateway, alert_id) in (values ${keys})`.execute(t);
  return keys;
}

/** Deletes up to `batch` closed alerts whose last state arrived before `before`; how many. */
export async function deleteClosedAlerts(
  db: Kysely<ConsoleDb>,
  before: number,
  batch: number,
): Promise<number> {
  return db.transaction().execute(async (t) => {
    const old = await t
      .selectFrom('alerts')
      .select(['gateway', 'alert_id'])
      // Closed at the home, or closed with an outcome at the hub (a home not yet confirming).
      .where((w) =>
        w.or([
          w('state', 'in', [...CLOSED_ALERT_STATES]),
          w.exists(
            sql`(select 1 from alert_closures c
              where c.gateway = alerts.gateway and c.alert_id = alerts.alert_id)`,
          ),
        ]),
      )
      .where(sql<number>`coalesce(state_received_at, state_at_ms)`, '<', before)
      .limit(batch)
      .execute();
    if (old.length === 0) return 0;
    const keys = await deleteRowsOf(t, old);
    const r = await sql`delete from alerts where (gateway, alert_id) in (values ${keys})`.execute(t);
    return Number(r.numAffectedRows ?? 0n);
  });
}

/** Deletes up to `batch` of the hub's own alerts resolved before `before`, with their rows; how many. */
export async function deleteResolvedHubAlerts(
  db: Kysely<ConsoleDb>,
  before: number,
  batch: number,
): Promise<number> {
  return db.transaction().execute(async (t) => {
    const old = await t
      .selectFrom('hub_alerts')
      .select('key')
      .where('resolved_at', '<', before)
      .limit(batch)
      .execute();
    if (old.length === 0) return 0;
    const keys = old.map((a) => a.key);
    await deleteRowsOf(
      t,
      keys.map((key) => ({ gateway: HUB_GATEWAY, alert_id: key })),
    );
    const r = await t.deleteFrom('hub_alerts').where('key', 'in', keys).executeTakeFirst();
    return Number(r.numDeletedRows);
  });
}
