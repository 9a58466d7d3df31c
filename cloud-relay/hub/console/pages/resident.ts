// A resident's page: last night and the newest day first, in words against her usual (in-words.ts),
// then last night's figures (sent the morning it ended), the last 14 nights and days as plots and
// as tables folded away (a phone scrolls past a summary line, not a table), what the summaries found notable, the check-in answers, the alerts, and
// each day's FHIR bundle to download; the home's care mode, and a form to set one.
import type { Selectable } from 'kysely';
import { zoneNamed } from '../../../../core/zone.ts';
import type { NightMessage, SummaryMessage } from '../../../protocol/messages.ts';
import type { AlertsTable } from '../../tables.ts';
import type { Home } from '../data.ts';
import { dayAndClock, isoClock } from '../format.ts';
import { type Html, html } from '../html.ts';
import { inWords } from '../in-words.ts';
import { csrfField, type PageCtx } from '../layout.ts';
import { FORM_MODES, type ModeShown } from '../mode-form.ts';
import { type NightRow, nightRows } from '../nights.ts';
import { activityHeatmap, type Day, type Night, nightsPlot } from '../plots.ts';

export type ResidentData = {
  resident: string;
  homes: Home[];
  /** Newest first. */
  summaries: SummaryMessage[];
  /** The nights sent the mornings they ended, newest first. */
  nights: NightMessage[];
  alerts: Selectable<AlertsTable>[];
  /** The newest mode command the hub sent to her home, or null. */
  mode: ModeShown | null;
  now: number;
  /** Her record at the trust (record-routes.ts). */
  record?: Html;
};

const hm = (min: number | null) =>
  min === null ? '–' : `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')}`;

export function nightsOf(s: NightRow[]): Night[] {
  return [...s].reverse().map((d) => ({
    date: d.date,
    inBed: d.sleep.in_bed,
    bedtime: d.sleep.bedtime,
    wake: d.sleep.wake,
    outOfBed: d.sleep.out_of_bed?.count ?? null,
    bathroom: d.sleep.bathroom_visits,
  }));
}

export const daysOf = (s: SummaryMessage[]): Day[] =>
  [...s].reverse().map((d) => ({ date: d.date, perHour: d.activity.per_hour }));

/** The newest night in a sentence, so a carer reading in the morning sees last night first. */
function lastNight(n: NightRow | undefined): Html {
  if (!n) return html``;
  const figures = n.sleep.slept
    ? html`to bed ${isoClock(n.sleep.bedtime)}, ${n.over ? html`up ${isoClock(n.sleep.wake)}` : 'not up yet'}, ${hm(n.sleep.time_in_bed_min)} in bed. `
    : '';
  return html`<p id="last-night"><strong>Night to ${n.date}</strong>: ${figures}${n.sleep.note}</p>`;
}

function nightsTable(s: NightRow[]): Html {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Nights, as figures"><table>
<thead><tr><th scope="col">Night to</th><th scope="col">Bedtime</th><th scope="col">Wake</th><th scope="col">In bed</th><th scope="col">Out of bed</th><th scope="col">Bathroom</th><th scope="col">Note</th></tr></thead>
<tbody>${s.map(
    (d) =>
      html`<tr><th scope="row">${d.date}</th><td>${isoClock(d.sleep.bedtime)}</td><td>${isoClock(d.sleep.wake)}</td><td>${hm(d.sleep.time_in_bed_min)}</td><td>${d.sleep.out_of_bed?.count ?? '–'}</td><td>${d.sleep.bathroom_visits ?? '–'}</td><td>${d.sleep.note}</td></tr>`,
  )}</tbody></table></div>`;
}

function daysTable(s: SummaryMessage[]): Html {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Days, as figures"><table>
<thead><tr><th scope="col">Day</th><th scope="col">Active</th><th scope="col">Rooms (signs of life)</th><th scope="col">Time out</th><th scope="col">Home temperature</th><th scope="col">FHIR</th></tr></thead>
<tbody>${s.map(
    (d) => html`<tr><th scope="row">${d.date}</th><td>${hm(d.activity.active_min)}</td>
<td>${d.activity.per_room.map((r) => `${r.room} ${r.count}`).join(', ') || '–'}</td>
<td>${d.activity.out_of_home_min === null ? '–' : hm(d.activity.out_of_home_min)}</td>
<td>${d.activity.temperature.map((t) => `${t.room} ${t.min}–${t.max} °C`).join(', ') || '–'}</td>
<td><a href="/residents/${encodeURIComponent(d.resident)}/fhir/${d.date}" download>Bundle<span class="visually-hidden"> for ${d.date}</span></a></td></tr>`,
  )}</tbody></table></div>`;
}

function notable(s: SummaryMessage[]): Html {
  const items = s.flatMap((d) => d.notable.map((n) => ({ date: d.date, text: n.text })));
  if (!items.length) return html`<p>Nothing out of the ordinary in these 14 days.</p>`;
  return html`<ul>${items.map((n) => html`<li><strong>${n.date}</strong>: ${n.text}</li>`)}</ul>`;
}

function checkIns(s: SummaryMessage[]): Html {
  const items = s.flatMap((d) => d.mental_health.check_ins.map((c) => ({ date: d.date, ...c })));
  if (!items.length) return html`<p>No check-in answers in these 14 days.</p>`;
  return html`<ul>${items.map((c) => html`<li>${c.date} ${isoClock(c.at)}: <strong>${c.answer}</strong></li>`)}</ul>`;
}

