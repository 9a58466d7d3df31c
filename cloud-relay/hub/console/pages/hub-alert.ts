// The hub's own alerts (a silent gateway, an undeliverable alert, failing storage...): their card
// actions and their page. They have no home to tell: acknowledging, claiming, notes and the
// outcome are kept at the hub.
import type { Outcome } from '../../calls.ts';
import type { Claim } from '../../claims.ts';
import type { AlertNotesTable } from '../../console-tables.ts';
import { mayAck } from '../access.ts';
import type { OpenHubAlert } from '../data.ts';
import { clock, dayAndClock } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageCtx } from '../layout.ts';
import { type ClaimTarget, claimButton, claimsLine } from './claims.ts';
import { type Closure, closeForm, closureLine } from './close.ts';

type HubAlertRow = Omit<OpenHubAlert, 'claims'>;

export const hubAlertHref = (key: string) => `/hub-alert?key=${encodeURIComponent(key)}`;
const keyField = (key: string) => html`<input type="hidden" name="key" value="${key}">`;

/** Operators act on every hub alert; a carer on those of their own residents' homes. */
export const mayActOnHub = (ctx: PageCtx, a: { resident: string | null }): boolean =>
  a.resident ? mayAck(ctx.staff, a.resident) : ctx.staff.role === 'operator';

export const hubTarget = (ctx: PageCtx, a: HubAlertRow): ClaimTarget => ({
  action: '/hub-alert',
  open: a.resolved_at === null,
  mayAct: mayActOnHub(ctx, a),
  who: `${a.kind.replace(/_/g, ' ')} at ${a.gateway}`,
  hidden: keyField(a.key),
});

export const hubAckLine = (a: HubAlertRow, tz: string): Html =>
  a.ack_at
    ? html`<p class="acked" data-ack="done">Acknowledged by ${a.ack_by} at ${clock(a.ack_at, tz)}.</p>`
    : html``;

export function hubAckForm(ctx: PageCtx, a: HubAlertRow, back: string): Html {
  if (a.ack_at || !mayActOnHub(ctx, a)) return html``;
  return html`<form class="inline" method="post" action="/hub-alert/ack">${csrfField(ctx)}${keyField(a.key)}<input type="hidden" name="back" value="${back}">
<button type="submit" id="ack-hub-${a.key}">Acknowledge<span class="visually-hidden"> ${a.kind.replace(/_/g, ' ')} at ${a.gateway}</span></button></form>`;
}

/** "I'm handling this" and "I'm on my way": someone may go to a silent home. */
export const hubClaimButtons = (ctx: PageCtx, a: HubAlertRow, claims: Claim[], back: string): Html =>
  html`${claimButton(ctx, hubTarget(ctx, a), 'handling', claims, back)}${claimButton(ctx, hubTarget(ctx, a), 'way', claims, back)}`;

export type HubAlertData = {
  alert: HubAlertRow;
  claims: Claim[];
  notes: AlertNotesTable[];
  closure: Closure | undefined;
  outcomes: readonly Outcome[];
};

export function hubAlertContent(ctx: PageCtx, d: HubAlertData, tz: string): Html {
  const a = d.alert;
  const back = hubAlertHref(a.key);
  const act = mayActOnHub(ctx, a);
  return html`<p class="reason"><span class="badge ${a.severity}">${a.severity}</span> <strong>${a.reason}</strong></p>
<ul class="facts"><li>Home <strong>${a.gateway}</strong></li>${a.resident ? html`<li>Resident <a href="/residents/${encodeURIComponent(a.resident)}">${a.resident}</a></li>` : ''}
<li>Kind <strong>${a.kind.replace(/_/g, ' ')}</strong></li><li>Raised by the hub <strong>${dayAndClock(a.raised_at, tz)}</strong></li>
<li>${a.resolved_at ? html`Cleared <strong>${dayAndClock(a.resolved_at, tz)}</strong>` : 'Not cleared yet'}</li></ul>
${d.closure ? closureLine(d.closure, d.outcomes, tz) : ''}
${hubAckLine(a, tz)}${d.closure ? '' : hubAckForm(ctx, a, back)}
${claimsLine(d.claims, tz)}${d.closure ? '' : hubClaimButtons(ctx, a, d.claims, back)}
<h2>Outcome notes</h2>
${d.notes.length ? html`<ul>${d.notes.map((n) => html`<li>${dayAndClock(n.at, tz)}, ${n.staff}: ${n.note}</li>`)}</ul>` : html`<p>No note yet.</p>`}
${
  act
    ? html`<form method="post" action="/hub-alert/note">${csrfField(ctx)}${keyField(a.key)}
<label for="note">Add an outcome note</label><textarea id="note" name="note" rows="3" maxlength="2000" required></textarea>
<p><button type="submit">Save note</button></p></form>`
    : ''
}
${act && !d.closure ? closeForm(ctx, '/hub-alert/close', d.outcomes, keyField(a.key)) : ''}`;
}

export function hubAlertBody(content: Html): Html {
  return html`<h1>Hub alert</h1><p><a href="/">Back to the alert queue</a></p><div id="live">${content}</div>`;
}
