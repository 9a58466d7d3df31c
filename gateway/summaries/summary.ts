// The day's summary, assembled from the night and the day's events, the previous days' summaries
// and the day's alerts; and its version-1 message. Pure: data and time come in as arguments.
import { createHash } from 'node:crypto';
import {
  type AlertState,
  envelope,
  type SummaryMessage,
  validSummary,
} from '../../cloud-relay/protocol/messages.ts';
import type { Config } from '../../config/schema.ts';
import type { Event } from '../../core/reading.ts';
import type { Zone } from '../../core/zone.ts';
import { summarizeActivity } from './activity.ts';
import { baselines, notable, usualRanges } from './baselines.ts';
import { alertCounts, deviceHealth, temperatures } from './home-health.ts';
import { summarizeMentalHealth } from './regularity.ts';
import { summarizeSleep } from './sleep.ts';
import { addDays, localAt, makeDay } from './timeline.ts';
import { type DaySummary, DEFAULT_OPTIONS, type ModeOnDay, type SummaryOptions } from './types.ts';

export type SummaryInput = {
  /** The local day, YYYY-MM-DD. */
  date: string;
  config: Config;
  zone: Zone;
  /** Every event from local noon of the day before to the end of `date`, in time order. */
  events: Event[];
  /** Summaries of earlier days (14 are enough), oldest first. */
  history: DaySummary[];
  /** The day's alert state changes. */
  alerts: { rule: string; state: AlertState }[];
  /** Care modes that touched the day (from the store's spans); none when absent. */
  modes?: { mode: ModeOnDay['mode']; from: number; to: number; by: string }[];
  /** When the summary is made; the end of the day by default. */
  now?: number;
  options?: Partial<SummaryOptions>;
};

export function summarizeDay(input: SummaryInput): DaySummary {
  const options = { ...DEFAULT_OPTIONS, ...input.options };
  const day = makeDay({ ...input, options, awaySince: awaySince(input) });
  const sleep = summarizeSleep(day);
  const wake = sleep.wake ? Date.parse(sleep.wake) : null;
  const activity = {
    ...summarizeActivity(day, wake),
    temperature: temperatures(day),
    devices: deviceHealth(day),
    alerts: alertCounts(input.alerts),
  };
  const summary: DaySummary = {
    date: input.date,
    at: day.zone.iso(input.now ?? day.day.end),
    sleep,
    activity,
    mentalHealth: summarizeMentalHealth(day, sleep, activity.outOfHomeMin, input.history),
    baselines: [],
    notable: [],
  };
  const usual = usualRanges(summary, input.history);
  const modes = (input.modes ?? []).map((m) => ({
    mode: m.mode,
    from: input.zone.iso(m.from),
    to: input.zone.iso(m.to),
    by: m.by,
  }));
  if (modes.length === 0) return { ...summary, baselines: baselines(usual), notable: notable(usual) };
  // A day in a care mode is not one of her usual days: its figures are shown beside her baselines,
  // but not called unusual (she was away, someone was with her, a technician was at work).
  return { ...summary, baselines: baselines(usual), notable: [], modes };
}

/** When the resident went out, if the day before's summary saw them out at noon and not back by midnight. */
function awaySince(input: SummaryInput): number | null {
  const before = input.history.find((h) => h.date === addDays(input.date, -1));
  const last = before?.activity.away[before.activity.away.length - 1];
  if (!last) return null;
  const from = Date.parse(last.from);
  const out =
    from <= localAt(input.zone, input.date, '12:00', -1) &&
    Date.parse(last.to) >= localAt(input.zone, input.date, 0);
  return out ? from : null;
}

const toSnake = (k: string) =>
  k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/([a-z])(\d)/g, '$1_$2');
const toCamel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Renames every key of a tree of plain objects and arrays (the summary holds no maps keyed by data). */
function rekey(x: unknown, f: (k: string) => string): unknown {
  if (Array.isArray(x)) return x.map((v) => rekey(v, f));
  if (x !== null && typeof x === 'object')
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [f(k), rekey(v, f)]));
  return x;
}

/** The wire's snake_case keys of a part of a summary (the night message carries its sleep). */
export const snakeKeys = (x: unknown): unknown => rekey(x, toSnake);

/**
 * The section-5 `summary` message. Its id names the day and a digest of the figures: sent again
 * unchanged it is the same message (the trust drops it); recomputed with new data it is a new one.
 */
export function summaryPayload(summary: DaySummary, config: Config): SummaryMessage {
  const { date, at, ...figures } = summary;
  const body = rekey(figures, toSnake) as Record<string, unknown>;
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12);
  return validSummary({
    ...envelope({
      type: 'summary',
      // The gateway in the id: the trust keeps every home's messages apart by it.
      id: `${config.gateway.id}:summary:${date}:${digest}`,
      gateway: config.gateway.id,
      resident: config.gateway.resident,
      at,
    }),
    date,
    ...body,
  });
}

/** A summary back from its message (e.g. history kept as sent). */
export function summaryFromPayload(m: SummaryMessage): DaySummary {
  const { v: _v, id: _id, type: _type, gateway: _gw, resident: _r, ...rest } = validSummary(m);
  return rekey(rest, toCamel) as DaySummary;
}
