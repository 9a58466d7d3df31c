// A notification's action answered: the token the push carried is checked (the hub's signature,
// its date), then the person it names (still an account, still allowed to act on this resident),
// then spent, once. "Acknowledge" then goes the way the console's button goes (the hub's ack: a
// command to the home, pending until the home confirms); "I'm on my way" claims the alert. Every
// answer, refused or done, is in the audit log.
import { audit } from '../audit.ts';
import { type ClaimRequest, claimWith, spendToken } from '../claims.ts';
import type { PushKeys } from '../push-keys.ts';
import { pushTx } from '../push-tables.ts';
import { type ActionClaim, verifyAction } from '../push-tokens.ts';
import { mayAck } from './access.ts';
import { loadStaff } from './accounts.ts';
import type { Console } from './context.ts';
import { alertOne } from './data.ts';

export type ActionAnswer = { status: number; body: { done: string } | { error: string } };

/** Claims the alert (claims.ts) and lets the sender know there is news to push. */
export async function claimFor(c: Console, base: string, r: ClaimRequest) {
  const got = await claimWith({ store: c.d.store, now: c.d.now, base: () => c.d.pushBase?.() ?? base }, r);
  if (got === 'claimed') c.d.pushQueued?.();
  return got;
}

/** `base`: the console's address as this request reached it, when the hub gives none. */
export async function answerAction(
  c: Console,
  keys: PushKeys,
  token: string,
  base: string,
  /** A token the hub did not sign spends the sender's budget first: true, none is left. */
  slowed?: () => Promise<boolean>,
): Promise<ActionAnswer> {
  const now = c.d.now();
  const v = verifyAction(keys.actionKey, token, now);
  // Not audited: a flood of forged tokens must not become a flood of audit rows.
  if (!v.ok && (await slowed?.()))
    return { status: 429, body: { error: 'too many refused answers from this address; try again later' } };
  const refuse = async (status: number, error: string, claim?: ActionClaim, resident?: string) => {
    await audit(
      c.db,
      {
        staff: claim?.staff ?? '-',
        action: claim ? `push-${claim.action}` : 'push-action',
        resident: resident ?? null,
        target: claim ? `${claim.gateway}/${claim.alert_id}` : null,
        outcome: 'refused',
        detail: error,
      },
      now,
    );
    return { status, body: { error } };
  };
  if (!v.ok) return refuse(403, v.reason);
  const k = v.claim;
  const staff = await loadStaff(c.db, k.staff);
  if (!staff) return refuse(403, 'the account is disabled', k);
  const alert = await alertOne(c.db, k.gateway, k.alert_id);
  if (!alert) return refuse(404, `no alert ${k.alert_id} from ${k.gateway}`, k);
  if (!mayAck(staff, alert.resident))
    return refuse(403, 'this resident is not assigned to you', k, alert.resident);
  const target = `${k.gateway}/${k.alert_id}`;
  const fresh =
    k.action === 'claim'
      ? (await claimFor(c, base, {
          gateway: k.gateway,
          alertId: k.alert_id,
          staff: staff.name,
          token: k,
        })) !== 'spent'
      : await c.d.store.tx((t) => spendToken(pushTx(t), k, now));
  if (!fresh) return refuse(409, 'this button was used already', k, alert.resident);
  if (k.action === 'claim') {
    await audit(
      c.db,
      {
        staff: staff.name,
        action: 'claim',
        resident: alert.resident,
        target,
        outcome: 'ok',
        detail: 'from a notification',
      },
      now,
    );
    c.d.live.notify('ack');
    return { status: 200, body: { done: `On your way to ${alert.resident}: your colleagues can see it.` } };
  }
  const r = await c.d.ack({ alertId: k.alert_id, gateway: k.gateway, by: staff.name });
  await audit(
    c.db,
    {
      staff: staff.name,
      action: 'ack',
      resident: alert.resident,
      target,
      outcome: r.ok ? 'ok' : 'failed',
      detail: r.ok ? `${r.commandId} from a notification` : r.reason,
    },
    now,
  );
  if (!r.ok) return { status: r.status, body: { error: r.reason } };
  c.d.live.notify('ack');
  return { status: 200, body: { done: `Acknowledged: sent to ${alert.resident}'s home.` } };
}
