// What Hearth has learned of the resident's routine from her own stored history: how long she
// usually stays still, by place and time of day, and when she usually gets up. The rules read it
// through limits.ts, always inside the provisioning file's bounds.

/** Where a still spell was spent, as the inactivity limits see it. */
export type SpellPlace = 'room' | 'chair' | 'bed' | 'bathroom';

export type Routine = {
  /** The instant learned at, and the days of history it saw (days with a reading, but for those in
   *  a care mode). */
  asOf: number;
  days: number;
  /** By place, by slot of the day (SLOT_HOURS each, from midnight): the longest still spell of
   *  each day that began there, in milliseconds, shortest first. */
  still: Partial<Record<SpellPlace, number[][]>>;
  /** Her getting-up times (minutes after midnight, local): the usual, a high one and the latest. */
  getUp: { n: number; q50Min: number; q90Min: number; maxMin: number } | null;
  /** Her times out by the front door: how many, the usual length and the longest (ms); and of
   *  those she came back from at night (22:00–06:00), the latest return, in minutes after noon
   *  (so that 23:30 is before 01:40). */
  outings: {
    n: number;
    q50Ms: number;
    maxMs: number;
    nightReturns: number;
    latestReturnMin: number | null;
  } | null;
  /** Her times up in the night (out of bed and back within the night window): how many, the
   *  95th percentile and the longest (ms). */
  nightUps: { n: number; q95Ms: number; maxMs: number } | null;
};

/** The day in slots: two hours each, enough spells in each from two weeks of one person's days. */
export const SLOT_HOURS = 2;

/**
 * Minutes after midnight to minutes after noon, and back (the same shift both ways): returns at
 * night are compared on it, so that 23:30 comes before 01:40.
 */
export const noonShift = (minute: number): number => (minute + 12 * 60) % (24 * 60);
