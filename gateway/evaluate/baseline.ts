// A published-style detector to hold Hearth's figures against, on the same data: a time-of-day
// "alert line" after Cuddihy et al. 2007 ("Algorithm to automatically detect abnormally long
// periods of inactivity in a home"). A simplified reading of that paper, not a reproduction:
//
// - Activity is every event of the replayed input, whatever the sensor (motion alone when the
//   input holds motion alone).
// - The line is learned online, at each local midnight, from every earlier day of the recording:
//   for each 30-minute bin of the local day, L[bin] is the longest silence (its full length, from
//   one activity to the next) that covered any part of that bin on an earlier day, plus 1 h. A
//   silence still open at midnight is learned at the first midnight after it ends.
// - It alarms at the first instant `now` at which now - lastActivity reaches L[bin(now)]: when the
//   silence reaches the line inside a bin, at lastActivity + L; when a bin with a lower line begins
//   on a silence already past it, at the start of that bin. (Instants are whole milliseconds: the
//   strict "longer than the line" would fall one millisecond later.) One alarm a silence: none
//   again until activity resumes. A bin no silence has covered yet has no line and raises nothing.
// - Before `quietUntil` (the end of Hearth's warm-up) it raises nothing.
// Pure: times and the zone come in, alarm instants go out.
import type { Zone } from '../../core/zone.ts';

const MIN = 60_000;
const BIN_MS = 30 * MIN;
const BINS = (24 * 60) / 30;
/** The margin above the longest silence seen: a silence as long as any before raises nothing. */
export const LINE_BUFFER_MS = 60 * MIN;
/** Names the detector in the samples and the report. */
export const BASELINE_NAME = 'alert line by time of day (after Cuddihy et al. 2007)';

export type BaselineInput = {
  /** Every activity, in time order. */
  times: readonly number[];
  zone: Zone;
  /** No alarm before this instant: the warm-up. */
  quietUntil: number;
  /** The replay ends here: the last silence runs until then. */
  until: number;
};

const binOf = (t: number, zone: Zone) => Math.floor(zone.minuteOfDay(t) / 30);

/** The next local 30-minute boundary strictly after t (a local midnight is one of them). */
function nextBoundary(t: number, zone: Zone): number {
  const local = t + zone.offset(t);
  return t - (((local % BIN_MS) + BIN_MS) % BIN_MS) + BIN_MS;
}

/** The pieces [s, e) of [from, to) that each lie inside one bin of one local day. */
function* binPieces(from: number, to: number, zone: Zone): Generator<[number, number]> {
  for (let s = from; s < to; ) {
    const e = Math.min(nextBoundary(s, zone), to);
    yield [s, e];
    s = e;
  }
}

/**
 * The line in force on each local day of the replay, by the instant of its midnight: learned from
 * the silences that ended by that midnight.
 */
function linesByDay(i: BaselineInput): Map<number, Float64Array> {
  const { times, zone } = i;
  const lines = new Map<number, Float64Array>();
  const learned = new Float64Array(BINS).fill(Number.POSITIVE_INFINITY);
  const longest = new Float64Array(BINS).fill(-1);
  let next = 1;
  for (
    let midnight = zone.at(times[0] as number, 0);
    midnight < i.until;
    midnight = zone.at(midnight, 0, 1)
  ) {
    for (; next < times.length && (times[next] as number) <= midnight; next++) {
      const a = times[next - 1] as number;
      const b = times[next] as number;
      for (const [s] of binPieces(a, b, zone)) {
        const bin = binOf(s, zone);
        longest[bin] = Math.max(longest[bin] as number, b - a);
      }
    }
    for (let bin = 0; bin < BINS; bin++) {
      const l = longest[bin] as number;
      learned[bin] = l < 0 ? Number.POSITIVE_INFINITY : l + LINE_BUFFER_MS;
    }
    lines.set(midnight, Float64Array.from(learned));
  }
  return lines;
}

/** The first instant in the silence [last, end) at which the line is reached, or null. */
function alarmIn(
  last: number,
  end: number,
  i: BaselineInput,
  lineOn: (midnight: number) => Float64Array | undefined,
): number | null {
  for (const [s, e] of binPieces(Math.max(last, i.quietUntil), end, i.zone)) {
    const line = lineOn(i.zone.at(s, 0))?.[binOf(s, i.zone)] ?? Number.POSITIVE_INFINITY;
    const t = Math.max(s, last + line);
    if (t < e) return t;
  }
  return null;
}

/** Every alarm the line raises over the replay, in time order. */
export function baselineAlarms(i: BaselineInput): number[] {
  const { times } = i;
  if (times.length === 0) return [];
  const lines = linesByDay(i);
  const lineOn = (midnight: number) => lines.get(midnight);
  const alarms: number[] = [];
  for (let k = 0; k < times.length; k++) {
    const last = times[k] as number;
    const end = k + 1 < times.length ? (times[k + 1] as number) : i.until;
    if (end <= last) continue;
    const a = alarmIn(last, end, i, lineOn);
    if (a !== null) alarms.push(a);
  }
  return alarms;
}

/**
 * A simulated collapse at `at`: every activity after it removed, the minutes to the first alarm
 * after it within a day; null: none. An alarm already raised for the silence under way before `at`
 * is not raised again, so such a collapse is missed (as Hearth's first alert after the instant).
 */
export function baselineDetectedAfterMin(
  o: Omit<BaselineInput, 'until'> & { at: number; dayMs: number },
): number | null {
  const cut = o.times.filter((t) => t <= o.at);
  const first = baselineAlarms({ ...o, times: cut, until: o.at + o.dayMs }).find((t) => t > o.at);
  return first === undefined ? null : (first - o.at) / MIN;
}
