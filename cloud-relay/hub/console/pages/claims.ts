// "I'm on my way" on the queue and the alert page: who is going, since when, and the button for
// whoever may act on the alert and has not said so yet.
import type { Claim } from '../../claims.ts';
import { mayAck } from '../access.ts';
import { clock } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageCtx } from '../layout.ts';

type Claimable = { gateway: string; alert_id: string; resident: string; state: string };

export function claimsLine(claims: Claim[], tz: string): Html {
  if (claims.length === 0) return html``;
  return html`<p class="claimed" data-claimed="${claims.map((c) => c.staff).join(' ')}">On the way: ${claims.map(
    (c, i) => html`${i ? ', ' : ''}<strong>${c.staff}</strong> (since ${clock(c.at, tz)})`,
  )}.</p>`;
}

export function claimForm(ctx: PageCtx, a: Claimable, claims: Claim[], back: string): Html {
  const open = a.state !== 'resolved' && a.state !== 'cancelled';
  if (!open || !mayAck(ctx.staff, a.resident) || claims.some((c) => c.staff === ctx.staff.name))
    return html``;
  return html`<form class="inline" method="post" action="/alerts/${encodeURIComponent(a.gateway)}/${encodeURIComponent(a.alert_id)}/claim">
${csrfField(ctx)}<input type="hidden" name="back" value="${back}">
<button type="submit" class="secondary">I'm on my way<span class="visually-hidden"> to ${a.resident}</span></button></form>`;
}
