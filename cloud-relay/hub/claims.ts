// "I'm on my way" and "I'm handling this": a member of staff claims an alert, so colleagues see
// someone is going to her, or someone at the console has the call. Two kinds of one action: the
// operator who answers and the responder who goes are different people doing different things,
// and a colleague needs to know which, but both say "taken" to the queue, the ladder and the
// answer-time figures. Each person's claim is recorded once (their first), beside the alert.
// And the action tokens spent from notifications, so that one used is refused if sent again.
import type { Kysely, Transaction } from 'kysely';
import { recordAnswer } from './call-answers.ts';
import { enqueueClaimNotices } from './push-causes.ts';
import { type PushDb, pushTx } from './push-tables.ts';
import type { HubStore } from './store.ts';

export const CLAIM_KINDS = ['way', 'handling'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];
export type Claim = { staff: string; at: number; kind: ClaimKind };

/** Records the claim; false if this person had claimed the alert already. */
export async function claimAlert(
  t: Transaction<PushDb> | Kysely<PushDb>,
  c: { gateway: string; alertId: string; staff: string; kind?: ClaimKind },
  now: number,
): Promise<boolean> {
  const r = await t
    .insertInto('alert_claims')
    .values({ gateway: c.gateway, alert_id: c.alertId, staff: c.staff, at: now, kind: c.kind ?? 'way' })
    .onConflict((oc) => oc.columns(['gateway', 'alert_id', 'staff']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** The claims on these alerts, by `gateway/alert_id`, earliest first. */
export async function claimsOf(
  db: Kysely<PushDb>,
  alerts: { gateway: string; alert_id: string }[],
): Promise<Map<string, Claim[]>> {
  const out = new Map<string, Claim[]>();
  if (alerts.length === 0) return out;
  const rows = await db
    .selectFrom('alert_claims')
    .selectAll()
    .where(
      'alert_id',
      'in',
      alerts.map((a) => a.alert_id),
    )
    .orderBy('at')
    .execute();
  const wanted = new Set(alerts.map((a) => `${a.gateway}/${a.alert_id}`));
  for (const r of rows) {
    const key = `${r.gateway}/${r.alert_id}`;
    if (!wanted.has(key)) continue;
    const kind: ClaimKind = r.kind === 'handling' ? 'handling' : 'way';
    out.set(key, [...(out.get(key) ?? []), { staff: r.staff, at: r.at, kind }]);
  }
  return out;
}

/**
 * Records a token's id as used; false when it was used before. Tokens past their expiry are
 * forgotten here too: they are refused by their date, so their ids need not be kept.
 */
export async function spendToken(
  t: Transaction<PushDb>,
  token: { id: string; exp: number },
  now: number,
): Promise<boolean> {
  await t.deleteFrom('push_tokens_used').where('expires_at', '<', now).execute();
  const r = await t
    .insertInto('push_tokens_used')
    .values({ id: token.id, used_at: now, expires_at: token.exp })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export type ClaimRequest = {
  gateway: string;
  alertId: string;
  staff: string;
  kind?: ClaimKind;
  /** The notification's token, spent in the same transaction. */
  token?: { id: string; exp: number };
};

/**
 * Claims the alert for `staff` and tells the others it was pushed to, in one transaction with
 * the token's spending: 'spent' when the token was used before (nothing recorded).
 */
export function claimWith(
  d: { store: HubStore; now: () => number; base: () => string },
  c: ClaimRequest,
): Promise<'claimed' | 'already' | 'spent'> {
  const now = d.now();
  return d.store.tx(async (tx) => {
    const t = pushTx(tx);
    if (c.token && !(await spendToken(t, c.token, now))) return 'spent';
    if (!(await claimAlert(t, c, now))) return 'already';
    await recordAnswer(tx, c, c.staff, c.kind ?? 'way', now);
    await enqueueClaimNotices(t, c, now, d.base());
    return 'claimed';
  });
}
