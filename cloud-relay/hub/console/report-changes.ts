// What changed in the report's last week against the weeks before it, in sentences a carer reads
// ("Up in the night more often in the last week (3 nights vs 1 usually)"). Only changes big enough
// to matter are said; a figure with too few days on either side says nothing. Days with a care
// mode on (someone staying, away) are not her usual days and are left out, as the home's own
// baselines do. Pure.
import { hhmmOf } from '../../../core/zone.ts';
import { medianOf } from '../call-figures.ts';
import { clockOfEvening, eveningMinute } from './format.ts';
import type { ReportDay } from './report-days.ts';

export type Change = { figure: string; text: string };

export type Changes =
  | { ok: true; changes: Change[]; recentDays: number; earlierDays: number }
  | { ok: false; reason: string };

/** Fewer days than these with figures on a side, and nothing is compared. */
export const MIN_RECENT_DAYS = 3;
export const MIN_EARLIER_DAYS = 5;
/** A usual time moved by this much or more (minutes). */
const TIME_SHIFT_MIN = 45;
/** A room's activity counts as changed at these ratios, when it usually has this much a day. */
const LESS = 0.6;
const MORE = 1.5;
const ROOM_MIN_COUNT = 10;

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** "1 h 30 min", "20 min". */
export function duration(min: number): string {
  const m = Math.round(min);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

const usualDay = (d: ReportDay): boolean => !d.summary?.modes?.length;

/** A figure of each day that has it (nights from the night, days from the summary). */
type Figure = (d: ReportDay) => number | null;

const bedtime: Figure = (d) => (d.night?.sleep.bedtime ? eveningMinute(d.night.sleep.bedtime) : null);
const wake: Figure = (d) =>
  d.night?.sleep.wake && d.night.over
    ? Number(d.night.sleep.wake.slice(11, 13)) * 60 + Number(d.night.sleep.wake.slice(14, 16))
    : null;
const upInNight: Figure = (d) => (d.night?.sleep.out_of_bed ? d.night.sleep.out_of_bed.count : null);
const outMin: Figure = (d) => d.summary?.activity.out_of_home_min ?? null;
const activeMin: Figure = (d) => d.summary?.activity.active_min ?? null;
const room =
  (name: string): Figure =>
  (d) =>
    d.summary ? (d.summary.activity.per_room.find((r) => r.room === name)?.count ?? 0) : null;

const values = (days: ReportDay[], f: Figure): number[] => days.map(f).filter((v): v is number => v !== null);

/**
 * The last 7 days against the days before them. `days`: the report's days, oldest first, every
 * date of the period whether anything arrived or not.
 */
export function notableChanges(days: ReportDay[]): Changes {
  if (days.length <= 7)
    return { ok: false, reason: 'With one week there is nothing earlier to compare it with.' };
  const recent = days.slice(-7).filter(usualDay);
  const earlier = days.slice(0, -7).filter(usualDay);
  const recentDays = recent.filter((d) => d.summary || d.night).length;
  const earlierDays = earlier.filter((d) => d.summary || d.night).length;
  if (recentDays < MIN_RECENT_DAYS || earlierDays < MIN_EARLIER_DAYS)
    return {
      ok: false,
      reason: `Too little information to compare: ${recentDays} of the last 7 days and ${earlierDays} of the ${days.length - 7} days before them have figures.`,
    };
  const changes = [
    upInTheNight(recent, earlier),
    shifted('bedtime', 'Going to bed', values(recent, bedtime), values(earlier, bedtime), clockOfEvening),
    shifted('wake', 'Getting up', values(recent, wake), values(earlier, wake), hhmmOf),
    timeOut(values(recent, outMin), values(earlier, outMin)),
    active(values(recent, activeMin), values(earlier, activeMin)),
    ...rooms(recent, earlier),
  ].filter((c): c is Change => c !== null);
  return { ok: true, changes, recentDays, earlierDays };
}

/** Nights she was up at least once: in the last week against a usual week before it. */
function upInTheNight(recent: ReportDay[], earlier: ReportDay[]): Change | null {
  const r = values(recent, upInNight);
  const e = values(earlier, upInNight);
  if (r.length < MIN_RECENT_DAYS || e.length < MIN_EARLIER_DAYS) return null;
  // Per 7 nights, so that a last week with a missing night and earlier weeks compare.
  const now = Math.round((r.filter((n) => n > 0).length / r.length) * 7);
  const usual = Math.round((e.filter((n) => n > 0).length / e.length) * 7);
  const nights = (n: number) => `${n} night${n === 1 ? '' : 's'}`;
  if (now - usual >= 2)
    return {
      figure: 'up_in_night',
      text: `Up in the night more often in the last week (${nights(now)} vs ${usual} usually).`,
    };
  if (usual - now >= 2)
    return {
      figure: 'up_in_night',
      text: `Up in the night less often in the last week (${nights(now)} vs ${usual} usually).`,
    };
  return null;
}

function shifted(
  figure: string,
  what: string,
  r: number[],
  e: number[],
  clock: (m: number) => string,
): Change | null {
  const now = medianOf(r);
  const usual = medianOf(e);
  if (now === null || usual === null || r.length < MIN_RECENT_DAYS || e.length < MIN_EARLIER_DAYS)
    return null;
  if (Math.abs(now - usual) < TIME_SHIFT_MIN) return null;
  const way = now > usual ? 'later' : 'earlier';
  return {
    figure,
    text: `${what} ${way} in the last week (about ${clock(now)} vs ${clock(usual)} usually).`,
  };
}

function timeOut(r: number[], e: number[]): Change | null {
  const now = mean(r);
  const usual = mean(e);
  if (now === null || usual === null || r.length < MIN_RECENT_DAYS || e.length < MIN_EARLIER_DAYS)
    return null;
  const say = (way: string) => ({
    figure: 'out_of_home_min',
    text: `${way} time out of the home in the last week (${now < 1 ? 'not out at all' : `about ${duration(now)} a day`} vs ${duration(usual)} a day usually).`,
  });
  if (usual >= 30 && now <= usual * LESS) return say('Less');
  if (now - usual >= 30 && now >= usual * MORE) return say('More');
  return null;
}

function active(r: number[], e: number[]): Change | null {
  const now = mean(r);
  const usual = mean(e);
  if (now === null || usual === null || r.length < MIN_RECENT_DAYS || e.length < MIN_EARLIER_DAYS)
    return null;
  if (usual >= 60 && now <= usual * 0.75)
    return {
      figure: 'active_min',
      text: `Less active at home in the last week (about ${duration(now)} a day vs ${duration(usual)} usually).`,
    };
  return null;
}

/** Rooms whose activity fell or rose a lot: "Less activity seen in the kitchen". */
function rooms(recent: ReportDay[], earlier: ReportDay[]): Change[] {
  const names = new Set(earlier.flatMap((d) => d.summary?.activity.per_room.map((x) => x.room) ?? []));
  const out: Change[] = [];
  for (const name of [...names].sort()) {
    const r = values(recent, room(name));
    const e = values(earlier, room(name));
    const now = mean(r);
    const usual = mean(e);
    if (now === null || usual === null || r.length < MIN_RECENT_DAYS || usual < ROOM_MIN_COUNT) continue;
    const figures = `(${Math.round(now)} movements a day vs ${Math.round(usual)} usually)`;
    if (now <= usual * LESS)
      out.push({
        figure: `room:${name}`,
        text: `Less activity seen in the ${name} in the last week ${figures}.`,
      });
    else if (now >= usual * MORE)
      out.push({
        figure: `room:${name}`,
        text: `More activity seen in the ${name} in the last week ${figures}.`,
      });
  }
  return out;
}

export type Usual = {
  /** Minutes after 18:00 (eveningMinute), minutes of the day, nights up per 7: null if unknown. */
  bedtime: number | null;
  wake: number | null;
  upNightsPerWeek: number | null;
  outMinPerDay: number | null;
};

/**
 * Her usual (medians of times; nights up per 7 nights; mean time out): over the weeks before the
 * last, as notableChanges compares, so that the last week's nights are set against the same
 * figures; over the one week when there is only one.
 */
export function usualOf(days: ReportDay[]): Usual {
  const usual = (days.length > 7 ? days.slice(0, -7) : days).filter(usualDay);
  const up = values(usual, upInNight);
  const out = mean(values(usual, outMin));
  return {
    bedtime: medianOf(values(usual, bedtime)),
    wake: medianOf(values(usual, wake)),
    upNightsPerWeek: up.length ? Math.round((up.filter((n) => n > 0).length / up.length) * 7) : null,
    outMinPerDay: out === null ? null : Math.round(out),
  };
}

/** A night against her usual, in words ("to bed 1 h 10 min later than usual"); '' when usual. */
export function againstUsual(d: ReportDay, u: Usual): string {
  const times: string[] = [];
  const b = bedtime(d);
  if (b !== null && u.bedtime !== null && Math.abs(b - u.bedtime) >= TIME_SHIFT_MIN)
    times.push(`to bed ${duration(Math.abs(b - u.bedtime))} ${b > u.bedtime ? 'later' : 'earlier'}`);
  const w = wake(d);
  if (w !== null && u.wake !== null && Math.abs(w - u.wake) >= TIME_SHIFT_MIN)
    times.push(`up ${duration(Math.abs(w - u.wake))} ${w > u.wake ? 'later' : 'earlier'}`);
  const n = upInNight(d);
  const said = [
    times.length ? `${times.join(', ')} than usual` : '',
    n !== null && n >= 2 ? `up ${n} times in the night` : '',
  ];
  return said.filter(Boolean).join('; ');
}

export const clockAfterSix = clockOfEvening;
