// Plots as SVG drawn on the server from the daily summaries: no chart library, no script, and
// the same picture on a phone. Each has a title and a description for screen readers; the page
// also gives the figures as a table. Pure: numbers in, markup out. The text is 11 units high, and a
// phone's stylesheet makes it 18 (style.ts): scaled down to a phone's width, still 11 CSS px.
import { escapeHtml, type Html, trusted } from './html.ts';

export type Night = {
  date: string;
  /** Intervals in bed, as local ISO times the home wrote. */
  inBed: { from: string; to: string }[];
  bedtime: string | null;
  wake: string | null;
  outOfBed: number | null;
  bathroom: number | null;
};

export type Day = { date: string; perHour: number[] };

const FONT = 'font-family="system-ui, sans-serif" font-size="11"';
/** Nights run from 20:00 to 12:00 the next day. */
const NIGHT_START_MIN = 20 * 60;
const NIGHT_LEN_MIN = 16 * 60;

/** Minutes after 20:00 of a local ISO time ("2026-03-02T23:10:00+00:00"). */
export function nightMinute(iso: string): number {
  const h = Number(iso.slice(11, 13));
  const m = Number(iso.slice(14, 16));
  const t = h * 60 + m;
  return t >= NIGHT_START_MIN ? t - NIGHT_START_MIN : t + 24 * 60 - NIGHT_START_MIN;
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

export function nightsPlot(nights: Night[], id = 'nights'): Html {
  const left = 56;
  const width = 600;
  const plotW = width - left - 90;
  const rowH = 22;
  const top = 22;
  const height = top + nights.length * rowH + 8;
  const x = (min: number) => left + (Math.min(Math.max(min, 0), NIGHT_LEN_MIN) / NIGHT_LEN_MIN) * plotW;
  const parts: string[] = [];
  for (let hour = 0; hour <= 16; hour += 4) {
    const gx = fmt(x(hour * 60));
    const label = String((20 + hour) % 24).padStart(2, '0');
    parts.push(
      `<line x1="${gx}" x2="${gx}" y1="${top - 4}" y2="${height - 6}" stroke="#c8c8c8"/>`,
      `<text x="${gx}" y="${top - 8}" text-anchor="middle" fill="#1f1f1f" ${FONT}>${label}:00</text>`,
    );
  }
  nights.forEach((n, i) => {
    const y = top + i * rowH;
    parts.push(
      `<text x="${left - 6}" y="${y + 15}" text-anchor="end" fill="#1f1f1f" ${FONT}>${escapeHtml(n.date.slice(5))}</text>`,
    );
    const spans = n.inBed.length ? n.inBed : n.bedtime && n.wake ? [{ from: n.bedtime, to: n.wake }] : [];
    for (const s of spans) {
      const a = x(nightMinute(s.from));
      const b = x(nightMinute(s.to));
      if (b > a)
        parts.push(
          `<rect x="${fmt(a)}" y="${y + 3}" width="${fmt(b - a)}" height="${rowH - 6}" rx="2" fill="#2f5f98"/>`,
        );
    }
    const marks = [n.outOfBed ? `${n.outOfBed} up` : '', n.bathroom ? `${n.bathroom} WC` : '']
      .filter(Boolean)
      .join(' · ');
    if (!spans.length)
      parts.push(`<text x="${left + 4}" y="${y + 15}" fill="#1f1f1f" ${FONT}>no night recorded</text>`);
    else if (marks)
      parts.push(
        `<text class="marks" x="${width - 84}" y="${y + 14}" fill="#1f1f1f" ${FONT}>${escapeHtml(marks)}</text>`,
      );
  });
  return trusted(
    `<svg id="${id}" class="plot" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" preserveAspectRatio="xMinYMin meet">` +
      `<title id="${id}-t">Time in bed, last ${nights.length} nights</title>` +
      `<desc id="${id}-d">One row per night from 20:00 to 12:00; a bar for each spell in bed; at the right, times out of bed (up) and bathroom visits (WC).</desc>` +
      parts.join('') +
      '</svg>',
  );
}

/** Sequential blues, light to dark; index 0 is no activity. */
const SHADES = ['#f2f4f7', '#d3e2f2', '#a9c8e8', '#6fa3d6', '#3b78b8', '#1d4f86'];

export function shade(count: number, max: number): string {
  if (count <= 0 || max <= 0) return SHADES[0] as string;
  const i = 1 + Math.min(SHADES.length - 2, Math.floor((count / max) * (SHADES.length - 1)));
  return SHADES[i] as string;
}

export function activityHeatmap(days: Day[], id = 'activity'): Html {
  const left = 56;
  const cell = 20;
  const top = 22;
  const width = left + 24 * cell + 8;
  const height = top + days.length * cell + 8;
  const max = Math.max(0, ...days.flatMap((d) => d.perHour));
  const parts: string[] = [];
  for (let h = 0; h < 24; h += 3)
    parts.push(
      `<text x="${left + h * cell + cell / 2}" y="${top - 8}" text-anchor="middle" fill="#1f1f1f" ${FONT}>${String(h).padStart(2, '0')}</text>`,
    );
  days.forEach((d, row) => {
    const y = top + row * cell;
    parts.push(
      `<text x="${left - 6}" y="${y + 14}" text-anchor="end" fill="#1f1f1f" ${FONT}>${escapeHtml(d.date.slice(5))}</text>`,
    );
    d.perHour.forEach((c, h) => {
      parts.push(
        `<rect x="${left + h * cell}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${shade(c, max)}"><title>${escapeHtml(d.date)} ${String(h).padStart(2, '0')}:00 — ${c} signs of life</title></rect>`,
      );
    });
  });
  return trusted(
    `<svg id="${id}" class="plot" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" preserveAspectRatio="xMinYMin meet">` +
      `<title id="${id}-t">Activity by hour, last ${days.length} days</title>` +
      `<desc id="${id}-d">One row per day, one square per hour; darker means more signs of life (busiest hour: ${max}).</desc>` +
      parts.join('') +
      '</svg>',
  );
}
