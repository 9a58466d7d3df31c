// What the call-handling pages read: the open queue without the calls closed at the console, a
// hub alert with its claims, notes and closure, and the settings the hub file gave.
import { type ConsoleSettings, DEFAULT_OUTCOMES } from '../../../config/calls-schema.ts';
import { type CallRef, HUB_GATEWAY, hubRef } from '../call-tables.ts';
import { closuresOf } from '../calls.ts';
import { claimsOf } from '../claims.ts';
import { pushDb } from '../push-tables.ts';
import type { Staff } from './access.ts';
import type { Console } from './context.ts';
import { notesOf, type OpenAlert, type OpenHubAlert, openAlerts, openHubAlerts } from './data.ts';
import { ANSWER_TARGETS_MS, orderQueue, type QueueItem } from './pages/queue.ts';

export const DEFAULT_CALLS: ConsoleSettings = {
  outcomes: DEFAULT_OUTCOMES.map((o) => ({ ...o })),
  answer_targets: [ANSWER_TARGETS_MS[0] ?? 60_000, ANSWER_TARGETS_MS[1] ?? 180_000],
  shifts: ['08:00', '20:00'],
};

export const callSettings = (c: Console): ConsoleSettings => c.d.calls ?? DEFAULT_CALLS;

/**
 * The open alerts this member of staff may see, the hub's own too, and the closures of all of
 * them, by `gateway/alert_id`: read once for a page that draws the queue (or its untaken strip)
 * and more of the same alerts, as the homes page does.
 */
export type OpenCalls = { alerts: OpenAlert[]; hub: OpenHubAlert[]; closed: Closures };
type Closures = Awaited<ReturnType<typeof closuresOf>>;

export async function openCalls(c: Console, staff: Staff): Promise<OpenCalls> {
  const [alerts, hub] = await Promise.all([openAlerts(c.db, staff), openHubAlerts(c.db, staff)]);
  const refs: CallRef[] = [
    ...alerts.map((a) => ({ gateway: a.gateway, alertId: a.alert_id })),
    ...hub.map((h) => hubRef(h.key)),
  ];
  return { alerts, hub, closed: await closuresOf(c.d.store, refs) };
}

/** The queue, in order, without the alerts closed with an outcome (their home may still say acknowledged). Pure. */
export const queueOf = ({ alerts, hub, closed }: OpenCalls): QueueItem[] =>
  orderQueue(
    alerts.filter((a) => !closed.has(`${a.gateway}/${a.alert_id}`)),
    hub.filter((h) => !closed.has(`${HUB_GATEWAY}/${h.key}`)),
  );

/** The open queue, in order, without the alerts closed with an outcome. */
export async function openQueue(c: Console, staff: Staff): Promise<QueueItem[]> {
  return queueOf(await openCalls(c, staff));
}

/** One hub alert with the resident of its home, its claims, notes and closure; undefined if none. */
export async function hubAlertOne(c: Console, key: string) {
  const alert = await c.db
    .selectFrom('hub_alerts')
    .leftJoin('homes', 'homes.gateway', 'hub_alerts.gateway')
    .selectAll('hub_alerts')
    .select('homes.resident')
    .where('hub_alerts.key', '=', key)
    .executeTakeFirst();
  if (!alert) return undefined;
  const ref = hubRef(key);
  const [claims, notes, closures] = await Promise.all([
    claimsOf(pushDb(c.db), [{ gateway: ref.gateway, alert_id: ref.alertId }]),
    notesOf(c.db, ref.gateway, ref.alertId),
    closuresOf(c.d.store, [ref]),
  ]);
  return {
    alert,
    claims: claims.get(`${ref.gateway}/${ref.alertId}`) ?? [],
    notes,
    closure: closures.get(`${ref.gateway}/${ref.alertId}`),
  };
}

/**
 * Of these hub alerts (not cleared yet), those closed with an outcome at the console, from their
 * closures (openCalls): by key, who closed it and the outcome's label. The homes page shows them
 * handled, as the queue leaves them out.
 */
export function closedHubAlerts(
  c: Console,
  open: readonly { key: string }[],
  closures: Closures,
): Map<string, { staff: string; outcome: string }> {
  const outcomes = callSettings(c).outcomes;
  const out = new Map<string, { staff: string; outcome: string }>();
  for (const h of open) {
    const k = closures.get(`${HUB_GATEWAY}/${h.key}`);
    if (k)
      out.set(h.key, {
        staff: k.staff,
        outcome: outcomes.find((o) => o.code === k.outcome)?.label ?? k.outcome,
      });
  }
  return out;
}
