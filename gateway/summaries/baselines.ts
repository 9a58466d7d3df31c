// The resident's own baselines: each figure beside the median of the previous 14 days (when at
// least 7 have it), and the figures outside the usual range, each with a sentence for a carer.
import { formatDuration } from '../../config/values.ts';
import { addDays, clockOfMinutesFromNoon, MINUTE, minutesFromNoon } from './timeline.ts';
import type { Baseline, DaySummary, Notable } from './types.ts';

export const BASELINE_DAYS = 14;
export const MIN_BASELINE_DAYS = 7;

type Unit = 'count' | 'minutes' | 'clock' | 'number';
type Figure = { figure: string; unit: Unit; get: (s: DaySummary) => number | null };

const clock = (iso: string | null) => (iso ? minutesFromNoon(iso) : null);

/** The figures that get a baseline. Clock times are minutes after noon, so a night does not wrap. */
export const FIGURES: readonly Figure[] = [
  { figure: 'bedtime', unit: 'clock', get: (s) => clock(s.sleep.bedtime) },
  { figure: 'wake', unit: 'clock', get: (s) => clock(s.sleep.wake) },
  { figure: 'time_in_bed_min', unit: 'minutes', get: (s) => s.sleep.timeInBedMin },
  { figure: 'out_of_bed_count', unit: 'count', get: (s) => s.sleep.outOfBed?.count ?? null },
  { figure: 'out_of_bed_min', unit: 'minutes', get: (s) => s.sleep.outOfBed?.totalMin ?? null },
  { figure: 'bathroom_visits', unit: 'count', get: (s) => s.sleep.bathroomVisits },
  { figure: 'night_activity_min', unit: 'minutes', get: (s) => s.mentalHealth.nightActivityMin },
  { figure: 'active_min', unit: 'minutes', get: (s) => s.activity.activeMin },
  { figure: 'out_of_home_min', unit: 'minutes', get: (s) => s.activity.outOfHomeMin },
  { figure: 'meals_with_kitchen_activity', unit: 'count', get: (s) => s.activity.kitchen.mealsWithActivity },
  { figure: 'fridge_opened', unit: 'count', get: (s) => s.activity.kitchen.fridgeOpened },
  { figure: 'steps', unit: 'number', get: (s) => s.activity.steps },
  { figure: 'heart_rate_night_mean', unit: 'number', get: (s) => s.sleep.heartRate?.mean ?? null },
];

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const show = (unit: Unit, x: number): number | string =>
  unit === 'clock' ? clockOfMinutesFromNoon(x) : Math.round(x * 10) / 10;

type Usual = { figure: Figure; value: number | null; median: number; days: number };

/**
 * Each figure with at least 7 values in the 14 days before `today.date`. A day a care mode touched
 * (away, a visitor, a technician) is not one of her usual days and is left out.
 */
export function usualRanges(today: DaySummary, history: DaySummary[]): Usual[] {
  const from = addDays(today.date, -BASELINE_DAYS);
  const previous = history.filter((h) => h.date >= from && h.date < today.date && !h.modes?.length);
  const out: Usual[] = [];
  for (const f of FIGURES) {
    const values = previous.map(f.get).filter((v): v is number => v !== null);
    if (values.length < MIN_BASELINE_DAYS) continue;
    out.push({ figure: f, value: f.get(today), median: median(values), days: values.length });
  }
  return out;
}

export const baselines = (usual: Usual[]): Baseline[] =>
  usual.map((u) => ({
    figure: u.figure.figure,
    value: u.value === null ? null : show(u.figure.unit, u.value),
    median: show(u.figure.unit, u.median),
    days: u.days,
  }));

const dur = (min: number) => formatDuration(Math.round(min) * MINUTE);
const times = (n: number) => (n === 1 ? 'once' : `${Math.round(n * 10) / 10} times`);
const hm = clockOfMinutesFromNoon;

type Check = {
  figure: string;
  fires: (v: number, m: number) => boolean;
  text: (v: number, m: number) => string;
};

/** What counts as outside the usual range, figure by figure. */
export const CHECKS: readonly Check[] = [
  {
    figure: 'bathroom_visits',
    fires: (v, m) => v >= Math.max(2 * m, m + 2),
    text: (v, m) => `Went to the bathroom ${times(v)} in the night; usually ${times(m)}.`,
  },
  {
    figure: 'active_min',
    fires: (v, m) => m > 0 && v <= 0.6 * m,
    text: (v, m) => `Much less active than usual: movement seen in ${dur(v)} of the day, usually ${dur(m)}.`,
  },
  {
    figure: 'bedtime',
    fires: (v, m) => Math.abs(v - m) > 90,
    text: (v, m) => `Went to bed at ${hm(v)}, ${v > m ? 'later' : 'earlier'} than usual (about ${hm(m)}).`,
  },
  {
    figure: 'wake',
    fires: (v, m) => Math.abs(v - m) > 90,
    text: (v, m) => `Got up at ${hm(v)}, ${v > m ? 'later' : 'earlier'} than usual (about ${hm(m)}).`,
  },
  {
    figure: 'time_in_bed_min',
    fires: (v, m) => v <= 0.6 * m || (v >= 1.5 * m && v - m >= 60),
    text: (v, m) =>
      v === 0
        ? `No sleep was found last night; usually about ${dur(m)} in bed.`
        : `${v < m ? 'Only ' : ''}${dur(v)} in bed last night; usually about ${dur(m)}.`,
  },
  {
    figure: 'out_of_bed_min',
    fires: (v, m) => v >= Math.max(2 * m, m + 30),
    text: (v, m) =>
      `Out of bed for ${dur(v)} in the night; usually ${m > 0 ? `about ${dur(m)}` : 'not at all'}.`,
  },
  {
    figure: 'night_activity_min',
    fires: (v, m) => v >= Math.max(2 * m, m + 15),
    text: (v, m) =>
      `Up and about for ${dur(v)} in the night; usually ${m > 0 ? `about ${dur(m)}` : 'not at all'}.`,
  },
  {
    figure: 'steps',
    fires: (v, m) => m > 0 && v <= 0.6 * m,
    text: (v, m) => `${Math.round(v)} steps today; usually about ${Math.round(m)}.`,
  },
  {
    figure: 'meals_with_kitchen_activity',
    fires: (v, m) => v <= m - 2,
    text: (v, m) => `The kitchen was used at ${v} of the usual meal times; usually ${Math.round(m)}.`,
  },
];

export function notable(usual: Usual[]): Notable[] {
  const out: Notable[] = [];
  for (const check of CHECKS) {
    const u = usual.find((x) => x.figure.figure === check.figure);
    if (!u || u.value === null || !check.fires(u.value, u.median)) continue;
    out.push({
      figure: check.figure,
      value: show(u.figure.unit, u.value),
      usual: show(u.figure.unit, u.median),
      text: check.text(u.value, u.median),
    });
  }
  return out;
}
