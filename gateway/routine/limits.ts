// The limits the rules use: learned from her routine (learn.ts), always inside the provisioning
// file's bounds, and the configured values exactly until enough days are known. A limit is a high
// quantile of her longest still spell of each day, there and then, plus a margin: long enough that
// her ordinary days are not prompted, short enough that a fall is found hours sooner than a fixed
// limit finds it.
import { formatDuration } from '../../config/values.ts';
import { quantile } from './learn.ts';
import { type Routine, SLOT_HOURS, type SpellPlace } from './types.ts';

/** Days with a spell in a slot (or in it and its neighbours) before they say what is usual there. */
export const MIN_SPELLS = 5;
const MARGIN_MS = 60 * 60_000;
const MARGIN_SHARE = 0.5;
/** Her getting-up time is learned from this many mornings at least. */
const MIN_MORNINGS = 5;
const GET_UP_MARGIN_MIN = 30;

/** Up to the next whole `step`: a learned limit is said in round figures, never shortened by it. */
const ceilTo = (x: number, step: number): number => Math.ceil(x / step) * step;

export type LearnedLimit = {
  limitMs: number;
  /** What her routine says, for the alert's sentence; absent while the configured value applies. */
  usual?: { q50Ms: number; maxMs: number; days: number };
};

/** Her longest still spell of each day in this slot (or, too few days, in it and its neighbours). */
function spellsAround(r: Routine, place: SpellPlace, minuteOfDay: number): number[] | null {
  const slots = r.still[place];
  if (!slots) return null;
  const n = slots.length;
  const i = Math.floor(minuteOfDay / 60 / SLOT_HOURS) % n;
  const own = slots[i] ?? [];
  if (own.length >= MIN_SPELLS) return own;
  const near = [...own, ...(slots[(i + n - 1) % n] ?? []), ...(slots[(i + 1) % n] ?? [])].sort(
    (a, b) => a - b,
  );
  return near.length >= MIN_SPELLS ? near : null;
}

/** The still limit for a spell that began at minuteOfDay in place, within [floor, ceiling]. */
export function stillLimit(
  r: Routine | null,
  o: { place: SpellPlace; minuteOfDay: number; floorMs: number; ceilingMs: number; learnAfter: number },
): LearnedLimit {
  if (!r || r.days < o.learnAfter) return { limitMs: o.ceilingMs };
  const spells = spellsAround(r, o.place, o.minuteOfDay);
  if (!spells) return { limitMs: o.ceilingMs };
  const q95 = quantile(spells, 0.95);
  const learned = q95 + Math.max(MARGIN_MS, q95 * MARGIN_SHARE);
  const limitMs = Math.min(o.ceilingMs, Math.max(o.floorMs, Math.round(learned / 60_000) * 60_000));
  return {
    limitMs,
    usual: { q50Ms: quantile(spells, 0.5), maxMs: spells[spells.length - 1] as number, days: r.days },
  };
}

/** "; at this time of day she is usually still for at most 40 m (longest in 14 days: 2 h 5 m)" */
export const usualStill = (l: LearnedLimit): string =>
  l.usual
    ? `; at this time of day she is usually still for at most ${inMinutes(l.usual.q50Ms)} (longest in ${l.usual.days} days: ${inMinutes(l.usual.maxMs)})`
    : '';

/** A learned span as the sentences say it: to the minute, at least one ("1 h 5 m"). */
export const inMinutes = (ms: number): string =>
  formatDuration(Math.max(60_000, Math.round(ms / 60_000) * 60_000));

export type LearnedGetUp = {
  /** Minutes after midnight by which she is up. */
  byMin: number;
  usual?: { q50Min: number; maxMin: number; days: number };
};

/** When she should be up: a late morning of hers and a margin, within [by, latest]. */
export function getUpBy(
  r: Routine | null,
  o: { byMin: number; latestMin: number; learnAfter: number },
): LearnedGetUp {
  const g = r?.getUp;
  if (!r || !g || r.days < o.learnAfter || g.n < Math.min(MIN_MORNINGS, o.learnAfter))
    return { byMin: o.byMin };
  const learned = ceilTo(g.q90Min + GET_UP_MARGIN_MIN, 5);
  return {
    byMin: Math.min(o.latestMin, Math.max(o.byMin, learned)),
    usual: { q50Min: g.q50Min, maxMin: g.maxMin, days: r.days },
  };
}

/** Times out she must have come back from before her longest says anything. */
const MIN_OUTINGS = 5;
/** Returns at night before her latest says by when she is back. */
const MIN_NIGHT_RETURNS = 3;
/** A day out longer than any in two weeks (a visit, a hospital appointment) is common: her longest
 *  and half as long again, two hours at least, and never under this. */
const OUT_FLOOR_MS = 4 * 60 * 60_000;
const OUT_MARGIN_MS = 2 * 60 * 60_000;
const BACK_MARGIN_MIN = 60;

export type LearnedAway = {
  limitMs: number;
  /** Minutes after noon by which she is back at night (learned), or null. */
  backByFromNoon: number | null;
  usual?: { q50Ms: number; maxMs: number; latestReturnMin: number | null; days: number };
};

/** How long she may be out, and by when back at night: from her own times out, within `after`. */
export function awayLimits(r: Routine | null, o: { afterMs: number; learnAfter: number }): LearnedAway {
  const g = r?.outings;
  if (!r || !g || r.days < o.learnAfter || g.n < MIN_OUTINGS)
    return { limitMs: o.afterMs, backByFromNoon: null };
  const learned = Math.max(g.maxMs + OUT_MARGIN_MS, g.maxMs * 1.5, OUT_FLOOR_MS);
  const limitMs = Math.min(o.afterMs, ceilTo(learned, 15 * 60_000));
  const late = g.nightReturns >= MIN_NIGHT_RETURNS && g.latestReturnMin !== null;
  const backByFromNoon = late ? ceilTo((g.latestReturnMin as number) + BACK_MARGIN_MIN, 15) : null;
  return {
    limitMs,
    backByFromNoon: backByFromNoon !== null && backByFromNoon < 24 * 60 ? backByFromNoon : null,
    usual: {
      q50Ms: g.q50Ms,
      maxMs: g.maxMs,
      latestReturnMin: late ? (g.latestReturnMin as number) : null,
      days: r.days,
    },
  };
}

/** Times up in the night before they say how long she is usually up. */
const MIN_NIGHT_UPS = 5;
const NIGHT_UP_FLOOR_MS = 15 * 60_000;
const NIGHT_UP_MARGIN_MS = 10 * 60_000;

export type LearnedNightUp = { afterMs: number; usual?: { q95Ms: number; maxMs: number; days: number } };

/** How long she may be up in the night: a long time up of hers and a margin, within [15 m, after]. */
export function nightUpLimit(r: Routine | null, o: { afterMs: number; learnAfter: number }): LearnedNightUp {
  const g = r?.nightUps;
  if (!r || !g || r.days < o.learnAfter || g.n < MIN_NIGHT_UPS) return { afterMs: o.afterMs };
  const learned = Math.max(g.q95Ms + NIGHT_UP_MARGIN_MS, g.q95Ms * 1.5, NIGHT_UP_FLOOR_MS);
  const afterMs = Math.min(o.afterMs, ceilTo(learned, 5 * 60_000));
  return { afterMs, usual: { q95Ms: g.q95Ms, maxMs: g.maxMs, days: r.days } };
}
