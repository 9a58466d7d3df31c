// Learning her routine from stored readings: the home model is run over the last days' readings
// (the same reducer the rules read), and each gap between two movements while she was home and up
// is a still spell, filed by where she was and when it began; each morning's first movement
// outside the bedroom is a getting-up time. Pure: readings in, figures out.
import type { Event } from '../../core/reading.ts';
import type { Zone } from '../../core/zone.ts';
import {
  type HomeEnv,
  type HomeInput,
  type HomeModel,
  homeModelStep,
  initHomeModel,
} from '../home-state/model.ts';
import { noonShift, type Routine, SLOT_HOURS, type SpellPlace } from './types.ts';

export type Spell = { start: number; ms: number; place: SpellPlace };

export type LearnOptions = {
  env: HomeEnv;
  zone: Zone;
  /** Where a spell that starts now counts, or null when it is no still spell to learn from
   *  (asleep: in bed at night, not yet up; the rules' own view, still-limits.ts). */
  classify: (home: HomeModel, at: number) => SpellPlace | null;
  /** The local time the night ends (HH:MM): getting up is the first movement outside the bedroom
   *  after it. */
  nightEnd: string;
  /** Instants to leave out (a care mode: away, visitor, paused). */
  excluded?: (at: number) => boolean;
  /** The night_out_of_bed window (local HH:MM): a time out of bed begun and ended inside it is a
   *  time up in the night. */
  nightWindow?: { from: string; to: string };
};

/** Deadlines the model may ask for between two readings (a door, each mat): a bound, not a limit. */
const MAX_WAKES_BETWEEN = 16;
/** A morning with no movement outside the bedroom by this local hour taught nothing of getting up. */
const GET_UP_BY_HOUR = 15;

export function learnRoutine(events: readonly Event[], now: number, o: LearnOptions): Routine {
  const spells: Spell[] = [];
  const getUps = new Map<string, number>();
  const outings: { start: number; back: number }[] = [];
  const nightUps: number[] = [];
  const days = new Set<string>();
  let s = initHomeModel();
  let wake: number | null = null;
  let last: { at: number; place: SpellPlace | null } | null = null;
  /** One step of the model, as the engine runs it: a reading, or a deadline it asked to be woken at
   *  (a door closed long enough to mean out, a mat's change that has held). */
  const step = (input: HomeInput, at: number) => {
    const wasOut = s.out !== null || s.doorClosedAt !== null;
    const outSince = s.out?.since ?? null;
    const upSince = s.inBed ? null : s.inBedSince;
    const r = homeModelStep(s, input, at, o.env);
    s = r.state;
    wake = r.wakeAt;
    // Back in bed: a time up in the night, if it began and ended inside the window.
    if (upSince !== null && s.inBed && s.inBedSince !== null) noteNightUp(nightUps, upSince, s.inBedSince, o);
    // Back (by the door, or moving inside): a time out, unless a care mode covered it.
    if (outSince !== null && s.out === null && !o.excluded?.(outSince) && !o.excluded?.(at))
      outings.push({ start: outSince, back: at });
    const lives = [...r.settled.map((c) => c.at), ...(r.life ? [at] : [])].sort((a, b) => a - b);
    for (const t of lives) {
      if (last && last.place !== null && !wasOut && !o.excluded?.(last.at) && !o.excluded?.(t))
        spells.push({ start: last.at, ms: t - last.at, place: last.place });
      last = { at: t, place: s.out === null ? o.classify(s, t) : null };
    }
    if (lives.length > 0) noteGetUp(getUps, s, at, o);
  };
  for (const e of events) {
    if (!o.excluded?.(e.at)) days.add(o.zone.date(e.at));
    // Deadlines before this reading first: the same order as live, where a wake-up comes on time.
    for (let n = 0; wake !== null && wake < e.at && n < MAX_WAKES_BETWEEN; n++) step({ type: 'tick' }, wake);
    step({ type: 'event', event: e }, e.at);
  }
  return {
    asOf: now,
    days: days.size,
    still: figuresBySlot(spells, o.zone),
    getUp: getUpFigures([...getUps.values()]),
    outings: outingFigures(outings, o.zone),
    nightUps: nightUpFigures(nightUps),
  };
}

