// Closing a call: the outcome picked from the hub file's list, an optional note; and, once
// closed, the outcome on the alert page and in the history.
import type { CloseTold, Outcome } from '../../calls.ts';
import { clock, dayAndClock } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageCtx } from '../layout.ts';

export type Closure = { outcome: string; note: string | null; staff: string; at: number };

/** The label of a code, or the code itself when the hub file no longer lists it. Pure. */
export const outcomeLabel = (outcomes: readonly Outcome[], code: string): string =>
  outcomes.find((o) => o.code === code)?.label ?? code;

export function closureLine(
  c: Closure,
  outcomes: readonly Outcome[],
  tz: string,
  told?: CloseTold | undefined,
): Html {
  return html`<p class="closed" data-outcome="${c.outcome}">Closed by <strong>${c.staff}</strong> at ${dayAndClock(c.at, tz)}: <strong>${outcomeLabel(outcomes, c.outcome)}</strong>.${
    c.note ? html` <span class="muted">${c.note}</span>` : ''
  }${told ? toldLine(told, tz) : ''}</p>`;
}

/** Whether the home has the close: it keeps the outcome on its alert and says so. */
const toldLine = (t: CloseTold, tz: string): Html =>
  t.state === 'confirmed'
    ? html` <span data-close-told="confirmed">The home has it (confirmed at ${clock(t.result_at ?? 0, tz)}).</span>`
    : t.state === 'failed'
      ? html` <span data-close-told="refused">The home could not take it: ${t.detail ?? 'refused'}.</span>`
      : html` <span data-close-told="pending">Sent to the home; not confirmed yet.</span>`;

/** The close form; `hidden`: what names the alert when the path does not. */
export function closeForm(
  ctx: PageCtx,
  action: string,
  outcomes: readonly Outcome[],
  hidden: Html | '' = '',
): Html {
  return html`<form method="post" action="${action}" class="close-call">${csrfField(ctx)}${hidden}
<fieldset><legend>Close the call</legend>
<label for="outcome">Outcome</label>
<select id="outcome" name="outcome" required><option value="">Choose the outcome…</option>${outcomes.map(
    (o) => html`<option value="${o.code}">${o.label}</option>`,
  )}</select>
<label for="close-note">Note (optional)</label><textarea id="close-note" name="note" rows="2" maxlength="2000"></textarea>
<p><button type="submit" id="close-call">Close with this outcome</button></p></fieldset></form>`;
}

/** A closed call in the history's outcome column. */
export const closedCell = (c: Closure | undefined, outcomes: readonly Outcome[], tz: string): Html | '' =>
  c
    ? html`; closed: <span data-outcome="${c.outcome}">${outcomeLabel(outcomes, c.outcome)}</span> <span class="muted">(${c.staff}, ${clock(c.at, tz)})</span>`
    : '';
