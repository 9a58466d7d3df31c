// The answer-time figures page (admins): per shift and per operator, how many alerts, the median
// and 95th percentile time to the first answer, and the share answered within each target, set
// beside the TSA's 97.5% within 60 s and 99% within 180 s.
import type { FigureGroup, Figures } from '../../call-figures.ts';
import { span } from '../format.ts';
import { type Html, html } from '../html.ts';

/** What the TSA holds a monitoring centre to at its two answer-time targets. */
const TSA_SHARE = [0.975, 0.99];

/** In seconds under ten minutes, as the targets are spoken of ("60 s", "180 s"). */
function secs(ms: number | null): string {
  if (ms === null) return '–';
  const s = Math.round(ms / 1000);
  if (s < 600) return `${s} s`;
  return s < 3600 ? `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s` : span(ms);
}
const pct = (x: number | null) => (x === null ? '–' : `${(Math.floor(x * 1000) / 10).toFixed(1)} %`);

function cells(f: Figures): Html {
  return html`<td>${f.count}</td><td>${f.answered}</td><td>${f.endedAtHome}</td><td>${secs(f.median)}</td><td>${secs(f.p95)}</td>${f.within.map(
    (w, i) => {
      // Said in words, not by colour alone.
      const below = w !== null && w < (TSA_SHARE[i] ?? 1);
      return html`<td${below ? html` data-below` : ''}>${pct(w)}${below ? html` <strong>below the standard</strong>` : ''}</td>`;
    },
  )}`;
}

function table(
  caption: string,
  first: string,
  rows: FigureGroup[],
  targets: readonly number[],
  all?: Figures,
): Html {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="${caption}"><table>
<caption>${caption}</caption>
<thead><tr><th scope="col">${first}</th><th scope="col">Alerts</th><th scope="col">Answered</th><th scope="col">Ended at the home before an answer</th><th scope="col">Median</th><th scope="col">95th percentile</th>${targets.map(
    (t, i) => html`<th scope="col">Within ${secs(t)} (standard ${pct(TSA_SHARE[i] ?? null)})</th>`,
  )}</tr></thead>
<tbody>${rows.map((r) => html`<tr data-group="${r.key}"><th scope="row">${r.key}</th>${cells(r.figures)}</tr>`)}${
    all ? html`<tr data-group="all"><th scope="row">All</th>${cells(all)}</tr>` : ''
  }</tbody></table></div>`;
}

export type AnswerTimesView = {
  days: number;
  targets: readonly number[];
  all: Figures;
  operators: FigureGroup[];
  shifts: FigureGroup[];
};

export function answerTimesBody(v: AnswerTimesView): Html {
  return html`<h1>Answer times</h1>
<form class="toolbar" method="get" action="/admin/answer-times"><div><label for="days">Days</label>
<input type="number" id="days" name="days" min="1" max="92" value="${v.days}"></div><div><button type="submit">Show</button></div></form>
<p class="muted">Alerts the hub had in the last ${v.days} day${v.days === 1 ? '' : 's'}, the homes' (not their daily test calls) and its own. Time to answer: from the hub having the alert to its first acknowledgement or claim. An alert still unanswered counts against a target once it has waited longer; one that ended unanswered sooner does not count against it. One that ended at the home (cancelled or resolved there, as when the resident pressed "I'm OK") before anyone answered was no unanswered call: it is counted apart and in no share. Operators: whoever answered first.</p>
<p id="ended-at-home">Ended at the home before an answer: <strong>${v.all.endedAtHome}</strong>.</p>
${table('By shift', 'Shift starting', v.shifts, v.targets, v.all)}
${table('By operator', 'Operator', v.operators, v.targets)}`;
}
