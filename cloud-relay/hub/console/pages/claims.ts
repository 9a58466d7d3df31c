// "I'm handling this" and "I'm on my way" on the queue and the alert pages: who has the call, who
// is going, since when, and the buttons for whoever may act on the alert and has not said so yet.
import type { Claim, ClaimKind } from '../../claims.ts';
import { clock } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageCtx } from '../layout.ts';

/** Where a claim form posts, and what the button names for a screen reader. */
export type ClaimTarget = { action: string; open: boolean; mayAct: boolean; who: string; hidden?: Html };

const names = (cs: Claim[], tz: string) =>
  cs.map((c, i) => html`${i ? ', ' : ''}<strong>${c.staff}</strong> (since ${clock(c.at, tz)})`);

export function claimsLine(claims: Claim[], tz: string): Html {
  const handling = claims.filter((c) => c.kind === 'handling');
  const way = claims.filter((c) => c.kind !== 'handling');
  return html`${
    handling.length
      ? html`<p class="claimed" data-handling="${handling.map((c) => c.staff).join(' ')}">${names(handling, tz)} ${handling.length === 1 ? 'is' : 'are'} handling this.</p>`
      : ''
  }${
    way.length
      ? html`<p class="claimed" data-claimed="${way.map((c) => c.staff).join(' ')}">On the way: ${names(way, tz)}.</p>`
      : ''
  }`;
}

const LABEL: Record<ClaimKind, string> = { handling: "I'm handling this", way: "I'm on my way" };

export function claimButton(
  ctx: PageCtx,
  t: ClaimTarget,
  kind: ClaimKind,
  claims: Claim[],
  back: string,
): Html {
  if (!t.open || !t.mayAct || claims.some((c) => c.staff === ctx.staff.name)) return html``;
  return html`<form class="inline" method="post" action="${t.action}/${kind === 'handling' ? 'handle' : 'claim'}">
${csrfField(ctx)}<input type="hidden" name="back" value="${back}">${t.hidden ?? ''}
<button type="submit" class="secondary">${LABEL[kind]}<span class="visually-hidden"> (${t.who})</span></button></form>`;
}

type Claimable = { gateway: string; alert_id: string; resident: string; state: string };

/** Both claim buttons for a home's alert. */
export function claimForm(ctx: PageCtx, a: Claimable, claims: Claim[], back: string, mayAct: boolean): Html {
  const t: ClaimTarget = {
    action: `/alerts/${encodeURIComponent(a.gateway)}/${encodeURIComponent(a.alert_id)}`,
    open: a.state !== 'resolved' && a.state !== 'cancelled',
    mayAct,
    who: a.resident,
  };
  return html`${claimButton(ctx, t, 'handling', claims, back)}${claimButton(ctx, t, 'way', claims, back)}`;
}
