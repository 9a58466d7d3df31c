// Answer-time figures, the way an alarm-receiving centre is held to them (TSA: 97.5% of calls
// answered within 60 s, 99% within 180 s): per operator and per shift, how many alerts, the median
// and 95th percentile time to the first answer (acknowledgement or claim), and the share answered
// within each target. An alert that ended at the home (the resident pressed "I'm OK", or it
// cleared) before anyone at the hub answered was no unanswered call: it is counted apart, in no
// share. Pure over rows; the loader (call-answers.ts) reads them.
import { zoneNamed } from '../../core/zone.ts';

/** One alert: when the hub had it, when and by whom it was first answered, how long it waited unanswered. */
export type AnswerRow = {
  raised: number;
  answered: number | null;
  staff: string | null;
  ended: number | null;
  /** `ended` was the home's: cancelled or resolved there (a home's alert), not cleared by the hub. */
  atHome?: boolean;
};

export type Figures = {
  /** Alerts raised in the group that were calls to answer: not those that ended at the home first. */
  count: number;
  /** Alerts that ended at the home before anyone answered: in no share. */
  endedAtHome: number;
  answered: number;
  /** Time to answer in ms, over the answered; null with none. */
  median: number | null;
  p95: number | null;
  /** Per target: answered within it / alerts that can be judged against it; null with none. */
  within: (number | null)[];
};

/** The middle value (the mean of the two middle ones when even). Pure; `sorted` ascending. */
export function median(sorted: number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const m = Math.floor(n / 2);
  return n % 2 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
}

/** The middle value of values in any order. Pure. */
export const medianOf = (xs: readonly number[]): number | null => median([...xs].sort((a, b) => a - b));

/** The nearest-rank percentile: the smallest value with at least p% of values at or below it. Pure. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Ended at the home before the hub's first answer (or with none): no call left unanswered. Pure. */
export const endedFirst = (r: AnswerRow): boolean =>
  r.atHome === true && r.ended !== null && (r.answered === null || r.answered > r.ended);

/**
 * An alert counts against a target once it can be judged: answered (in time or not), or unanswered
 * for longer than the target (until it ended, or until now). One that ended unanswered sooner
 * (cancelled at home in 20 s) neither meets nor misses it.
 */
export function figures(all: AnswerRow[], targets: readonly number[], now: number): Figures {
  const rows = all.filter((r) => !endedFirst(r));
  const waits = rows
    .filter((r) => r.answered !== null)
    .map((r) => Math.max(0, (r.answered as number) - r.raised))
    .sort((a, b) => a - b);
  const within = targets.map((t) => {
    let judged = 0;
    let met = 0;
    for (const r of rows) {
      if (r.answered !== null) {
        judged++;
        if (r.answered - r.raised <= t) met++;
      } else if ((r.ended ?? now) - r.raised > t) judged++;
    }
    return judged ? met / judged : null;
  });
  return {
    count: rows.length,
    endedAtHome: all.length - rows.length,
    answered: waits.length,
    median: median(waits),
    p95: percentile(waits, 95),
    within,
  };
}

/** The start of the shift instant t falls in, and its label ("2026-12-07 20:00"). Pure. */
export function shiftOf(
  t: number,
  starts: readonly string[],
  timezone: string,
): { start: number; label: string } {
  const z = zoneNamed(timezone);
  let best: { start: number; label: string } | null = null;
  for (const s of starts)
    for (const shift of [0, -1]) {
      const at = z.at(t, s, shift);
      if (at <= t && (!best || at > best.start)) best = { start: at, label: `${z.date(at)} ${s}` };
    }
  // Every day has each start once, so one of yesterday's is at or before t.
  return best as { start: number; label: string };
}

export type FigureGroup = { key: string; figures: Figures };

/** Figures grouped by who answered (unanswered alerts belong to nobody) and by the shift raised in. Pure. */
export function answerFigures(
  rows: AnswerRow[],
  o: { targets: readonly number[]; shifts: readonly string[]; timezone: string; now: number },
): { all: Figures; operators: FigureGroup[]; shifts: FigureGroup[] } {
  const group = (key: (r: AnswerRow) => string | null) => {
    const by = new Map<string, AnswerRow[]>();
    for (const r of rows) {
      const k = key(r);
      if (k === null) continue;
      const list = by.get(k);
      if (list) list.push(r);
      else by.set(k, [r]);
    }
    return [...by].map(([k, rs]) => ({ key: k, figures: figures(rs, o.targets, o.now) }));
  };
  const shiftStarts = new Map<string, number>();
  const shifts = group((r) => {
    const s = shiftOf(r.raised, o.shifts, o.timezone);
    shiftStarts.set(s.label, s.start);
    return s.label;
  }).sort((a, b) => (shiftStarts.get(b.key) ?? 0) - (shiftStarts.get(a.key) ?? 0));
  return {
    all: figures(rows, o.targets, o.now),
    operators: group((r) => r.staff).sort((a, b) => a.key.localeCompare(b.key)),
    shifts,
  };
}
