// Sleep from motion alone: bedtime is the last activity outside the bedroom before the longest
// night-time quiet spell, wake the first activity outside the bedroom after it. A short burst of
// activity between two quiet spells (a night-time visit to the bathroom) stays inside the night.
import { bedroomSensors, type Day, MINUTE, overlap, type Span } from './timeline.ts';

/** Back in the bedroom this soon after a night-time visit elsewhere. */
const RETURN_MS = 15 * MINUTE;
/** Bedroom activity this close to bedtime and wake makes motion alone more believable. */
const EVIDENCE_MS = 30 * MINUTE;
/** A quiet spell that overlaps time away by more than this is an absence, not a night. */
const AWAY_SLACK_MS = 5 * MINUTE;

type View = {
  day: Day;
  /** Signs of life outside the bedroom, in time order. */
  outside: number[];
  bedroomSensed: boolean;
  /** A sign of life in the bedroom in (from, to]. */
  seenIn: (from: number, to: number) => boolean;
  awayIn: (s: Span) => number;
};

export type MotionNight = { period: Span; visits: Span[]; bedroomSaw: boolean };

export function motionPeriod(day: Day): MotionNight | null {
  const bedroom = day.life.filter((e) => day.bedroom !== null && e.room === day.bedroom).map((e) => e.at);
  const v: View = {
    day,
    outside: day.life.filter((e) => e.room !== null && e.room !== day.bedroom).map((e) => e.at),
    bedroomSensed: bedroomSensors(day).length > 0,
    seenIn: (from, to) => bedroom.some((t) => t > from && t <= to),
    awayIn: (s) => day.away.reduce((n, a) => n + overlap(a, s), 0),
  };
  const best = longestQuiet(v);
  if (best < 0) return null;
  const visits: Span[] = [];
  const b = extendForward(v, best + 1, visits);
  const a = extendBackward(v, best, visits);
  const period = { start: v.outside[a] as number, end: v.outside[b] as number };
  if (period.end - period.start < day.options.minSleepMs) return null;
  const bedroomSaw =
    v.bedroomSensed &&
    v.seenIn(period.start, period.start + EVIDENCE_MS) &&
    v.seenIn(period.end - EVIDENCE_MS, period.end);
  return { period, visits, bedroomSaw };
}

/** Index of the activity that starts the quiet spell overlapping the search window most; -1 if none is long enough. */
function longestQuiet(v: View): number {
  let best = -1;
  let bestScore = 0;
  for (let i = 0; i + 1 < v.outside.length; i++) {
    const gap = { start: v.outside[i] as number, end: v.outside[i + 1] as number };
    const score = overlap(gap, v.day.search);
    if (score >= v.day.options.minSleepMs && score > bestScore && v.awayIn(gap) <= AWAY_SLACK_MS) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/** After the spell: a short burst, then quiet again. Returns the index of the wake activity. */
function extendForward(v: View, b: number, visits: Span[]): number {
  const { outside, day } = v;
  const o = day.options;
  for (;;) {
    let j = b;
    while (j + 1 < outside.length && (outside[j + 1] as number) - (outside[j] as number) < o.visitGapMs) j++;
    const from = outside[b] as number;
    const to = outside[j] as number;
    const next = outside[j + 1];
    if (next === undefined || to - from > o.excursionMaxMs || next - to < o.excursionQuietMs) return b;
    if (to >= day.search.end || v.awayIn({ start: from, end: next }) > 0) return b;
    if (v.bedroomSensed && !v.seenIn(to, to + RETURN_MS)) return b;
    visits.push({ start: from, end: to });
    b = j + 1;
  }
}

/**
 * Before the spell: the bedroom saw the resident go to bed before the visit and come back after
 * it; or, with no bedroom sensor, the visit took in the bathroom and the quiet before it lay
 * mostly in the night window (an evening in a chair, unseen by the lounge sensor, is not taken).
 * Returns the index of the bedtime activity.
 */
function extendBackward(v: View, a: number, visits: Span[]): number {
  const { outside, day } = v;
  const o = day.options;
  const bathroomAt = new Set(day.life.filter((e) => e.room === 'bathroom').map((e) => e.at));
  for (;;) {
    let j = a;
    while (j - 1 >= 0 && (outside[j] as number) - (outside[j - 1] as number) < o.visitGapMs) j--;
    const from = outside[j] as number;
    const to = outside[a] as number;
    const prev = outside[j - 1];
    if (prev === undefined || to - from > o.excursionMaxMs || from - prev < o.excursionQuietMs) return a;
    if (prev < day.search.start) return a;
    const quiet = { start: prev, end: from };
    const believed = v.bedroomSensed
      ? v.seenIn(prev, prev + RETURN_MS) && v.seenIn(to, to + RETURN_MS)
      : outside.slice(j, a + 1).some((t) => bathroomAt.has(t)) &&
        overlap(quiet, day.night) * 2 >= quiet.end - quiet.start;
    if (!believed) return a;
    visits.unshift({ start: from, end: to });
    a = j - 1;
  }
}
