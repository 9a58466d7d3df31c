// Resolved and cancelled alerts, newest first, searchable; and the admin's audit log.
import type { Selectable } from 'kysely';
import type { Outcome } from '../../calls.ts';
import type { AuditTable } from '../../console-tables.ts';
import type { AlertsTable } from '../../tables.ts';
import { dayAndClock } from '../format.ts';
import { type Html, html } from '../html.ts';
import { type Closure, closedCell } from './close.ts';

function search(action: string, label: string, q: string): Html {
  return html`<form class="toolbar" method="get" action="${action}" role="search" aria-label="${label}">
<div><label for="q">${label}</label><input type="search" id="q" name="q" value="${q}"></div>
<div><button type="submit">Search</button></div></form>`;
}

/** How each call was closed at the console, by `gateway/alert_id`, and the hub file's outcomes. */
export type HistoryClosures = { closures: Map<string, Closure>; outcomes: readonly Outcome[] };

export function historyBody(
  q: string,
  rows: Selectable<AlertsTable>[],
  tz: string,
  c: HistoryClosures = { closures: new Map(), outcomes: [] },
): Html {
  return html`<h1>History</h1>${search('/history', 'Search resolved alerts', q)}
<p class="muted">${rows.length} alert${rows.length === 1 ? '' : 's'}${q ? html` matching “${q}”` : ''} (the newest 100 at most).</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Resolved alerts"><table>
<thead><tr><th scope="col">Raised</th><th scope="col">Alert</th><th scope="col">Home</th><th scope="col">Resident</th><th scope="col">Outcome</th><th scope="col">Acknowledged by</th></tr></thead>
<tbody>${rows.map(
    (a) => html`<tr><td>${dayAndClock(Date.parse(a.first_at), tz)}</td>
<td><a href="/alerts/${encodeURIComponent(a.gateway)}/${encodeURIComponent(a.alert_id)}">${a.reason}</a></td>
<td>${a.gateway}</td><td><a href="/residents/${encodeURIComponent(a.resident)}">${a.resident}</a></td>
<td>${a.state} ${dayAndClock(a.state_at_ms, tz)}${closedCell(c.closures.get(`${a.gateway}/${a.alert_id}`), c.outcomes, tz)}</td><td>${a.ack_by ?? '–'}</td></tr>`,
  )}</tbody></table></div>`;
}

export function auditBody(q: string, rows: Selectable<AuditTable>[], tz: string): Html {
  return html`<h1>Audit log</h1>${search('/admin/audit', 'Search the audit log', q)}
<div class="table-wrap" tabindex="0" role="region" aria-label="Audit entries"><table>
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Did</th><th scope="col">Resident</th><th scope="col">What</th><th scope="col">Outcome</th></tr></thead>
<tbody>${rows.map(
    (e) =>
      html`<tr data-audit="${e.action}" data-outcome="${e.outcome}"><td>${dayAndClock(e.at, tz)}</td><td>${e.staff}</td><td>${e.action}</td><td>${e.resident ?? '–'}</td><td>${e.target ?? ''}${e.detail ? html` <span class="muted">${e.detail}</span>` : ''}</td><td>${e.outcome === 'ok' ? html`<span class="badge ok">ok</span>` : html`<span class="badge urgent">${e.outcome}</span>`}</td></tr>`,
  )}</tbody></table></div>`;
}
