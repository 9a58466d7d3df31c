// Closed alerts past their retention, with what hangs on them (their history, notes, claims and
// escalations), a batch of alerts per transaction: an alert and its history go together, so no
// history is left behind without its alert nor an alert without its history.
import { type Kysely, sql } from 'kysely';
import type { ConsoleDb } from './console-tables.ts';

/** States no one acts on any more; an alert still raised or escalated is kept however old. */
export const CLOSED_ALERT_STATES = ['acknowledged', 'resolved', 'cancelled'] as const;

/** The tables whose rows belong to one alert, by (gateway, alert_id). */
const OF_ALERT = ['alert_history', 'alert_notes', 'alert_claims', 'alert_escalations'] as const;

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
      .where('state', 'in', [...CLOSED_ALERT_STATES])
      .where(sql<number>`coalesce(state_received_at, state_at_ms)`, '<', before)
      .limit(batch)
      .execute();
    if (old.length === 0) return 0;
    // SQLite takes a row value IN only from a subquery: VALUES is one, on PostgreSQL too.
    const keys = sql.join(old.map((a) => sql`(${a.gateway}, ${a.alert_id})`));
    for (const table of OF_ALERT)
      await sql`delete from ${sql.table(table)} where (gateway, alert_id) in (values ${keys})`.execute(t);
    const r = await sql`delete from alerts where (gateway, alert_id) in (values ${keys})`.execute(t);
    return Number(r.numAffectedRows ?? 0n);
  });
}
