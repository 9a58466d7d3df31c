// Closing a call: the operator picks an outcome (the hub file's console.outcomes) and may add a
// note; the alert leaves the open queue. A home whose alert is still open there is told with a
// `close` command (who, and the outcome's words), which it keeps on the alert and confirms. One
// nobody had acknowledged yet is also sent an `ack` first, with the outcome in its `by` sentence:
// a home older than the close command refuses that by name, and still stops escalating. The hub's
// own alerts have no home to tell: their answer and outcome are kept at the hub.
import type { ConsoleSettings } from '../../config/calls-schema.ts';
import { topics } from '../protocol/messages.ts';
import { ackCommand, closeCommand, recordAck } from './ack.ts';
import { ackPending } from './alert-order.ts';
import { recordAnswer } from './call-answers.ts';
import { type CallRef, callDb, callTx, hubRef, isHubRef } from './call-tables.ts';
import type { HubStore } from './store.ts';
import { sentCommand } from './tables.ts';

export type Outcome = ConsoleSettings['outcomes'][number];
export type CallDeps = {
  store: HubStore;
  now: () => number;
  publish: (topic: string, payload: string) => Promise<void>;
  outcomes: readonly Outcome[];
};
export type CloseRequest = { ref: CallRef; outcome: string; note?: string; by: string };
export type CloseResult =
  | { ok: true; commandId: string | null }
  | { ok: false; status: 400 | 404 | 409; reason: string };

export const MAX_NOTE = 2000;
/** The states a home acknowledges (the gateway's ACKABLE): a pre-alert or a closed one it would refuse. */
const ACKABLE: ReadonlySet<string> = new Set(['raised', 'escalated']);
/** The states in which the home still holds the alert open, and so is told of the close. */
const OPEN_AT_HOME: ReadonlySet<string> = new Set([...ACKABLE, 'acknowledged']);
/** The protocol's bound on `by`. */
const MAX_BY = 128;

/** The outcome named by `code`, or why not, listing the valid ones. Pure. */
export function outcomeOf(outcomes: readonly Outcome[], code: string): Outcome | string {
  const o = outcomes.find((x) => x.code === code);
  return o ?? `outcome "${code.slice(0, 64)}" is not one of: ${outcomes.map((x) => x.code).join(', ')}`;
}

/** What the home is told of a call closed unacknowledged, within the protocol's 128 characters. Pure. */
export const closedBy = (by: string, label: string): string => `${by} (closed: ${label})`.slice(0, MAX_BY);

/** The alert a ref names, as far as closing needs it; undefined if there is none. */
async function target(store: HubStore, ref: CallRef) {
  if (isHubRef(ref)) {
    const h = await store.db
      .selectFrom('hub_alerts')
      .select('key')
      .where('key', '=', ref.alertId)
      .executeTakeFirst();
    return h ? { hub: true as const } : undefined;
  }
  const a = await store.db
    .selectFrom('alerts')
    .selectAll()
    .where('gateway', '=', ref.gateway)
    .where('alert_id', '=', ref.alertId)
    .executeTakeFirst();
  return a ? { hub: false as const, alert: a } : undefined;
}

