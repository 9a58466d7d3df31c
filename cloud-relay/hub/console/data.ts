// What the console's pages read, already narrowed to what the signed-in person may see.
import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import { ackPending } from '../alert-order.ts';
import { HUB_GATEWAY } from '../call-tables.ts';
import { type Claim, claimsOf } from '../claims.ts';
import type { ConsoleDb } from '../console-tables.ts';
import { pushDb } from '../push-tables.ts';
import type { AlertsTable, HomesTable, HubAlertsTable } from '../tables.ts';
import { type Staff, seesEveryone } from './access.ts';

export type OpenAlert = Selectable<AlertsTable> & {
  ack_pending: boolean;
  confirmed_by: string | null;
  /** Who said "I'm on my way", and when. */
  claims: Claim[];
};
/** `claims`: on the hub's own alerts too (call-tables.ts: HUB_GATEWAY). */
export type OpenHubAlert = Selectable<HubAlertsTable> & { resident: string | null; claims: Claim[] };
export type Home = Selectable<HomesTable>;

const CLOSED = ['resolved', 'cancelled'];
// `in ()` is not SQL: a carer with no resident yet matches '' (never an id) and so sees nothing.

/** The sentence the alert was raised with: later states (acknowledged, resolved) say something else. */
const raisedReason = (eb: ExpressionBuilder<ConsoleDb, 'alerts'>) =>
  eb
    .selectFrom('alert_history as h')
    .select('h.reason')
    .whereRef('h.gateway', '=', 'alerts.gateway')
    .whereRef('h.alert_id', '=', 'alerts.alert_id')
    .where('h.state', 'in', ['raised', 'escalated'])
    .orderBy('h.at_ms')
    .limit(1)
    .as('raised_reason');

/** An alert row with the reason it was raised with in place of its latest state's. */
const withRaisedReason = <T extends { reason: string; raised_reason: string | null }>({
  raised_reason,
  ...a
}: T) => ({ ...a, reason: raised_reason ?? a.reason });

export async function openAlerts(db: Kysely<ConsoleDb>, s: Staff): Promise<OpenAlert[]> {
  let q = db.selectFrom('alerts').selectAll('alerts').select(raisedReason).where('state', 'not in', CLOSED);
  if (!seesEveryone(s)) q = q.where('resident', 'in', [...s.residents, '']);
  const rows = await q.execute();
  const claims = await claimsOf(pushDb(db), rows);
  return rows.map(withRaisedReason).map((a) => ({
    ...a,
    ack_pending: ackPending(a),
    confirmed_by: a.ack_confirmed_at ? a.ack_by : null,
    claims: claims.get(`${a.gateway}/${a.alert_id}`) ?? [],
  }));
}

export async function openHubAlerts(db: Kysely<ConsoleDb>, s: Staff): Promise<OpenHubAlert[]> {
  let q = db
    .selectFrom('hub_alerts')
    .leftJoin('homes', 'homes.gateway', 'hub_alerts.gateway')
    .selectAll('hub_alerts')
    .select('homes.resident')
    .where('hub_alerts.resolved_at', 'is', null);
  if (!seesEveryone(s)) q = q.where('homes.resident', 'in', [...s.residents, '']);
  const rows = await q.execute();
  const claims = await claimsOf(
    pushDb(db),
    rows.map((h) => ({ gateway: HUB_GATEWAY, alert_id: h.key })),
  );
  return rows.map((h) => ({ ...h, claims: claims.get(`${HUB_GATEWAY}/${h.key}`) ?? [] }));
}

export async function visibleHomes(db: Kysely<ConsoleDb>, s: Staff): Promise<Home[]> {
  let q = db.selectFrom('homes').selectAll().orderBy('gateway');
  if (!seesEveryone(s)) q = q.where('resident', 'in', [...s.residents, '']);
  return q.execute();
}

