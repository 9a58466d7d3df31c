// The urgent alerts nobody has taken, on the pages an operator reads between calls (an alert's
// page, the homes): each a line that links to its alert and carries the marks the console's script
// sounds its repeating tone for (client.ts: data-urgent, data-waiting), as the queue's cards do, so
// the tone does not stop because someone opened another page. The queue's order and its idea of
// "taken" (queue.ts: answered); the hub's own urgent alerts (a gateway silent at night) too.
import { type Html, html } from '../html.ts';
import { hubAlertHref } from './hub-alert.ts';
import { answered, type QueueItem } from './queue.ts';

/** The page's sound switch, outside the live region so a refresh keeps it (client.ts: mute). */
export const muteBar = (): Html =>
  html`<div class="toolbar"><button type="button" id="mute" class="secondary" aria-pressed="false">Sound on</button>
<span class="muted">An urgent alert nobody has taken sounds a tone on this page too.</span></div>`;

/** The urgent alerts nobody has taken yet, in the queue's order; nothing when none. */
export function untakenStrip(items: readonly QueueItem[]): Html {
  const urgent = items.filter((i) => i.a.severity === 'urgent' && !answered(i));
  if (urgent.length === 0) return html``;
  return html`<section class="untaken" aria-label="Urgent alerts nobody has taken"><ul>${urgent.map((i) =>
    i.kind === 'home'
      ? html`<li data-urgent="${i.a.gateway}/${i.a.alert_id}" data-alert="${i.a.alert_id}" data-waiting><strong>Urgent, nobody has taken it:</strong> <span class="reason">${i.a.reason}</span> (${i.a.resident}). <a href="/alerts/${encodeURIComponent(i.a.gateway)}/${encodeURIComponent(i.a.alert_id)}">Open it</a> or <a href="/">the queue</a>.</li>`
      : html`<li data-urgent="${i.a.key}" data-hub-alert="${i.a.key}" data-waiting><strong>Urgent, nobody has taken it:</strong> <span class="reason">${i.a.reason}</span> (${i.a.gateway}). <a href="${hubAlertHref(i.a.key)}">Open it</a> or <a href="/">the queue</a>.</li>`,
  )}</ul></section>`;
}