function alerts(a: Selectable<AlertsTable>[], tz: string): Html {
  if (!a.length) return html`<p>No alerts.</p>`;
  return html`<details class="tables"><summary>${a.length} alert${a.length === 1 ? '' : 's'}, as a table</summary><div class="table-wrap" tabindex="0" role="region" aria-label="Alerts"><table>
<thead><tr><th scope="col">When</th><th scope="col">Alert</th><th scope="col">State</th><th scope="col">Acknowledged by</th></tr></thead>
<tbody>${a.map(
    (x) => html`<tr><td>${dayAndClock(Date.parse(x.first_at), tz)}</td>
<td><a href="/alerts/${encodeURIComponent(x.gateway)}/${encodeURIComponent(x.alert_id)}">${x.reason}</a></td>
<td><span class="badge ${x.severity}">${x.severity}</span> ${x.state}</td><td>${x.ack_by ?? '–'}</td></tr>`,
  )}</tbody></table></div></details>`;
}

const STATE: Readonly<Record<string, string>> = {
  sent: 'pending until the home answers',
  confirmed: 'confirmed by the home',
  failed: 'refused by the home',
  unconfirmed: 'not confirmed by the home in time',
};

/** The home's care mode as the hub recorded it: the last one asked for, and what the home said. */
function careMode(m: ModeShown | null, now: number, tz: string): Html {
  if (!m) return html`<p id="care-mode">No care mode has been set from the trust.</p>`;
  const until = m.until ? Date.parse(m.until) : Number.NaN;
  const what =
    m.mode === 'off'
      ? html`<strong>off</strong>`
      : html`<strong>${m.mode}</strong> until ${Number.isFinite(until) ? dayAndClock(until, tz) : (m.until ?? '–')}`;
  const state =
    m.state === 'confirmed' && m.mode !== 'off' && Number.isFinite(until) && until <= now
      ? 'confirmed by the home, now ended'
      : (STATE[m.state] ?? m.state);
  return html`<p id="care-mode" data-mode-state="${m.state}">Care mode ${what}, asked by ${m.by ?? '–'} at ${dayAndClock(m.sentAt, tz)}: ${state}${m.detail ? html` (${m.detail})` : ''}.</p>`;
}

/** The form that sets a care mode for her home; only for those who may act on her alerts. */
export function modeForm(ctx: PageCtx, resident: string): Html {
  return html`<form method="post" action="/residents/${encodeURIComponent(resident)}/mode" aria-labelledby="set-mode-h">
<h3 id="set-mode-h">Set a care mode</h3>${csrfField(ctx)}
<label for="mode">Mode</label><select id="mode" name="mode">${FORM_MODES.map((m) => html`<option value="${m}">${m}</option>`)}</select>
<label for="until">Until (not for off)</label><input id="until" name="until" type="datetime-local" maxlength="64">
<button type="submit">Send to the home</button></form>`;
}

const LEGEND = html`<p class="legend" aria-hidden="true">Fewer <span class="sw sw0"></span><span class="sw sw1"></span><span class="sw sw2"></span><span class="sw sw3"></span><span class="sw sw4"></span><span class="sw sw5"></span> more</p>`;

export function residentContent(d: ResidentData, tz: string): Html {
  const s = d.summaries;
  const nights = nightRows(s, d.nights).slice(0, 14);
  const homes = d.homes.map((h) => h.gateway).join(', ') || 'no home known';
  const words = inWords(nights, s, zoneNamed(tz).date(d.now));
  return html`<section class="in-words" id="in-words" aria-label="In words, against her usual"><p id="night-words">${words.night}</p><p id="day-words">${words.day}</p></section>
<p><a href="/residents/${encodeURIComponent(d.resident)}/report?weeks=4" id="report-link">Care-team report: her last 4 weeks, to print</a></p>
<p class="muted">Home ${homes}. ${s.length} daily summar${s.length === 1 ? 'y' : 'ies'} shown${s[0] ? html`, the newest for ${s[0].date}` : ''}.</p>
${careMode(d.mode, d.now, tz)}
${d.record ?? ''}
${lastNight(nights[0])}
${
  nights.length
    ? html`<h2 id="nights-h">Nights</h2>${nightsPlot(nightsOf(nights))}
<details class="tables"><summary>Nights as figures</summary>${nightsTable(nights)}</details>`
    : ''
}
${
  s.length
    ? html`<h2 id="days-h">Days</h2>${activityHeatmap(daysOf(s))}${LEGEND}
<details class="tables"><summary>Days as figures (rooms, time out, temperature, FHIR)</summary>${daysTable(s)}</details>`
    : html`<p>No daily summary has arrived for this resident yet.</p>`
}
<div class="grid2"><section aria-labelledby="notable-h"><h2 id="notable-h">Notable</h2>${notable(s)}</section>
<section aria-labelledby="checkins-h"><h2 id="checkins-h">Check-ins</h2>${checkIns(s)}</section></div>
<h2 id="alerts-h">Alerts</h2>${alerts(d.alerts, tz)}`;
}

/** `form`: the care-mode form, outside the part live updates replace, so typing is not lost. */
export function residentBody(resident: string, content: Html, form: Html = html``): Html {
  return html`<h1>Resident ${resident}</h1><div id="live">${content}</div>${form}`;
}
