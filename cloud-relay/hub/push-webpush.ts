// The Web Push channel (RFC 8030, with RFC 8291 encryption and RFC 8292 VAPID, both by web-push's
// generateRequestDetails): the notice the phone's service worker shows, encrypted to the phone's
// keys and POSTed to its push service with the hub's VAPID signature. A home alert's notice
// carries one action token for "Acknowledge" and one for "I'm on my way" (push-tokens.ts), made
// when it is sent, so they expire an hour after the phone could first see them. The push service
// answering 404 or 410 means the phone unsubscribed: the subscription is gone for good.
import type { Kysely } from 'kysely';
import { safeText } from '../../core/json.ts';
import { type PushKeys, webPush } from './push-keys.ts';
import type { PushPayload } from './push-plan.ts';
import type { PushTransport } from './push-sender.ts';
import type { PushDb } from './push-tables.ts';
import { signAction, TOKEN_TTL_MS } from './push-tokens.ts';

/** What the service worker receives (console/service-worker.ts shows it). */
export type Notice = {
  title: string;
  body: string;
  link: string;
  /** One notification per alert on the phone: a later state replaces the earlier one. */
  tag: string;
  urgent: boolean;
  /** A home alert's action tokens, each good once, for the person it was sent to. */
  actions?: { ack: string; claim: string };
};

/** Push services take about 4 KB; the sentence and title are cut well inside that. */
export function noticeFor(staff: string, p: PushPayload, actionKey: Buffer, now: number): Notice {
  const tag =
    p.about.kind === 'alert' ? `alert/${p.about.gateway}/${p.about.alert_id}` : `hub/${p.about.key}`;
  const notice: Notice = {
    title: safeText(p.title, 120),
    body: safeText(p.body, 600),
    link: p.link,
    tag: safeText(tag, 300),
    urgent: p.urgent,
  };
  if (p.about.kind !== 'alert' || p.info) return notice;
  const a = { staff, gateway: p.about.gateway, alertId: p.about.alert_id };
  notice.actions = {
    ack: signAction(actionKey, { ...a, action: 'ack' }, now),
    claim: signAction(actionKey, { ...a, action: 'claim' }, now),
  };
  return notice;
}

export type WebPushDeps = {
  db: Kysely<PushDb>;
  keys: PushKeys;
  /** Whom the push service may contact about this sender (VAPID `sub`): an https: or mailto: URL. */
  subject: string;
  now: () => number;
  fetch?: typeof fetch;
};

const TIMEOUT_MS = 10_000;

export function webPushTransport(d: WebPushDeps): PushTransport {
  return async (row, p) => {
    const sub = await d.db
      .selectFrom('push_subscriptions')
      .selectAll()
      .where('id', '=', p.subscription ?? '')
      .where('staff', '=', row.recipient)
      .executeTakeFirst();
    if (!sub) return { ok: false, error: 'the phone was unsubscribed', gone: true };
    const notice = noticeFor(row.recipient, p, d.keys.actionKey, d.now());
    const req = webPush().generateRequestDetails(
      { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
      JSON.stringify(notice),
      {
        vapidDetails: { subject: d.subject, ...d.keys.vapid },
        TTL: TOKEN_TTL_MS / 1000,
        urgency: p.urgent ? 'high' : 'normal',
      },
    );
    // fetch sets the length itself from the body.
    const headers = Object.fromEntries(
      Object.entries(req.headers)
        .filter(([k]) => k.toLowerCase() !== 'content-length')
        .map(([k, v]) => [k, String(v)]),
    );
    const res = await (d.fetch ?? fetch)(req.endpoint, {
      method: 'POST',
      headers,
      body: req.body ?? undefined,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { ok: true };
    if (res.status === 404 || res.status === 410)
      return {
        ok: false,
        error: `HTTP ${res.status}: the push service no longer knows this phone`,
        gone: true,
      };
    return { ok: false, error: `HTTP ${res.status}` };
  };
}

/** Forgets a subscription the push service said is gone (the sender's `forget`). */
export async function forgetSubscription(db: Kysely<PushDb>, p: PushPayload): Promise<void> {
  if (p.subscription) await db.deleteFrom('push_subscriptions').where('id', '=', p.subscription).execute();
}
