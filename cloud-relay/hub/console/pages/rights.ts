// A resident's data rights, for an admin: the buttons on her page (her records as a download; her
// erasure, behind a page that says what would go and asks for her id typed again), and the page
// saying what was erased.
import type { EraseResult } from '../../resident-rights.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageCtx } from '../layout.ts';

const base = (resident: string) => `/residents/${encodeURIComponent(resident)}`;

/** On her page, for an admin only. */
export function rightsForms(ctx: PageCtx, resident: string): Html {
  return html`<section aria-labelledby="rights-h"><h2 id="rights-h">Data rights</h2>
<p>A subject access request: everything the hub holds about ${resident}, as one JSON file. An erasure request: delete it (README: Data protection). Both are written to the audit log.</p>
<form class="inline" method="post" action="${base(resident)}/export">${csrfField(ctx)}<button type="submit">Download her records (JSON)</button></form>
<form class="inline" method="get" action="${base(resident)}/erase"><button type="submit">Erase her records…</button></form></section>`;
}

const countRows = (counts: Record<string, number>) =>
  html`<table><thead><tr><th scope="col">Table</th><th scope="col">Records</th></tr></thead><tbody>${Object.entries(
    counts,
  ).map(([t, n]) => html`<tr><th scope="row">${t}</th><td>${n}</td></tr>`)}</tbody></table>`;

/** The confirm step: what would go, her id typed again, and an optional date. */
export function eraseConfirmBody(
  ctx: PageCtx,
  resident: string,
  counts: Record<string, number>,
  problem?: string,
): Html {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return html`<h1>Erase the records of ${resident}</h1>
<p><a href="${base(resident)}">Back to resident ${resident}</a></p>
${problem ? html`<div class="problems" role="alert"><p>Not erased: ${problem}</p></div>` : ''}
<p>The hub holds ${total} records about ${resident}. Erasing cannot be undone: download her records first if she asked for them too. Her home's own records are erased at the home (<code>hearth forget</code>).</p>
${countRows(counts)}
<form method="post" action="${base(resident)}/erase">${csrfField(ctx)}
<label for="before">Only records older than (empty: all of them, her home and carers too)</label><input id="before" name="before" type="date" maxlength="10">
<label for="confirm">Type her id, ${resident}, to confirm</label><input id="confirm" name="confirm" required maxlength="64" autocomplete="off">
<p><button type="submit">Erase</button></p></form>`;
}

export function erasedBody(resident: string, r: EraseResult, space: string, before?: string): Html {
  return html`<h1>Records of ${resident} erased</h1>
<p>${r.total} records erased${before ? ` (those older than ${before})` : ''}. One line in the audit log says so, with these counts and not the data.</p>
${countRows(r.counts)}<p>${space}</p>
<p>A home listed for her in the hub file comes back when the hub next starts: remove it from <code>homes.expected</code>.</p>
<p><a href="/homes">Homes</a></p>`;
}
