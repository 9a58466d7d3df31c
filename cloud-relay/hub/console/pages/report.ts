// A care-team report (README: A report for the care team): one to six weeks of a resident's days
// for an occupational therapist or a social worker deciding whether her care plan should change.
// What the report shows is said in plain words first, then what changed in the last week and
// the alerts of the period, then a page per week: the days as strips of 24 hours, the nights
// against her usual, and the time out of the home. Days with no information say so. Made to be
// printed on A4 (style.ts: @media print) as well as read on a screen.

import { hhmmOf } from '../../../../core/zone.ts';
import { closed } from '../../alert-order.ts';
import { dayAndClock, isoClock } from '../format.ts';
import { type Html, html } from '../html.ts';
import { againstUsual, type Changes, clockAfterSix, duration, type Usual } from '../report-changes.ts';
import { type DayStrip, MAX_WEEKS, MIN_WEEKS, type ReportDay } from '../report-days.ts';
import { dayLabel, LEVEL_WORD, weekStrips } from '../report-plots.ts';
import type { ReportAlert } from '../report-queries.ts';

export type ReportData = {
  resident: string;
  weeks: number;
  /** Every date of the period, oldest first. */
  days: ReportDay[];
  strips: DayStrip[];
  changes: Changes;
  usual: Usual;
  alerts: ReportAlert[];
  /** More alerts than the report lists. */
  cut: boolean;
  by: string;
  now: number;
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function about(d: ReportData): Html {
  return html`<section aria-labelledby="about-h"><h2 id="about-h">What this report shows</h2>
<p>Her home has small sensors that notice movement, doors and the bed; each morning it sends a summary of the day before. No camera or microphone is used. This report puts ${plural(d.weeks, 'week')} of those summaries side by side.</p>
<ul>
<li><strong>Activity through the day</strong>: one row per day, from midnight to midnight. Each square is an hour: white means nothing was seen, the darker the square the busier she was.
A solid bar under the hours shows when she was in bed; a striped bar shows when she was out of the home.</li>
<li><strong>Nights</strong>: when she went to bed, when she got up, how often she was up in the night, and how that compares with her usual.</li>
<li><strong>Time out of the home</strong>: how long the front door showed her out each day.</li>
</ul>
${missingNote(d.days)}
${modesNote(d.days)}
${key()}</section>`;
}

/** Which days have no information, so that a blank day is never read as a quiet one. */
function missingNote(days: ReportDay[]): Html {
  const none = days.filter((d) => !d.summary && !d.night);
  const nightOnly = days.filter((d) => !d.summary && d.night);
  if (!none.length && !nightOnly.length)
    return html`<p id="missing">Every day of these weeks has its information.</p>`;
  return html`<p id="missing" class="missing-note"><strong>Information is missing for ${plural(none.length + nightOnly.length, 'day')}</strong>:
${none.length ? html`nothing arrived for ${none.map((d) => dayLabel(d.date)).join(', ')}. ` : ''}${nightOnly.length ? html`Only the night is known for ${nightOnly.map((d) => dayLabel(d.date)).join(', ')}. ` : ''}
These days are shown as missing, not as quiet: the home may have been off, or unable to reach the trust.</p>`;
}

/** Days with a care mode on: not her usual days, left out of her usual and of the changes. */
function modesNote(days: ReportDay[]): Html {
  const on = days.filter((d) => d.summary?.modes?.length);
  if (!on.length) return html``;
  const said = on.map(
    (d) => `${dayLabel(d.date)} (${[...new Set(d.summary?.modes?.map((m) => m.mode))].join(', ')})`,
  );
  return html`<p id="modes">A care mode was on for ${said.join(', ')}: someone was with her, or she was away, so these days are left out of her usual and of the changes.</p>`;
}

function key(): Html {
  return html`<ul class="key" aria-label="Key to the activity strips">
${LEVEL_WORD.map((w, i) => html`<li><span class="swatch lv${i}"></span>${w}</li>`)}
<li><span class="swatch bed"></span>in bed</li><li><span class="swatch out"></span>out of the home</li></ul>`;
}

function changes(c: Changes): Html {
  const body = !c.ok
    ? html`<p>${c.reason}</p>`
    : c.changes.length
      ? html`<ul id="change-list">${c.changes.map((x) => html`<li data-figure="${x.figure}">${x.text}</li>`)}</ul>`
      : html`<p>No big change: the last week looks like the weeks before it.</p>`;
  return html`<section aria-labelledby="changes-h"><h2 id="changes-h">Notable changes</h2>
<p class="muted">The last 7 days compared with the days before them.</p>${body}</section>`;
}

function usualLine(u: Usual, weeks: number): Html {
  const parts = [
    u.bedtime !== null ? `to bed about ${clockAfterSix(u.bedtime)}` : '',
    u.wake !== null ? `up about ${hhmmOf(u.wake)}` : '',
    u.upNightsPerWeek !== null ? `up in the night on ${plural(u.upNightsPerWeek, 'night')} a week` : '',
    u.outMinPerDay !== null ? `out of the home about ${duration(u.outMinPerDay)} a day` : '',
  ].filter(Boolean);
  return parts.length
    ? html`<p id="usual"><strong>Her usual${weeks > 1 ? ' (the weeks before the last)' : ''}</strong>: ${parts.join(', ')}.</p>`
    : html`<p id="usual">Not enough information to say what her usual is.</p>`;
}

function outcome(a: ReportAlert, tz: string): Html {
  const went = a.claims.length
    ? html` ${a.claims.map((c) => c.staff).join(', ')} went (${dayAndClock(a.claims[0]?.at ?? 0, tz)}).`
    : '';
  const ack = a.ack_by ? html` Acknowledged by ${a.ack_by}.` : '';
  const state = closed(a.state) ? a.state : `${a.state} (still open)`;
  return html`<strong>${state}</strong>.${ack}${went}${
    a.notes.length
      ? html`<ul class="notes">${a.notes.map((n) => html`<li>${dayAndClock(n.at, tz)}, ${n.staff}: ${n.note}</li>`)}</ul>`
      : html` No note.`
  }`;
}

function alerts(d: ReportData, tz: string): Html {
  const body = d.alerts.length
    ? html`<div class="table-wrap" tabindex="0" role="region" aria-label="Alerts in these weeks"><table>
<thead><tr><th scope="col">When</th><th scope="col">What happened</th><th scope="col">Outcome and notes</th></tr></thead>
<tbody>${d.alerts.map(
        (a) => html`<tr><td>${dayAndClock(Date.parse(a.first_at), tz)}</td>
<td><span class="badge ${a.severity}">${a.severity}</span> <a href="/alerts/${encodeURIComponent(a.gateway)}/${encodeURIComponent(a.alert_id)}">${a.reason}</a></td>
<td>${outcome(a, tz)}</td></tr>`,
      )}</tbody></table></div>${d.cut ? html`<p>Only the first ${d.alerts.length} alerts are listed.</p>` : ''}`
    : html`<p>No alert in these weeks.</p>`;
  return html`<section aria-labelledby="alerts-h"><h2 id="alerts-h">Alerts and their outcomes</h2>${body}</section>`;
}

function nightsTable(days: ReportDay[], u: Usual, n: number): Html {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Nights of week ${n}"><table>
<thead><tr><th scope="col">Night to</th><th scope="col">To bed</th><th scope="col">Up for the day</th><th scope="col">Time in bed</th><th scope="col">Up in the night</th><th scope="col">Against her usual</th></tr></thead>
<tbody>${days.map((d) => {
    const s = d.night?.sleep;
    if (!s)
      return html`<tr class="no-data"><th scope="row">${dayLabel(d.date)}</th><td colspan="5">No information about this night</td></tr>`;
    return html`<tr><th scope="row">${dayLabel(d.date)}</th><td>${isoClock(s.bedtime)}</td><td>${d.night?.over ? isoClock(s.wake) : 'not up yet'}</td>
<td>${s.time_in_bed_min === null ? '–' : duration(s.time_in_bed_min)}</td><td>${s.out_of_bed ? plural(s.out_of_bed.count, 'time') : '–'}</td>
<td>${againstUsual(d, u) || 'as usual'}</td></tr>`;
  })}</tbody></table></div>`;
}

function outTable(days: ReportDay[], n: number): Html {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Time out of the home, week ${n}"><table>
<thead><tr><th scope="col">Day</th><th scope="col">Time out of the home</th><th scope="col">When</th><th scope="col">Active at home</th></tr></thead>
<tbody>${days.map((d) => {
    const a = d.summary?.activity;
    if (!a)
      return html`<tr class="no-data"><th scope="row">${dayLabel(d.date)}</th><td colspan="3">No information for this day</td></tr>`;
    const spells = a.away.map(
      (s) =>
        `${s.from.slice(0, 10) < d.date ? 'before' : isoClock(s.from)}–${s.to.slice(0, 10) > d.date ? 'after' : isoClock(s.to)}`,
    );
    return html`<tr><th scope="row">${dayLabel(d.date)}</th><td>${a.out_of_home_min === null ? 'not known (no front-door sensor)' : a.out_of_home_min === 0 ? 'did not go out' : duration(a.out_of_home_min)}</td>
<td>${spells.join(', ') || '–'}</td><td>${duration(a.active_min)}</td></tr>`;
  })}</tbody></table></div>`;
}

function week(d: ReportData, i: number): Html {
  const days = d.days.slice(i * 7, i * 7 + 7);
  const strips = d.strips.slice(i * 7, i * 7 + 7);
  const n = i + 1;
  const span = `${dayLabel(days[0]?.date ?? '')} to ${dayLabel(days[days.length - 1]?.date ?? '')}`;
  return html`<section class="week" aria-labelledby="week-${n}-h"><h2 id="week-${n}-h">Week ${n} of ${d.weeks}: ${span}</h2>
<h3>Activity through the day</h3><div class="table-wrap strips-wrap" tabindex="0" role="region" aria-label="Activity through the day, week ${n}">${weekStrips(strips, `week-${n}-strips`)}</div>
<h3>Nights</h3>${nightsTable(days, d.usual, n)}
<h3>Time out of the home</h3>${outTable(days, n)}</section>`;
}

/** The form that picks the number of weeks, and the print button (console.js prints). */
function controls(d: ReportData): Html {
  const path = `/residents/${encodeURIComponent(d.resident)}`;
  const options = Array.from({ length: MAX_WEEKS - MIN_WEEKS + 1 }, (_, i) => i + MIN_WEEKS);
  return html`<div class="toolbar no-print"><form method="get" action="${path}/report" class="inline">
<label for="weeks" class="inline-label">Weeks</label> <select id="weeks" name="weeks">${options.map(
    (w) => html`<option value="${w}"${w === d.weeks ? html` selected` : ''}>${w}</option>`,
  )}</select> <button type="submit" class="secondary">Show</button></form>
<button type="button" id="print-report" data-print>Print</button>
<a href="${path}">Back to resident ${d.resident}</a></div>`;
}

export function reportBody(d: ReportData, tz: string): Html {
  const first = d.days[0]?.date ?? '';
  const last = d.days[d.days.length - 1]?.date ?? '';
  return html`<h1>Care-team report: resident ${d.resident}</h1>
<p class="muted" id="period">${plural(d.weeks, 'week')}, ${dayLabel(first)} ${first.slice(0, 4)} to ${dayLabel(last)} ${last.slice(0, 4)}. Made ${dayAndClock(d.now, tz)} by ${d.by}.</p>
${controls(d)}
${about(d)}
${usualLine(d.usual, d.weeks)}
${changes(d.changes)}
${alerts(d, tz)}
${Array.from({ length: d.weeks }, (_, i) => week(d, i))}`;
}