/** The newest summary of each resident: its date and its devices' trouble. */
export async function latestSummaries(db: Kysely<ConsoleDb>, residents: string[]) {
  if (residents.length === 0) return new Map<string, { date: string; json: string }>();
  const rows = await db
    .selectFrom('summaries as s')
    .select(['s.resident', 's.date', 's.json'])
    .where('s.resident', 'in', residents)
    .where(({ eb, selectFrom }) =>
      eb(
        's.date',
        '=',
        selectFrom('summaries as t')
          .select((e) => e.fn.max('t.date').as('d'))
          .whereRef('t.resident', '=', 's.resident'),
      ),
    )
    .execute();
  return new Map(rows.map((r) => [r.resident, { date: r.date, json: r.json }]));
}

export function summariesOf(db: Kysely<ConsoleDb>, resident: string, days: number) {
  return db
    .selectFrom('summaries')
    .select(['date', 'json', 'gateway'])
    .where('resident', '=', resident)
    .orderBy('date', 'desc')
    .limit(days)
    .execute();
}

/** The nights homes sent the mornings they ended, newest first. */
export function nightsOf(db: Kysely<ConsoleDb>, resident: string, days: number) {
  return db
    .selectFrom('nights')
    .select(['date', 'json'])
    .where('resident', '=', resident)
    .orderBy('date', 'desc')
    .limit(days)
    .execute();
}

export function fhirOf(db: Kysely<ConsoleDb>, resident: string, date: string) {
  return db
    .selectFrom('summaries')
    .select('fhir')
    .where('resident', '=', resident)
    .where('date', '=', date)
    .executeTakeFirst();
}

export async function alertsOf(db: Kysely<ConsoleDb>, resident: string, limit = 50) {
  const rows = await db
    .selectFrom('alerts')
    .selectAll('alerts')
    .select(raisedReason)
    .where('resident', '=', resident)
    .orderBy('state_at_ms', 'desc')
    .limit(limit)
    .execute();
  return rows.map(withRaisedReason);
}

/** Who is on their way to this alert, earliest first. */
export async function claimsOn(db: Kysely<ConsoleDb>, gateway: string, alertId: string): Promise<Claim[]> {
  return (await claimsOf(pushDb(db), [{ gateway, alert_id: alertId }])).get(`${gateway}/${alertId}`) ?? [];
}

export function alertOne(db: Kysely<ConsoleDb>, gateway: string, alertId: string) {
  return db
    .selectFrom('alerts')
    .selectAll()
    .where('gateway', '=', gateway)
    .where('alert_id', '=', alertId)
    .executeTakeFirst();
}

export function notesOf(db: Kysely<ConsoleDb>, gateway: string, alertId: string) {
  return db
    .selectFrom('alert_notes')
    .selectAll()
    .where('gateway', '=', gateway)
    .where('alert_id', '=', alertId)
    .orderBy('at')
    .execute();
}

/** Resolved, cancelled and closed alerts, newest first, matching `q` in reason, rule, home or resident. */
export async function history(db: Kysely<ConsoleDb>, s: Staff, q: string, limit = 100) {
  let query = db
    .selectFrom('alerts')
    .selectAll('alerts')
    .select(raisedReason)
    // Closed at the home, or closed with an outcome at the console (call-tables.ts).
    .where((eb) =>
      eb.or([
        eb('state', 'in', CLOSED),
        sql<boolean>`exists (select 1 from alert_closures c where c.gateway = alerts.gateway and c.alert_id = alerts.alert_id)`,
      ]),
    )
    .orderBy('state_at_ms', 'desc')
    .limit(limit);
  if (!seesEveryone(s)) query = query.where('resident', 'in', [...s.residents, '']);
  if (q) {
    const like = `%${q}%`;
    query = query.where((eb) =>
      eb.or([
        eb('reason', 'like', like),
        eb('rule', 'like', like),
        eb('gateway', 'like', like),
        eb('resident', 'like', like),
        eb('alert_id', 'like', like),
      ]),
    );
  }
  return (await query.execute()).map(withRaisedReason);
}
