// The days of a care-team report (README: A report for the care team): the weeks asked for, each
// day with its summary and the night that ended that morning, or nothing when none arrived; and
// each day as a strip of 24 hours (how busy each hour was, when she was in bed, when she was out)
// for plots drawn on the server. Times are the local ISO times the home wrote. Pure.
import type { SummaryMessage } from '../../protocol/messages.ts';
import type { NightRow } from './nights.ts';

export const MIN_WEEKS = 1;
export const MAX_WEEKS = 6;
export const DEFAULT_WEEKS = 4;

/** `?weeks=` as asked, held to 1..6; anything else is the default. */
export function weeksOf(asked: unknown): number {
  const n = typeof asked === 'string' && /^\d{1,2}$/.test(asked) ? Number(asked) : Number.NaN;
  return Number.isInteger(n) ? Math.min(MAX_WEEKS, Math.max(MIN_WEEKS, n)) : DEFAULT_WEEKS;
}

/** "2026-03-02" moved by n days. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The `weeks` whole weeks ending on `last` (a local date), oldest first. */
export function periodDates(last: string, weeks: number): string[] {
  return Array.from({ length: weeks * 7 }, (_, i) => addDays(last, i - weeks * 7 + 1));
}

export type ReportDay = {
  date: string;
  /** The day's summary, null when none arrived. */
  summary: SummaryMessage | null;
  /** The night that ended on this morning (from the summary or the `night` message), or null. */
  night: NightRow | null;
};

/** One ReportDay per date of the period, oldest first, whatever arrived or did not. */
export function reportDays(dates: string[], summaries: SummaryMessage[], nights: NightRow[]): ReportDay[] {
  const s = new Map(summaries.map((x) => [x.date, x]));
  const n = new Map(nights.map((x) => [x.date, x]));
  return dates.map((date) => ({ date, summary: s.get(date) ?? null, night: n.get(date) ?? null }));
}

/** Minutes after local midnight of `date`, clipped to the day: before it 0, after it 1440. */
export function minuteOn(date: string, iso: string): number {
  const d = iso.slice(0, 10);
  if (d < date) return 0;
  if (d > date) return 1440;
  return Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
}

export type Span = { from: number; to: number };

/** The parts of local intervals that fall on `date`, in minutes of that day. */
export function spansOn(date: string, intervals: { from: string; to: string }[]): Span[] {
  return intervals
    .map((i) => ({ from: minuteOn(date, i.from), to: minuteOn(date, i.to) }))
    .filter((s) => s.to > s.from);
}

/** How busy an hour was, 0 (nothing seen) to 4 (as busy as the busiest hour of the report). */
export const LEVELS = 4;

export function level(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.max(1, Math.min(LEVELS, Math.ceil((count / max) * LEVELS)));
}

export type DayStrip = {
  date: string;
  /** No summary arrived for the day: its hours are unknown, not quiet. */
  missing: boolean;
  /** Per hour 0..LEVELS; all 0 when missing. */
  levels: number[];
  /** In bed, in minutes of the day: the night that ended this morning and the one that began tonight. */
  inBed: Span[];
  /** Out of the home, in minutes of the day. */
  out: Span[];
};

/**
 * A day as a strip of hours. `next`: the following day, whose night began this evening. `max`:
 * the busiest hour of the whole report, so that the days' shades compare.
 */
export function dayStrip(day: ReportDay, next: ReportDay | undefined, max: number): DayStrip {
  const s = day.summary;
  const beds = [...(day.night?.sleep.in_bed ?? []), ...(next?.night?.sleep.in_bed ?? [])];
  return {
    date: day.date,
    missing: s === null,
    levels: s ? s.activity.per_hour.map((c) => level(c, max)) : Array.from({ length: 24 }, () => 0),
    inBed: mergeSpans(spansOn(day.date, beds)),
    out: s ? mergeSpans(spansOn(day.date, s.activity.away)) : [],
  };
}

/** The busiest hour over the days (0 when none has a summary). */
export const busiestHour = (days: ReportDay[]): number =>
  Math.max(0, ...days.flatMap((d) => d.summary?.activity.per_hour ?? []));

/** The strips of the days, each knowing the next day's night; `after`: the day after the last. */
export function dayStrips(days: ReportDay[], after?: ReportDay): DayStrip[] {
  const max = busiestHour(days);
  return days.map((d, i) => dayStrip(d, days[i + 1] ?? after, max));
}

/** Overlapping or touching spans as one (a night and a summary's copy of it overlap). */
function mergeSpans(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else out.push({ ...s });
  }
  return out;
}
