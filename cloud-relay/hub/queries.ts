// What the care console, the ack command and supervision read from the store.
import type { Kysely, Selectable } from 'kysely';
import { ackPending, closed } from './alert-order.ts';
import type { AlertsTable, HomesTable, HubAlertsTable, HubDb } from './tables.ts';

export type AlertView = Selectable<AlertsTable> & { ack_pending: boolean };

export async function listAlerts(db: Kysely<HubDb>, opts: { open?: boolean } = {}): Promise<AlertView[]> {
  // The hub's clock orders them: a home's may be years out after a power cut.
  const rows = await db.selectFrom('alerts').selectAll().orderBy('state_received_at', 'desc').execute();
  return rows
    .filter((a) => !opts.open || !closed(a.state))
    .map((a) => ({ ...a, ack_pending: ackPending(a) }));
}

/** The alerts with this id (one, unless two homes happened to use the same id). */
export function alertsById(db: Kysely<HubDb>, alertId: string, gateway?: string) {
  let q = db.selectFrom('alerts').selectAll().where('alert_id', '=', alertId);
  if (gateway) q = q.where('gateway', '=', gateway);
  return q.execute();
}

export function alertHistory(db: Kysely<HubDb>, gateway: string, alertId: string) {
  return db
    .selectFrom('alert_history')
    .selectAll()
    .where('gateway', '=', gateway)
    .where('alert_id', '=', alertId)
    .orderBy('received_at')
    .orderBy('at_ms')
    .execute();
}

export function homes(db: Kysely<HubDb>): Promise<Selectable<HomesTable>[]> {
  return db.selectFrom('homes').selectAll().orderBy('gateway').execute();
}

export function hubAlerts(
  db: Kysely<HubDb>,
  opts: { open?: boolean } = {},
): Promise<Selectable<HubAlertsTable>[]> {
  let q = db.selectFrom('hub_alerts').selectAll().orderBy('raised_at', 'desc');
  if (opts.open) q = q.where('resolved_at', 'is', null);
  return q.execute();
}

export function summaries(db: Kysely<HubDb>, resident?: string) {
  let q = db.selectFrom('summaries').selectAll().orderBy('resident').orderBy('date');
  if (resident) q = q.where('resident', '=', resident);
  return q.execute();
}

export function nights(db: Kysely<HubDb>, resident?: string) {
  let q = db.selectFrom('nights').selectAll().orderBy('resident').orderBy('date');
  if (resident) q = q.where('resident', '=', resident);
  return q.execute();
}

/** Commands sent before `before` and still without a reply. */
export function commandsDue(db: Kysely<HubDb>, before: number) {
  return db
    .selectFrom('commands')
    .selectAll()
    .where('state', '=', 'sent')
    .where('sent_at', '<', before)
    .execute();
}

export async function counts(db: Kysely<HubDb>) {
  const one = async (table: keyof HubDb) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );
  return { messages: await one('message_ids'), alerts: await one('alerts'), rejected: await one('rejected') };
}
