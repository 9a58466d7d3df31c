// The night alone, made the morning it ends: the same figures as the day's summary's night, from
// the events known so far, and whether the night is over. Pure: the home model's belief, the
// events and the time come in as arguments. The day's summary, a day later, still carries the
// night, recomputed with the whole day (the baselines and the regularity are made of it).
import { createHash } from 'node:crypto';
import { envelope, type NightMessage, validNight } from '../../cloud-relay/protocol/messages.ts';
import type { Config } from '../../config/schema.ts';
import type { Event } from '../../core/reading.ts';
import type { Zone } from '../../core/zone.ts';
import type { HomeModel } from '../home-state/model.ts';
import { summarizeSleep } from './sleep.ts';
import { snakeKeys } from './summary.ts';
import { MINUTE, makeDay } from './timeline.ts';
import { DEFAULT_OPTIONS, type SleepSummary, type SummaryOptions } from './types.ts';

/** Up this long, the night is over: a carer would rather wait half an hour than read of a night that went on. */
export const UP_FOR_MS = 30 * MINUTE;

export type NightSummary = {
  /** The morning the night ended on, YYYY-MM-DD: the date of the summary that will carry it too. */
  date: string;
  /** When it was made (local ISO). */
  at: string;
  /** false: she was not seen up by the latest time; the figures are those known then. */
  over: boolean;
  sleep: SleepSummary;
};

/** What the home model believes now, as far as getting up goes. */
export type UpBelief = Pick<
  HomeModel,
  'inBed' | 'inBedSince' | 'out' | 'place' | 'lastLifeAt' | 'lastLifeRoom' | 'lastOutsideBedroomAt'
>;

export type NightInput = {
  /** The morning the night ends on. */
  date: string;
  config: Config;
  zone: Zone;
  /** Every event from local noon of the day before to now, in time order. */
  events: Event[];
  home: UpBelief;
  now: number;
  /** The latest time (schedules.night_summary_by): what is known is sent, over or not. */
  final: boolean;
  upForMs?: number;
  options?: Partial<SummaryOptions>;
};

/**
 * Moved outside the bedroom this recently, she is up (without a bed sensor nothing else says she
 * has not gone back to bed): a short visit to the bathroom at five, then quiet, is not a morning.
 */
export const RECENT_MS = 10 * MINUTE;

/**
 * Whether the home model believes her up now: not in bed, seen outside the bedroom, and either a
 * bed sensor says so (it would say she went back), or she is out or in a chair, or she moved
 * outside the bedroom within `recentMs`. Cheap: asked every few minutes of the morning.
 */
export function upNow(
  home: UpBelief,
  o: { bedroom: string | null; now: number; recentMs: number; bedSensor: boolean },
): boolean {
  if (home.inBed || home.lastOutsideBedroomAt === null) return false;
  if (o.bedSensor || home.out !== null || home.place === 'chair') return true;
  return home.lastLifeAt !== null && home.lastLifeAt >= o.now - o.recentMs && home.lastLifeRoom !== o.bedroom;
}

/**
 * The night is over when the main sleep period ended at least `upForMs` ago, she was seen outside
 * the bedroom since, and she is up now. At the latest time (`final`) any while will do, and a
 * resident up but still (a chair without a mat) counts as up.
 */
export function nightOver(
  sleep: SleepSummary,
  home: UpBelief,
  o: { bedroom: string | null; now: number; upForMs: number; final: boolean },
): boolean {
  if (!sleep.wake) return false;
  const wake = Date.parse(sleep.wake);
  if (wake > o.now - (o.final ? 0 : o.upForMs)) return false;
  if (home.lastOutsideBedroomAt === null || home.lastOutsideBedroomAt < wake) return false;
  const recentMs = o.final ? Number.POSITIVE_INFINITY : RECENT_MS;
  return upNow(home, { bedroom: o.bedroom, now: o.now, recentMs, bedSensor: sleep.source === 'bed' });
}

/** The night so far, and whether it is over; null when it is not and this is not the latest time. */
export function summarizeNight(input: NightInput): NightSummary | null {
  const options = { ...DEFAULT_OPTIONS, ...input.options };
  const day = makeDay({ ...input, options });
  const sleep = summarizeSleep(day);
  const over = nightOver(sleep, input.home, {
    bedroom: day.bedroom,
    now: input.now,
    upForMs: input.upForMs ?? UP_FOR_MS,
    final: input.final,
  });
  if (!over && !input.final) return null;
  return {
    date: input.date,
    at: input.zone.iso(input.now),
    over,
    sleep: over ? sleep : notOver(sleep, input.home, input.zone.hm(input.now), input.zone),
  };
}

/** A night that is not over has no wake (a period "ending" now is only where the data stops). */
function notOver(sleep: SleepSummary, home: UpBelief, at: string, zone: Zone): SleepSummary {
  const since = home.inBed && home.inBedSince !== null ? ` (in bed since ${zone.hm(home.inBedSince)})` : '';
  const where = home.inBed ? `Still in bed at ${at}${since}` : `Not seen up by ${at}`;
  const note = `${where}: the night is not over; these are the figures known then. ${sleep.note}`;
  return { ...sleep, wake: null, midSleep: null, note: note.slice(0, 500) };
}

/**
 * The version-1 `night` message. Its id names the morning and a digest of the figures, as the
 * summary's does: the same night sent again is the same message, a new one is new.
 */
export function nightPayload(night: NightSummary, config: Config): NightMessage {
  const body = { over: night.over, sleep: snakeKeys(night.sleep) };
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12);
  return validNight({
    ...envelope({
      type: 'night',
      id: `${config.gateway.id}:night:${night.date}:${digest}`,
      gateway: config.gateway.id,
      resident: config.gateway.resident,
      at: night.at,
    }),
    date: night.date,
    ...body,
  });
}
