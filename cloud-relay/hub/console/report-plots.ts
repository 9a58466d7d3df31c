// A week of a care-team report as one SVG drawn on the server: a row per day, midnight to
// midnight; in each hour a square shaded by how busy she was, and under them a bar for each spell
// in bed and a striped bar for each spell out of the home. Greys only, so that it prints as it
// shows; text at 12 units in a 640-wide picture stays readable on A4. Pure: numbers in, markup out.
import { hhmmOf } from '../../../core/zone.ts';
import { escapeHtml, type Html, trusted } from './html.ts';
import type { DayStrip } from './report-days.ts';

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
/** Level 0 (nothing seen) to 4 (busiest), light to dark; level 4 carries white text nowhere. */
export const LEVEL_FILL = ['#ffffff', '#d9d9d9', '#a6a6a6', '#6e6e6e', '#303030'];
export const LEVEL_WORD = ['nothing seen', 'a little', 'some', 'busy', 'very busy'];
const BED_FILL = '#303030';

const LEFT = 84;
const CELL = 22;
const TOP = 26;
const ROW = 40;
const WIDTH = LEFT + 24 * CELL + 22;

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();
const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

/** "Mon 2 Mar" from "2026-03-02". */
export function dayLabel(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  }).format(Date.UTC(y, m - 1, d));
}

function row(d: DayStrip, i: number, hatch: string): string {
  const y = TOP + i * ROW;
  const x = (min: number) => LEFT + (min / 60) * CELL;
  const label = escapeHtml(dayLabel(d.date));
  const parts = [
    `<text x="${LEFT - 6}" y="${y + 14}" text-anchor="end" fill="#1f1f1f" ${FONT}>${label}</text>`,
  ];
  if (d.missing)
    // Unknown, not quiet: a dashed box where the hours would be; a night known from the next
    // morning's summary still shows under it.
    parts.push(
      `<rect x="${LEFT}" y="${y}" width="${24 * CELL}" height="18" fill="#ffffff" stroke="#6e6e6e" stroke-dasharray="4 3"/>`,
      `<text x="${LEFT + 8}" y="${y + 13}" fill="#1f1f1f" ${FONT}>No information from the home for this day</text>`,
    );
  else
    d.levels.forEach((lv, h) => {
      parts.push(
        `<rect x="${LEFT + h * CELL}" y="${y}" width="${CELL - 1}" height="18" fill="${LEVEL_FILL[lv]}" stroke="#8c8c8c" stroke-width="0.5"><title>${label} ${hh(h)}–${hh(h + 1)}: ${LEVEL_WORD[lv]}</title></rect>`,
      );
    });
  for (const s of d.inBed)
    parts.push(
      `<rect x="${fmt(x(s.from))}" y="${y + 21}" width="${fmt(Math.max(1, x(s.to) - x(s.from)))}" height="7" fill="${BED_FILL}"><title>${label}: in bed ${hhmmOf(s.from)}–${hhmmOf(s.to)}</title></rect>`,
    );
  for (const s of d.out)
    parts.push(
      `<rect x="${fmt(x(s.from))}" y="${y + 29}" width="${fmt(Math.max(1, x(s.to) - x(s.from)))}" height="7" fill="url(#${hatch})" stroke="#1f1f1f" stroke-width="1"><title>${label}: out of the home ${hhmmOf(s.from)}–${hhmmOf(s.to)}</title></rect>`,
    );
  return parts.join('');
}

/** One week's days as strips; `id` is unique on the page (a report holds up to six). */
export function weekStrips(days: DayStrip[], id: string): Html {
  const height = TOP + days.length * ROW + 4;
  const axis: string[] = [];
  for (let h = 0; h <= 24; h += 3) {
    const gx = LEFT + h * CELL;
    axis.push(
      `<line x1="${gx}" x2="${gx}" y1="${TOP - 4}" y2="${height - 4}" stroke="#c8c8c8"/>`,
      `<text x="${gx}" y="${TOP - 9}" text-anchor="middle" fill="#1f1f1f" ${FONT}>${hh(h % 24)}</text>`,
    );
  }
  const first = days[0]?.date ?? '';
  const last = days[days.length - 1]?.date ?? '';
  return trusted(
    `<svg id="${id}" class="plot strips" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" preserveAspectRatio="xMinYMin meet">` +
      `<title id="${id}-t">Activity through the day, ${escapeHtml(dayLabel(first))} to ${escapeHtml(dayLabel(last))}</title>` +
      `<desc id="${id}-d">One row per day from midnight to midnight. Squares: how busy each hour was, white for nothing seen, darker for busier. Solid bar: in bed. Striped bar: out of the home. The same figures are in the tables below.</desc>` +
      `<defs><pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#1f1f1f" stroke-width="2.5"/></pattern></defs>` +
      axis.join('') +
      days.map((d, i) => row(d, i, `${id}-hatch`)).join('') +
      '</svg>',
  );
}
