// What a care-team report reads for one resident and a span of dates: the summaries and nights
// dated in it, the alerts raised in it with their outcome notes and who went. The route has
// checked that the person asking may see her; every list is bounded by the period's length.
import type { Kysely, Selectable } from 'kysely';
import type { Claim } from '../claims.ts';
import { claimsOf } from '../claims.ts';
import type { AlertNotesTable, ConsoleDb } from '../console-tables.ts';
import { pushDb } from '../push-tables.ts';
import type { AlertsTable } from '../tables.ts';

/** A resident has a handful of alerts a week; more than this in six weeks is cut, and said so. */
export const MAX_REPORT_ALERTS = 300;

export type ReportAlert = Selectable<AlertsTable> & {
  notes: Selectable<AlertNotesTable>[];
  claims: Claim[];
};

/**
 * A resident's rows of a dated table, summaries or nights (sent the mornings they ended), dated
 * `from`..`to` (inclusive), oldest first.
 */
export function datedBetween(
  db: Kysely<ConsoleDb>,
  table: 'summaries' | 'nights',
  resident: string,
  from: string,
  to: string,
) {
  return db
    .selectFrom(table)
    .select(['date', 'json'])
    .where('resident', '=', resident)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .orderBy('date')
    .limit(62)
    .execute();
}

/**
 * Alerts first raised in [fromMs, toMs), oldest first, with their notes and claims. The home
 * writes `first_at` with its own offset, so the period is compared as instants, not as text.
 */
export async function alertsBetween(
  db: Kysely<ConsoleDb>,
  resident: string,
  fromMs: number,
  toMs: number,
): Promise<{ alerts: ReportAlert[]; cut: boolean }> {
  // A day either side of the period as text, then exactly as instants.
  const rows = await db
    .selectFrom('alerts')
    .selectAll()
    .where('resident', '=', resident)
    .where('first_at', '>=', new Date(fromMs - 86_400_000).toISOString())
    .where('first_at', '<', new Date(toMs + 86_400_000).toISOString())
    .orderBy('first_at')
    .limit(MAX_REPORT_ALERTS + 1)
    .execute();
  const inPeriod = rows
    .filter((a) => {
      const t = Date.parse(a.first_at);
      return t >= fromMs && t < toMs;
    })
    .slice(0, MAX_REPORT_ALERTS);
  if (!inPeriod.length) return { alerts: [], cut: false };
  const notes = await db
    .selectFrom('alert_notes')
    .selectAll()
    .where(
      'alert_id',
      'in',
      inPeriod.map((a) => a.alert_id),
    )
    .orderBy('at')
    .execute();
  const claims = await claimsOf(pushDb(db), inPeriod);
  return {
    alerts: inPeriod
      .sort((a, b) => Date.parse(a.first_at) - Date.parse(b.first_at))
      .map((a) => ({
        ...a,
        notes: notes.filter((n) => n.gateway === a.gateway && n.alert_id === a.alert_id),
        claims: claims.get(`${a.gateway}/${a.alert_id}`) ?? [],
      })),
    cut: rows.length > MAX_REPORT_ALERTS,
  };
}
