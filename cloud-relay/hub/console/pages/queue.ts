// The alert queue: open alerts by severity, then the longest waiting first, each with its
// sentence, home, room, when raised, escalation and acknowledgement state; the hub's own
// supervision alerts (a silent gateway) beside them.

import type { RecordLine } from '../../records.ts';
import { mayAck } from '../access.ts';
import type { OpenAlert, OpenHubAlert } from '../data.ts';
import { clock, SEVERITY_RANK, span } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageCtx } from '../layout.ts';
import { claimForm, claimsLine } from './claims.ts';
import { hubAckForm, hubAckLine, hubAlertHref, hubClaimButtons } from './hub-alert.ts';
import { recordCardLine } from './record.ts';

export type QueueItem =
  | { kind: 'home'; a: OpenAlert; since: number }
  | { kind: 'hub'; a: OpenHubAlert; since: number };

/** Someone has it: acknowledged, its acknowledgement on the way to the home, or someone on their way to her. */
export const answered = (i: QueueItem): boolean =>
  i.kind === 'home'
    ? i.a.state === 'acknowledged' || i.a.ack_pending || i.a.claims.length > 0
    : Boolean(i.a.ack_at) || (i.a.claims ?? []).length > 0;

/**
 * What needs someone first: the unanswered, by severity, then whoever has waited longest; the
 * answered below them in the same order, so that a handled alert never sits above one nobody
 * has taken. Pure.
 */
export function orderQueue(alerts: OpenAlert[], hub: OpenHubAlert[]): QueueItem[] {
  const items: QueueItem[] = [
    // The hub's clock: a home's may say 1970 (no real-time clock) or 2999.
    ...alerts.map((a) => ({ kind: 'home' as const, a, since: receivedAt(a) })),
    ...hub.map((a) => ({ kind: 'hub' as const, a, since: a.raised_at })),
  ];
  return items.sort(
    (x, y) =>
      Number(answered(x)) - Number(answered(y)) ||
      (SEVERITY_RANK[y.a.severity] ?? 0) - (SEVERITY_RANK[x.a.severity] ?? 0) ||
      x.since - y.since,
  );
}

const sevBadge = (sev: string) => html`<span class="badge ${sev}">${sev}</span>`;

/**
 * The answer-time targets an alarm-receiving centre is held to (TSA: 97.5% of calls answered in
 * 60 s, 99% in 180 s): past each, a card nobody has taken says so. The hub file's
 * console.answer_targets sets them; these are its defaults.
 */
export const ANSWER_TARGETS_MS: readonly number[] = [60_000, 180_000];

/** How late an untaken alert is: 0 within the first target, 1 past it, 2 past the second. Pure. */
export const lateness = (waitedMs: number, targets: readonly number[] = ANSWER_TARGETS_MS): number =>
  targets.filter((t) => waitedMs >= t).length;

/** What the queue draws beyond its alerts: the targets, and whether focus goes to the first untaken card. */
export type QueueView = {
  targets?: readonly number[];
  focusNext?: boolean;
  /** Each resident's record line for the cards (record-routes.ts queueRecords). */
  records?: ReadonlyMap<string, RecordLine> | undefined;
};

/** Where a form on the queue sends the page back to: focus on the next alert nobody has taken. */
const BACK = '/?focus=next';

/** A card the page can move focus to, and the targets its waiting time is judged by (console.js). */
const cardAttrs = (id: string, targets: readonly number[], focus: boolean) =>
  html`id="${id}" tabindex="-1" data-late-at="${targets.join(' ')}"${focus ? html` data-focus` : ''}`;

/** How long it has waited, counted on in the page (console.js) from the age it had when drawn. */
const waiting = (ms: number) =>
  html`<li>Waiting <strong data-age-ms="${Math.max(0, ms)}">${span(ms)}</strong></li>`;

function ackState(ctx: PageCtx, a: OpenAlert, tz: string, back: string): Html {
  if (a.state === 'acknowledged')
    return html`<p class="acked" data-ack="done">Acknowledged${a.ack_by ? html` by ${a.ack_by}` : ''}${
      a.ack_confirmed_at ? html`; the home confirmed at ${clock(a.ack_confirmed_at, tz)}` : ''
    }.</p>`;
  if (a.ack_pending && a.ack_requested_at)
    return html`<p class="pending" data-ack="pending">Acknowledgement by ${a.ack_by} sent at ${clock(a.ack_requested_at, tz)}; pending until the home confirms.</p>`;
  if (!mayAck(ctx.staff, a.resident)) return html``;
  return html`<form class="inline" method="post" action="/alerts/${encodeURIComponent(a.gateway)}/${encodeURIComponent(a.alert_id)}/ack">
${csrfField(ctx)}<input type="hidden" name="back" value="${back}">
<button type="submit" id="ack-${a.gateway}-${a.alert_id}">Acknowledge<span class="visually-hidden"> ${a.rule.replace(/_/g, ' ')} at ${a.gateway}</span></button></form>`;
}

/** When the hub first heard of the alert (rows from before that was kept: the home's time). */
const receivedAt = (a: OpenAlert) => a.first_received_at ?? Date.parse(a.first_at);

/** The home's own time beside the hub's, when they differ by more than a couple of minutes. */
function homeClock(a: OpenAlert, tz: string): Html | string {
  const home = Date.parse(a.first_at);
  if (a.first_received_at === null || Math.abs(home - a.first_received_at) < 2 * 60_000) return '';
  const day = new Date(home).toISOString().slice(0, 10);
  return html` <span class="home-clock">(the home's clock said ${day} ${clock(home, tz)})</span>`;
}