function noteNightUp(ups: number[], from: number, to: number, o: LearnOptions): void {
  const w = o.nightWindow;
  if (!w || o.excluded?.(from) || o.excluded?.(to)) return;
  const night = o.zone.windowAt(from, w.from, w.to);
  if (night && to <= night.end) ups.push(to - from);
}

function nightUpFigures(ms: number[]): Routine['nightUps'] {
  if (ms.length === 0) return null;
  const sorted = [...ms].sort((a, b) => a - b);
  return { n: sorted.length, q95Ms: quantile(sorted, 0.95), maxMs: sorted[sorted.length - 1] as number };
}

/** A return between these local hours is a return at night. */
const NIGHT_FROM_MIN = 22 * 60;
const NIGHT_TO_MIN = 6 * 60;

function outingFigures(outings: { start: number; back: number }[], zone: Zone): Routine['outings'] {
  if (outings.length === 0) return null;
  const ms = outings.map((x) => x.back - x.start).sort((a, b) => a - b);
  const nightly = outings
    .map((x) => zone.minuteOfDay(x.back))
    .filter((m) => m >= NIGHT_FROM_MIN || m < NIGHT_TO_MIN)
    .map(noonShift);
  return {
    n: ms.length,
    q50Ms: quantile(ms, 0.5),
    maxMs: ms[ms.length - 1] as number,
    nightReturns: nightly.length,
    latestReturnMin: nightly.length ? Math.max(...nightly) : null,
  };
}

/** The first movement outside the bedroom after the night's end, each day, before mid-afternoon. */
function noteGetUp(getUps: Map<string, number>, s: HomeModel, at: number, o: LearnOptions): void {
  const day = o.zone.date(at);
  if (getUps.has(day) || o.excluded?.(at)) return;
  if (s.lastOutsideBedroomAt !== at || s.out !== null) return;
  const minute = o.zone.minuteOfDay(at);
  const end = o.zone.minuteOfDay(o.zone.at(at, o.nightEnd));
  if (minute >= end && minute < GET_UP_BY_HOUR * 60) getUps.set(day, minute);
}

/**
 * By place and slot, her longest still spell of each day that began there: the gaps between two
 * movements are mostly a PIR seeing her again within minutes, and a percentile of those says
 * nothing of how long she stays still; the longest of each day is what a limit must let pass.
 */
function figuresBySlot(spells: readonly Spell[], zone: Zone): Routine['still'] {
  const slots = 24 / SLOT_HOURS;
  const longest = new Map<string, number>();
  for (const sp of spells) {
    const slot = Math.floor(zone.minuteOfDay(sp.start) / 60 / SLOT_HOURS) % slots;
    const key = `${sp.place}|${slot}|${zone.date(sp.start)}`;
    longest.set(key, Math.max(longest.get(key) ?? 0, sp.ms));
  }
  const by: Partial<Record<SpellPlace, number[][]>> = {};
  for (const [key, ms] of longest) {
    const [place, slot] = key.split('|') as [SpellPlace, string];
    const perSlot = by[place] ?? Array.from({ length: slots }, (): number[] => []);
    by[place] = perSlot;
    perSlot[Number(slot)]?.push(ms);
  }
  for (const perSlot of Object.values(by)) for (const ms of perSlot) ms.sort((a, b) => a - b);
  return by;
}

function getUpFigures(minutes: number[]): Routine['getUp'] {
  if (minutes.length === 0) return null;
  const sorted = [...minutes].sort((a, b) => a - b);
  return {
    n: sorted.length,
    q50Min: quantile(sorted, 0.5),
    q90Min: quantile(sorted, 0.9),
    maxMin: sorted[sorted.length - 1] as number,
  };
}

/** The q-quantile of sorted values, interpolated between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (b - a) * (i - lo);
}
