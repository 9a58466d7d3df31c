// A resident's escalation ladder, for an admin: the rungs in order, each a responder and a wait,
// the monitoring centre always last.
import type { Rung } from '../../ladder.ts';
import { type Html, html } from '../html.ts';
import { ladderSentence, MAX_RUNGS } from '../ladder-form.ts';
import { csrfField, type PageCtx } from '../layout.ts';

export function laddersBody(rows: { resident: string; rungs: Rung[] }[]): Html {
  return html`<h1>Escalation ladders</h1>
<p>An urgent alert goes to the first rung of the resident's ladder; when nobody has said "I'm on my way" or acknowledged it within that rung's wait, to the next. The monitoring centre (every operator) is always the last rung. A resident without a ladder: every carer assigned to her is told at once.</p>
<ul>${rows.map(
    (r) =>
      html`<li><a href="/admin/ladders/${encodeURIComponent(r.resident)}">${r.resident}</a>: ${r.rungs.length ? ladderSentence(r.rungs) : 'no ladder'}</li>`,
  )}</ul>`;
}

export function ladderBody(ctx: PageCtx, resident: string, rungs: Rung[], problems: string[] = []): Html {
  const rows = Array.from({ length: MAX_RUNGS }, (_, i) => rungs[i]);
  return html`<h1>Escalation ladder of ${resident}</h1>
<p><a href="/admin/ladders">All ladders</a></p>
${problems.length ? html`<div class="problems" role="alert"><p>Not saved:</p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<p id="ladder-now">Now: ${ladderSentence(rungs)}.</p>
<form method="post" action="/admin/ladders/${encodeURIComponent(resident)}">${csrfField(ctx)}
<p>Each rung: a member of staff's name (a carer of ${resident}, or an operator) or an ntfy topic URL, and how long to wait for an answer before the next rung. Leave a row empty to end the ladder there.</p>
<table><thead><tr><th scope="col">Rung</th><th scope="col">Responder</th><th scope="col">Wait (minutes)</th></tr></thead><tbody>
${rows.map(
  (r, i) => html`<tr><th scope="row">${i + 1}</th>
<td><label class="visually-hidden" for="target${i}">Responder ${i + 1}</label><input id="target${i}" name="target${i}" value="${r?.target ?? ''}" maxlength="500"></td>
<td><label class="visually-hidden" for="wait${i}">Wait ${i + 1} in minutes</label><input id="wait${i}" name="wait${i}" type="number" min="1" max="120" value="${r?.waitMin ?? 3}"></td></tr>`,
)}
<tr><th scope="row">${MAX_RUNGS + 1}</th><td colspan="2">The monitoring centre (always last)</td></tr>
</tbody></table>
<p><button type="submit">Save the ladder</button></p></form>`;
}