/** Closes the call once; a second close is refused naming the first. */
export async function closeCall(d: CallDeps, req: CloseRequest): Promise<CloseResult> {
  const o = outcomeOf(d.outcomes, req.outcome);
  if (typeof o === 'string') return { ok: false, status: 400, reason: o };
  const found = await target(d.store, req.ref);
  if (!found) return { ok: false, status: 404, reason: `no alert ${req.ref.alertId}` };
  const note = (req.note ?? '').trim().slice(0, MAX_NOTE) || null;
  const a = found.hub ? null : found.alert;
  // Told the home only when it has not been told of an acknowledgement already.
  const tell = a && ACKABLE.has(a.state) && !ackPending(a);
  const cmd = tell ? ackCommand(req.ref.alertId, closedBy(req.by, o.label)) : null;
  if (cmd && !cmd.ok) return cmd;
  const close = a && OPEN_AT_HOME.has(a.state) ? closeCommand(req.ref.alertId, req.by, o.label) : null;
  if (close && !close.ok) return close;
  const now = d.now();
  const r = await d.store.tx(async (tx) => {
    const t = callTx(tx);
    const ins = await t
      .insertInto('alert_closures')
      .values({
        gateway: req.ref.gateway,
        alert_id: req.ref.alertId,
        outcome: o.code,
        note,
        staff: req.by,
        at: now,
      })
      .onConflict((oc) => oc.columns(['gateway', 'alert_id']).doNothing())
      .executeTakeFirst();
    if (Number(ins.numInsertedOrUpdatedRows ?? 0n) === 0) {
      const was = await t
        .selectFrom('alert_closures')
        .selectAll()
        .where('gateway', '=', req.ref.gateway)
        .where('alert_id', '=', req.ref.alertId)
        .executeTakeFirst();
      return {
        ok: false as const,
        status: 409 as const,
        reason: `closed already by ${was?.staff} (${was?.outcome})`,
      };
    }
    await recordAnswer(tx, req.ref, req.by, 'close', now);
    if (found.hub)
      await t
        .updateTable('hub_alerts')
        .set({ ack_by: req.by, ack_at: now })
        .where('key', '=', req.ref.alertId)
        .where('ack_at', 'is', null)
        .execute();
    if (cmd?.ok) await recordAck(tx, { ...req.ref, by: closedBy(req.by, o.label) }, cmd, now);
    if (close?.ok)
      await t
        .insertInto('commands')
        .values(
          sentCommand({
            id: close.id,
            gateway: req.ref.gateway,
            name: 'close',
            payload: close.payload,
            alertId: req.ref.alertId,
            by: req.by,
            at: now,
          }),
        )
        .execute();
    return { ok: true as const, commandId: close?.ok ? close.id : null };
  });
  // Committed first: if a publish fails its command stays `sent` and is flagged after the timeout.
  // The ack goes first, so a home that refuses the close has stopped escalating all the same.
  if (r.ok && cmd?.ok) await d.publish(topics.command(req.ref.gateway, 'ack'), cmd.payload);
  if (r.ok && close?.ok) await d.publish(topics.command(req.ref.gateway, 'close'), close.payload);
  return r;
}

/** Acknowledges one of the hub's own alerts (nobody to tell); 'already' if someone had. */
export async function ackHubAlert(
  store: HubStore,
  key: string,
  by: string,
  now: number,
): Promise<'acked' | 'already' | 'none'> {
  return store.tx(async (tx) => {
    const r = await tx
      .updateTable('hub_alerts')
      .set({ ack_by: by, ack_at: now })
      .where('key', '=', key)
      .where('ack_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) {
      const h = await tx.selectFrom('hub_alerts').select('key').where('key', '=', key).executeTakeFirst();
      return h ? 'already' : 'none';
    }
    await recordAnswer(tx, hubRef(key), by, 'ack', now);
    return 'acked';
  });
}

/** The closures of these alerts, by `gateway/alert_id`. */
export async function closuresOf(store: HubStore, refs: CallRef[]) {
  const out = new Map<string, { outcome: string; note: string | null; staff: string; at: number }>();
  if (refs.length === 0) return out;
  const rows = await callDb(store.db)
    .selectFrom('alert_closures')
    .selectAll()
    .where(
      'alert_id',
      'in',
      refs.map((r) => r.alertId),
    )
    .execute();
  const wanted = new Set(refs.map((r) => `${r.gateway}/${r.alertId}`));
  for (const r of rows)
    if (wanted.has(`${r.gateway}/${r.alert_id}`)) out.set(`${r.gateway}/${r.alert_id}`, r);
  return out;
}

/** What became of the close command a call's home was sent, if any: sent, confirmed or refused. */
export async function closeToldOf(store: HubStore, ref: CallRef): Promise<CloseTold | undefined> {
  if (isHubRef(ref)) return undefined;
  return store.db
    .selectFrom('commands')
    .select(['state', 'detail', 'result_at'])
    .where('gateway', '=', ref.gateway)
    .where('alert_id', '=', ref.alertId)
    .where('name', '=', 'close')
    .orderBy('sent_at', 'desc')
    .executeTakeFirst();
}
export type CloseTold = { state: string; detail: string | null; result_at: number | null };