/** Her record's line on a card, when the page was given the records (queueContent). */
const line = (ctx: PageCtx, resident: string, records: Drawn['records']) =>
  records ? recordCardLine(ctx, resident, records.get(resident)) : '';

function homeAlert(ctx: PageCtx, a: OpenAlert, now: number, tz: string, v: Drawn): Html {
  const raised = receivedAt(a);
  const href = `/alerts/${encodeURIComponent(a.gateway)}/${encodeURIComponent(a.alert_id)}`;
  const handled = answered({ kind: 'home', a, since: raised });
  const late = handled ? 0 : lateness(now - raised, v.targets);
  return html`<li class="alert sev-${a.severity}${handled ? ' answered' : ''}${late ? ` late-${late}` : ''}" data-alert="${a.alert_id}" ${handled ? '' : html`data-waiting`} ${a.severity === 'urgent' ? html`data-urgent="${a.gateway}/${a.alert_id}"` : ''} ${cardAttrs(`card-${a.gateway}-${a.alert_id}`, v.targets, v.focus === a)}>
<div>${sevBadge(a.severity)} <span class="badge ${a.state === 'escalated' ? 'urgent' : 'info'}">${a.state}</span></div>
<p class="reason">${a.reason}</p>
${line(ctx, a.resident, v.records)}
<ul class="facts">
<li>Home <strong>${a.gateway}</strong></li>
<li>Resident <a href="/residents/${encodeURIComponent(a.resident)}">${a.resident}</a></li>
${a.room ? html`<li>Room <strong>${a.room}</strong></li>` : ''}
<li>Raised <strong>${clock(raised, tz)}</strong>${homeClock(a, tz)}</li>
${a.state === 'acknowledged' ? '' : waiting(now - raised)}
</ul>
${claimsLine(a.claims, tz)}
<div class="actions">${ackState(ctx, a, tz, BACK)}${claimForm(ctx, a, a.claims, BACK, mayAck(ctx.staff, a.resident))}<a href="${href}">Details, notes and close</a></div>
</li>`;
}

function hubAlert(ctx: PageCtx, a: OpenHubAlert, now: number, tz: string, v: Drawn): Html {
  const handled = answered({ kind: 'hub', a, since: a.raised_at });
  const late = handled ? 0 : lateness(now - a.raised_at, v.targets);
  return html`<li class="alert sev-${a.severity}${handled ? ' answered' : ''}${late ? ` late-${late}` : ''}" data-hub-alert="${a.key}" ${handled ? '' : html`data-waiting`} ${a.severity === 'urgent' ? html`data-urgent="${a.key}"` : ''} ${cardAttrs(`card-hub-${a.key}`, v.targets, v.focus === a)}>
<div>${sevBadge(a.severity)} <span class="badge info">${a.kind.replace(/_/g, ' ')}</span></div>
<p class="reason">${a.reason}</p>
${a.resident ? line(ctx, a.resident, v.records) : ''}
<ul class="facts">
<li>Home <strong>${a.gateway}</strong></li>
${a.resident ? html`<li>Resident <a href="/residents/${encodeURIComponent(a.resident)}">${a.resident}</a></li>` : ''}
<li>Raised by the hub <strong>${clock(a.raised_at, tz)}</strong></li>
${a.ack_at ? '' : waiting(now - a.raised_at)}
</ul>
${hubAckLine(a, tz)}${claimsLine(a.claims, tz)}
<div class="actions">${hubAckForm(ctx, a, BACK)}${hubClaimButtons(ctx, a, a.claims, BACK)}<a href="${hubAlertHref(a.key)}">Details, notes and close</a> <a href="/homes">See the homes</a></div>
</li>`;
}

type Drawn = {
  targets: readonly number[];
  focus: OpenAlert | OpenHubAlert | undefined;
  records: ReadonlyMap<string, RecordLine> | undefined;
};

export function queueContent(
  ctx: PageCtx,
  items: QueueItem[],
  now: number,
  tz: string,
  view: QueueView = {},
): Html {
  const v: Drawn = {
    targets: view.targets ?? ANSWER_TARGETS_MS,
    focus: view.focusNext ? items.find((i) => !answered(i))?.a : undefined,
    records: view.records,
  };
  const urgent = items.filter((i) => i.a.severity === 'urgent').length;
  return html`<p class="muted" id="queue-count">${items.length} open alert${items.length === 1 ? '' : 's'}${urgent ? html`, <strong>${urgent} urgent</strong>` : ''}. Updated ${clock(now, tz)}.</p>
${
  items.length
    ? html`<ol class="alerts" aria-label="Open alerts">${items.map((i) =>
        i.kind === 'home' ? homeAlert(ctx, i.a, now, tz, v) : hubAlert(ctx, i.a, now, tz, v),
      )}</ol>`
    : html`<p>Nothing needs attention now.</p>`
}`;
}

export function queueBody(content: Html): Html {
  return html`<h1>Alerts needing attention</h1>
<div class="toolbar"><button type="button" id="mute" class="secondary" aria-pressed="false">Sound on</button>
<span class="muted">Urgent alerts are announced and sound a tone.</span></div>
<div id="live">${content}</div>`;
}
