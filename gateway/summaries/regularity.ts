// The mental-health view: sleep regularity (the Sleep Regularity Index), mid-sleep and its drift,
// night-time activity and days without leaving home. Earlier days come from their summaries, so
// the cost grows with the number of days looked back, never with their events.

import type { Zone } from '../../core/zone.ts';
import { CHECK_IN_ANSWERS } from '../rules/check-in.ts';
import {
  addDays,
  type Day,
  distinctMinutes,
  fromInterval,
  localAt,
  minutesFromNoon,
  within,
} from './timeline.ts';
import type { DaySummary, Interval, MentalHealthSummary, SleepSummary } from './types.ts';

const SLOTS = 1440;

/** Asleep (in bed) per local minute of a sleep day, noon to noon by the clock. */
function grid(zone: Zone, date: string, inBed: Interval[]): Uint8Array {
  const spans = inBed.map(fromInterval);
  const out = new Uint8Array(SLOTS);
  for (let m = 0; m < SLOTS; m++) {
    const t = localAt(zone, date, 720 + m, -1);
    out[m] = spans.some((s) => t >= s.start && t < s.end) ? 1 : 0;
  }
  return out;
}

/**
 * Sleep Regularity Index (Phillips et al., 2017) over the `n` days ending on `date`: the chance of
 * being in the same state (asleep or awake) at the same clock minute on consecutive days, scaled
 * to -100..100 (100: the same every day). Pairs with a day missing are left out; with fewer than
 * two thirds of the pairs there, there is no index.
 */
export function sleepRegularity(
  zone: Zone,
  date: string,
  n: number,
  timelines: ReadonlyMap<string, Interval[]>,
): number | null {
  const dates = Array.from({ length: n }, (_, i) => addDays(date, i - n + 1));
  const grids = new Map<string, Uint8Array>();
  const gridOf = (d: string) => {
    const inBed = timelines.get(d);
    if (!inBed) return undefined;
    const g = grids.get(d) ?? grid(zone, d, inBed);
    grids.set(d, g);
    return g;
  };
  let pairs = 0;
  let same = 0;
  for (let i = 0; i + 1 < dates.length; i++) {
    const a = gridOf(dates[i] as string);
    const b = gridOf(dates[i + 1] as string);
    if (!a || !b) continue;
    pairs++;
    for (let m = 0; m < SLOTS; m++) if (a[m] === b[m]) same++;
  }
  if (pairs < Math.ceil(((n - 1) * 2) / 3)) return null;
  return Math.round((-100 + (200 * same) / (pairs * SLOTS)) * 10) / 10;
}

/** Least-squares slope of mid-sleep (minutes after noon) against the day, over the last 7 nights. */
export function midSleepDrift(date: string, midSleeps: ReadonlyMap<string, string>): number | null {
  const points: [number, number][] = [];
  for (let i = -6; i <= 0; i++) {
    const iso = midSleeps.get(addDays(date, i));
    if (iso) points.push([i, minutesFromNoon(iso)]);
  }
  if (points.length < 4) return null;
  const mx = points.reduce((s, [x]) => s + x, 0) / points.length;
  const my = points.reduce((s, [, y]) => s + y, 0) / points.length;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return Math.round((sxy / sxx) * 10) / 10;
}

export function summarizeMentalHealth(
  day: Day,
  sleep: SleepSummary,
  outOfHomeMin: number | null,
  history: DaySummary[],
): MentalHealthSummary {
  const timelines = new Map<string, Interval[]>();
  const mids = new Map<string, string>();
  for (const h of history) {
    if (h.sleep.source !== 'none') timelines.set(h.date, h.sleep.inBed);
    if (h.sleep.midSleep) mids.set(h.date, h.sleep.midSleep);
  }
  if (sleep.source !== 'none') timelines.set(day.date, sleep.inBed);
  if (sleep.midSleep) mids.set(day.date, sleep.midSleep);
  const night = day.life
    .filter((e) => e.room !== null && e.room !== day.bedroom && within(e.at, day.night))
    .map((e) => e.at);
  const yesterday = history.find((h) => h.date === addDays(day.date, -1));
  const before = yesterday?.mentalHealth.daysWithoutLeaving;
  return {
    sri7: sleepRegularity(day.zone, day.date, 7, timelines),
    sri14: sleepRegularity(day.zone, day.date, 14, timelines),
    midSleep: sleep.midSleep,
    midSleepDriftMinPerDay: midSleepDrift(day.date, mids),
    nightActivityMin: distinctMinutes(night),
    daysWithoutLeaving: outOfHomeMin === null ? null : outOfHomeMin > 0 ? 0 : (before ?? 0) + 1,
    checkIns: day.events.flatMap((e) => {
      const answer = CHECK_IN_ANSWERS[String(e.value)];
      const today = e.at >= day.day.start && e.at < day.day.end;
      return today && answer && e.kind === 'button' && day.devices.get(e.device)?.role === 'check-in'
        ? [{ at: day.zone.iso(e.at), answer }]
        : [];
    }),
  };
}
