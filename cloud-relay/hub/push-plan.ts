// What a stored alert state or a raised hub alert pushes, and to whom: urgent alerts to the
// carers assigned to the resident, the hub's own alerts (a silent gateway, an alert a home cannot
// deliver, failing storage, a push that failed) to the monitoring team. One draft per person and
// channel: an ntfy-compatible POST to their own topic URL, and a Web Push message to each phone
// they subscribed. Pure; push-outbox.ts writes the drafts
// in the transaction that stored their cause, push-sender.ts sends them.
import { z } from 'zod';
import type { PushChannel } from './push-tables.ts';

export type AlertFacts = {
  gateway: string;
  alert_id: string;
  rule: string;
  state: string;
  severity: string;
  reason: string;
  resident: string;
  room: string | null;
};

export type HubAlertFacts = { key: string; gateway: string; kind: string; severity: string; reason: string };

/** Someone who may be told, and where: their ntfy topic if they gave one, their phones' subscriptions. */
export type Recipient = { name: string; ntfy: string | null; subscriptions: string[] };

const about = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('alert'),
    gateway: z.string().max(200),
    alert_id: z.string().max(200),
    resident: z.string().max(200),
    state: z.string().max(40),
  }),
  z.strictObject({
    kind: z.literal('hub'),
    gateway: z.string().max(200),
    key: z.string().max(500),
    hub_kind: z.string().max(100),
  }),
]);

/** A row's payload: what it is about, what the phone shows, and where it goes. */
export const pushPayload = z.strictObject({
  about,
  title: z.string().max(300),
  body: z.string().max(2000),
  /** The console's page for it. */
  link: z.string().max(2000),
  urgent: z.boolean(),
  /** The ntfy topic URL (channel ntfy). */
  url: z.string().max(2000).optional(),
  /** The phone's subscription id (channel webpush). */
  subscription: z.string().max(100).optional(),
  /** News about an alert (someone is on the way), not a call to act: no buttons. */
  info: z.boolean().optional(),
});
export type PushPayload = z.infer<typeof pushPayload>;
export type PushDraft = { recipient: string; channel: PushChannel; payload: PushPayload };

const PUSHED_STATES = new Set(['raised', 'escalated']);

/**
 * The hub's own alerts the monitoring team's phones are told of. A new kind is pushed by adding
 * it here (a daily test that did not complete, for one).
 */
export const PUSHED_HUB_KINDS: ReadonlySet<string> = new Set([
  'gateway_silent',
  'alert_undelivered',
  'storage_failing',
  'push_failed',
  'test_missing',
]);

/** Whether an alert in this state and severity makes phones ring. */
export const pushesAlert = (a: { state: string; severity: string }): boolean =>
  PUSHED_STATES.has(a.state) && a.severity === 'urgent';

const trimSlash = (base: string) => base.replace(/\/$/, '');

export const alertLink = (base: string, gateway: string, alertId: string): string =>
  `${trimSlash(base)}/alerts/${encodeURIComponent(gateway)}/${encodeURIComponent(alertId)}`;

/** One draft for each channel the person has. */
function toEach(to: Recipient[], p: PushPayload): PushDraft[] {
  return to.flatMap((r) => [
    ...(r.ntfy ? [{ recipient: r.name, channel: 'ntfy' as const, payload: { ...p, url: r.ntfy } }] : []),
    ...r.subscriptions.map((subscription) => ({
      recipient: r.name,
      channel: 'webpush' as const,
      payload: { ...p, subscription },
    })),
  ]);
}

/** The pushes one alert state causes, to the carers given; `note` follows the sentence. */
export function pushesFor(a: AlertFacts, to: Recipient[], base: string, note?: string): PushDraft[] {
  if (!pushesAlert(a)) return [];
  const what = a.rule.replace(/_/g, ' ');
  return toEach(to, {
    about: { kind: 'alert', gateway: a.gateway, alert_id: a.alert_id, resident: a.resident, state: a.state },
    title: `Hearth ${a.resident}: ${a.state === 'escalated' ? 'escalated ' : ''}${what}${a.room ? ` (${a.room})` : ''}`,
    body: note ? `${a.reason} ${note}` : a.reason,
    link: alertLink(base, a.gateway, a.alert_id),
    urgent: true,
  });
}

/** Those told of an alert hear that someone is on the way: the same notification, replaced. */
export function claimNoticesFor(
  a: AlertFacts,
  claimer: string,
  to: Recipient[],
  base: string,
  /** "I'm handling this" says so: the others need to know nobody is on the way yet. */
  kind: 'way' | 'handling' = 'way',
): PushDraft[] {
  return toEach(
    to.filter((r) => r.name !== claimer),
    {
      about: {
        kind: 'alert',
        gateway: a.gateway,
        alert_id: a.alert_id,
        resident: a.resident,
        state: a.state,
      },
      title: `Hearth ${a.resident}: ${claimer} ${kind === 'handling' ? 'is handling this' : 'is on the way'}`,
      body: a.reason,
      link: alertLink(base, a.gateway, a.alert_id),
      urgent: false,
      info: true,
    },
  );
}

/** The pushes a raised hub alert causes, to the monitoring team given. */
export function hubPushesFor(h: HubAlertFacts, to: Recipient[], base: string): PushDraft[] {
  if (!PUSHED_HUB_KINDS.has(h.kind)) return [];
  return toEach(to, {
    about: { kind: 'hub', gateway: h.gateway, key: h.key, hub_kind: h.kind },
    title: `Hearth hub: ${h.kind.replace(/_/g, ' ')} (${h.gateway})`,
    body: h.reason,
    link: `${trimSlash(base)}/`,
    urgent: h.severity === 'urgent',
  });
}

/** The ntfy request for a payload: the body is the sentence; headers carry title, priority, link. */
export function ntfyRequest(p: PushPayload): { url: string; headers: Record<string, string>; body: string } {
  return {
    url: p.url ?? '',
    headers: { Title: p.title, Priority: p.urgent ? '5' : '4', Tags: 'warning', Click: p.link },
    body: p.body,
  };
}
