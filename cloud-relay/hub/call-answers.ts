// An alert's first answer: the acknowledgement or claim the answer-time figures count. Kept once,
// whoever answers after; written in the transaction of the answer itself.
import type { Kysely, Transaction } from 'kysely';
import { TEST_CALL_RULE } from '../protocol/messages.ts';
import type { AnswerRow } from './call-figures.ts';
import { type CallRef, callDb, callTx, HUB_GATEWAY } from './call-tables.ts';
import type { HubDb } from './tables.ts';

export type AnswerHow = 'ack' | 'handling' | 'way' | 'close';

/** True when this was the alert's first answer. */
export async function recordAnswer(
  t: Transaction<HubDb> | Kysely<HubDb>,
  ref: CallRef,
  staff: string,
  how: AnswerHow,
  now: number,
): Promise<boolean> {
  const db = t.isTransaction ? callTx(t as Transaction<HubDb>) : callDb(t);
  const r = await db
    .insertInto('alert_answers')
    .values({ gateway: ref.gateway, alert_id: ref.alertId, staff, how, at: now })
    .onConflict((oc) => oc.columns(['gateway', 'alert_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/**
 * The alerts the hub had from `from` to `to` with their first answers: homes' alerts (not the
 * daily test calls, which are nobody's call for help) and the hub's own.
 */
export async function answerRows(db: Kysely<HubDb>, from: number, to: number): Promise<AnswerRow[]> {
  const c = callDb(db);
  const [homes, hub] = await Promise.all([
    c
      .selectFrom('alerts as a')
      .leftJoin('alert_answers as w', (j) =>
        j.onRef('w.gateway', '=', 'a.gateway').onRef('w.alert_id', '=', 'a.alert_id'),
      )
      .select(['a.first_received_at', 'a.state', 'a.state_received_at', 'w.at', 'w.staff'])
      .where('a.rule', '<>', TEST_CALL_RULE)
      .where('a.first_received_at', '>=', from)
      .where('a.first_received_at', '<', to)
      .execute(),
    c
      .selectFrom('hub_alerts as h')
      .leftJoin('alert_answers as w', (j) =>
        j.on('w.gateway', '=', HUB_GATEWAY).onRef('w.alert_id', '=', 'h.key'),
      )
      .select(['h.raised_at', 'h.resolved_at', 'w.at', 'w.staff'])
      .where('h.raised_at', '>=', from)
      .where('h.raised_at', '<', to)
      .execute(),
  ]);
  return [
    ...homes.map((r) => ({
      raised: Number(r.first_received_at),
      answered: r.at === null ? null : Number(r.at),
      staff: r.staff,
      ended: r.state === 'resolved' || r.state === 'cancelled' ? Number(r.state_received_at) : null,
      atHome: true,
    })),
    ...hub.map((r) => ({
      raised: Number(r.raised_at),
      answered: r.at === null ? null : Number(r.at),
      staff: r.staff,
      ended: r.resolved_at === null ? null : Number(r.resolved_at),
    })),
  ];
}
