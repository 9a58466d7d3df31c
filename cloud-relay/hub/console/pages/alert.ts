// One alert: its states as the home sent them, who acknowledged, the outcome notes, and the
// forms to acknowledge and to add a note.
import type { Selectable } from 'kysely';
import { ackPending } from '../../alert-order.ts';
import type { CloseTold, Outcome } from '../../calls.ts';
import type { Claim } from '../../claims.ts';
import type { AlertNotesTable } from '../../console-tables.ts';
import type { AlertHistoryTable, AlertsTable } from '../../tables.ts';
import { mayAck } from '../access.ts';
import { clock, dayAndClock } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageCtx } from '../layout.ts';
import { claimForm, claimsLine } from './claims.ts';
import { type Closure, closeForm, closureLine } from './close.ts';

export type AlertData = {
  alert: Selectable<AlertsTable>;
  history: Selectable<AlertHistoryTable>[];
  notes: Selectable<AlertNotesTable>[];
  claims: Claim[];
  /** Her record at the trust (record-routes.ts), shown whole. */
  record?: Html;
  /** How the call was closed, if it was; the outcomes the close form offers. */
  closure?: Closure | undefined;
  /** What became of the close command the home was sent, if any. */
  closeTold?: CloseTold | undefined;
  outcomes?: readonly Outcome[];
};

export function alertContent(ctx: PageCtx, d: AlertData, tz: string): Html {
  const a = d.alert;
  const path = `/alerts/${encodeURIComponent(a.gateway)}/${encodeURIComponent(a.alert_id)}`;
  const pending = ackPending(a);
  const ack =
    a.state === 'acknowledged' || (a.ack_confirmed_at && a.ack_by)
      ? html`<p class="acked" data-ack="done">Acknowledged by ${a.ack_by ?? 'the home'}${a.ack_confirmed_at ? html`; the home confirmed at ${clock(a.ack_confirmed_at, tz)}` : ''}.</p>`
      : pending && a.ack_requested_at
        ? html`<p class="pending" data-ack="pending">Acknowledgement by ${a.ack_by} sent at ${clock(a.ack_requested_at, tz)}; pending until the home confirms.</p>`
        : a.state === 'resolved' || a.state === 'cancelled' || !mayAck(ctx.staff, a.resident)
          ? html``
          : html`<form method="post" action="${path}/ack">${csrfField(ctx)}<input type="hidden" name="back" value="${path}"><button type="submit">Acknowledge</button></form>`;
  return html`<p class="reason"><span class="badge ${a.severity}">${a.severity}</span> <strong>${a.reason}</strong></p>
<ul class="facts"><li>Home <strong>${a.gateway}</strong></li><li>Resident <a href="/residents/${encodeURIComponent(a.resident)}">${a.resident}</a></li>
${a.room ? html`<li>Room <strong>${a.room}</strong></li>` : ''}<li>Rule <strong>${a.rule.replace(/_/g, ' ')}</strong></li><li>State <strong>${a.state}</strong></li></ul>
${d.closure ? closureLine(d.closure, d.outcomes ?? [], tz, d.closeTold) : ''}
${ack}
${d.record ?? ''}
${claimsLine(d.claims, tz)}${d.closure ? '' : claimForm(ctx, a, d.claims, path, mayAck(ctx.staff, a.resident))}
<h2>What happened</h2>
<ol>${d.history.map((h) => html`<li>${dayAndClock(h.at_ms, tz)}: <strong>${h.state}</strong> — ${h.reason}</li>`)}</ol>
<h2>Outcome notes</h2>
${d.notes.length ? html`<ul>${d.notes.map((n) => html`<li>${dayAndClock(n.at, tz)}, ${n.staff}: ${n.note}</li>`)}</ul>` : html`<p>No note yet.</p>`}
${
  mayAck(ctx.staff, a.resident)
    ? html`<form method="post" action="${path}/note">${csrfField(ctx)}
<label for="note">Add an outcome note</label><textarea id="note" name="note" rows="3" maxlength="2000" required></textarea>
<p><button type="submit">Save note</button></p></form>`
    : ''
}
${d.outcomes && !d.closure && mayAck(ctx.staff, a.resident) ? closeForm(ctx, `${path}/close`, d.outcomes) : ''}`;
}

/** `bar`: above the live region, kept across its refreshes (untaken.ts: muteBar). */
export function alertBody(content: Html, bar: Html = html``): Html {
  return html`<h1>Alert</h1><p><a href="/">Back to the alert queue</a></p>${bar}<div id="live">${content}</div>`;
}
