// What every part of a summary shares: the day's bounds in local time, the events marked as signs
// of life with the same reducer the rules use, the spells away from home, and span arithmetic.
import type { Config } from '../../config/schema.ts';
import type { Event } from '../../core/reading.ts';
import { hhmmOf, type Zone } from '../../core/zone.ts';
import {
  type HomeEnv,
  type HomeModel,
  type HomeStep,
  homeModelStep,
  initHomeModel,
} from '../home-state/model.ts';
import { type DeviceIndex, indexDevices, rowKind } from '../ingest.ts';
import { bedDevice } from '../rules/night-out-of-bed.ts';
import type { RuleContext } from '../rules/types.ts';
import type { DailyWindow, Interval, SummaryOptions } from './types.ts';

export const MINUTE = 60_000;

/** [start, end) in epoch ms. */
export type Span = { start: number; end: number };

export type Day = {
  date: string;
  zone: Zone;
  config: Config;
  options: SummaryOptions;
  devices: DeviceIndex;
  /** The bed sensor's room, or the room named bedroom (as the rules take it). */
  bedroom: string | null;
  bed: string | null;
  /** Local midnight to local midnight. */
  day: Span;
  /**
   * The end of what is known: the day's end, or earlier when the summary is made during the day
   * (the night summary, in the morning): a spell still going on then ends here, not at midnight.
   */
  until: number;
  /** Local noon of the day before to local noon: the sleep day of the night ending on `date`. */
  sleepDay: Span;
  /** The window the main sleep period must overlap. */
  search: Span;
  /** The night window for night-time activity. */
  night: Span;
  events: Event[];
  /** What each device measures: its row's kind, and every kind it reported (a Zigbee row may name none). */
  kinds: Map<string, Set<string>>;
  /** Events that are signs of life (DESIGN section 8: activity, never telemetry). */
  life: Event[];
  away: Span[];
};

/** The instant of local `hhmm` (or minute of day) on `date` shifted by `dayShift` days. */
export function localAt(zone: Zone, date: string, hhmm: string | number, dayShift = 0): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const shifted = new Date(Date.UTC(y, m - 1, d + dayShift));
  const minutes = typeof hhmm === 'number' ? hhmm : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return zone.fromLocal(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate(), minutes);
}

/** The occurrence of a daily window that ends on `date` (or lies within it when it does not cross midnight). */
export function windowEndingOn(zone: Zone, date: string, w: DailyWindow): Span {
  const overnight = w.to <= w.from;
  return { start: localAt(zone, date, w.from, overnight ? -1 : 0), end: localAt(zone, date, w.to) };
}

/** "YYYY-MM-DD" plus n days. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export function bedroomOf(
  config: Config,
  devices: DeviceIndex,
): { bed: string | null; bedroom: string | null } {
  const bed = bedDevice({ config } as RuleContext);
  const room = bed ? devices.get(bed)?.room : undefined;
  return { bed, bedroom: room ?? (config.rooms.includes('bedroom') ? 'bedroom' : null) };
}

export function makeDay(input: {
  date: string;
  zone: Zone;
  config: Config;
  options: SummaryOptions;
  events: Event[];
  /** Out since this instant, before the window began (the day before's summary says so). */
  awaySince?: number | null;
  /** When the summary is made; the day's end when later or not given. */
  now?: number;
}): Day {
  const { date, zone, config, options } = input;
  const devices = indexDevices(config);
  const events = isSorted(input.events) ? input.events : [...input.events].sort((a, b) => a.at - b.at);
  const { bed, bedroom } = bedroomOf(config, devices);
  const dayEnd = localAt(zone, date, 0, 1);
  const until = Math.min(input.now ?? dayEnd, dayEnd);
  const window = { start: localAt(zone, date, '12:00', -1), end: until };
  const { life, away } = markLife(events, devices, {
    bedroom,
    config,
    window,
    awaySince: input.awaySince ?? null,
  });
  return {
    date,
    zone,
    config,
    options,
    devices,
    bed,
    bedroom,
    day: { start: localAt(zone, date, 0), end: dayEnd },
    until,
    sleepDay: { start: localAt(zone, date, '12:00', -1), end: localAt(zone, date, '12:00') },
    search: windowEndingOn(zone, date, options.sleepSearch),
    night: windowEndingOn(zone, date, config.rules.night_out_of_bed?.window ?? options.night),
    events,
    kinds: kindsOf(config, events),
    life,
    away,
  };
}

function kindsOf(config: Config, events: Event[]): Map<string, Set<string>> {
  const kinds = new Map<string, Set<string>>(config.devices.map((d) => [d.id, new Set<string>()]));
  for (const d of config.devices) {
    const k = rowKind(d);
    if (k) kinds.get(d.id)?.add(k);
  }
  for (const e of events) if (e.kind !== 'battery' && e.kind !== 'rssi') kinds.get(e.device)?.add(e.kind);
  return kinds;
}

const isSorted = (events: Event[]) => events.every((e, i) => i === 0 || (events[i - 1] as Event).at <= e.at);

/**
 * Runs the home model the rules read over the events: which are movement (signs of life; a mat's
 * change once it has held, at its start), and when the resident was out.
 */
function markLife(
  events: Event[],
  devices: DeviceIndex,
  o: { bedroom: string | null; config: Config; window: Span; awaySince: number | null },
): { life: Event[]; away: Span[] } {
  const { config } = o;
  const env: HomeEnv = {
    row: (d) => devices.get(d),
    bedroom: o.bedroom,
    matHoldMs: config.home.mat_hold,
    awayAfterMs: config.home.away_after,
    tagGraceMs: config.home.tag_grace,
  };
  const life: Event[] = [];
  const away: Span[] = [];
  const matEvents = new Map<string, Event>();
  // Out since before the window: gone until the next movement, as the rules' model would be.
  let s: HomeModel =
    o.awaySince === null
      ? initHomeModel()
      : {
          ...initHomeModel(),
          place: 'out',
          placeSince: o.awaySince,
          out: { since: o.awaySince, evidence: 'door' },
        };
  let awayFrom: number | null = o.awaySince;
  let wake: number | null = null;
  const apply = (step: HomeStep, at: number) => {
    for (const c of step.settled) {
      const raw = matEvents.get(c.device);
      if (raw && raw.at === c.at) life.push(raw);
    }
    if (!s.out && step.state.out) awayFrom = step.state.out.since;
    if (s.out && !step.state.out && awayFrom !== null) {
      away.push({ start: awayFrom, end: at });
      awayFrom = null;
    }
    s = step.state;
    wake = step.wakeAt;
  };
  const tickUntil = (t: number) => {
    for (let i = 0; i < 100 && wake !== null && wake <= t; i++)
      apply(homeModelStep(s, { type: 'tick' }, wake, env), wake);
  };
  for (const e of events) {
    tickUntil(e.at);
    const step = homeModelStep(s, { type: 'event', event: e }, e.at, env);
    if (step.life) life.push(e);
    if (e.kind === 'bed' || e.kind === 'chair') matEvents.set(e.device, e);
    apply(step, e.at);
  }
  tickUntil(o.window.end);
  if (s.out && awayFrom !== null) away.push({ start: awayFrom, end: Math.max(o.window.end, awayFrom) });
  return { life: life.sort((a, b) => a.at - b.at), away };
}

/** Devices that measure `kind`, by their row or by what they reported. */
export const devicesOfKind = (day: Day, kind: string): string[] =>
  [...day.kinds].filter(([, k]) => k.has(kind)).map(([id]) => id);

/** Motion sensors and radars in the bedroom (a worn tag is not a room sensor). */
export const bedroomSensors = (day: Day): string[] =>
  [...devicesOfKind(day, 'motion'), ...devicesOfKind(day, 'presence')].filter((id) => {
    const row = day.devices.get(id);
    return day.bedroom !== null && row?.room === day.bedroom && row.role !== 'wearable';
  });

export const overlap = (a: Span, b: Span): number =>
  Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));

export const totalMs = (spans: Span[]): number => spans.reduce((n, s) => n + (s.end - s.start), 0);

export const clip = (spans: Span[], w: Span): Span[] =>
  spans
    .map((s) => ({ start: Math.max(s.start, w.start), end: Math.min(s.end, w.end) }))
    .filter((s) => s.end > s.start);

/** Sorted spans, those closer than `gap` joined. */
export function joinSpans(spans: Span[], gap = 0): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && s.start - last.end <= gap) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** Groups instants into visits: an instant within `gap` of the previous one joins its visit. */
export function visits(times: number[], gap: number): Span[] {
  const out: Span[] = [];
  for (const t of times) {
    const last = out[out.length - 1];
    if (last && t - last.end < gap) last.end = t;
    else out.push({ start: t, end: t });
  }
  return out;
}

/** Distinct clock minutes (epoch minutes) among the instants. */
export const distinctMinutes = (times: number[]): number =>
  new Set(times.map((t) => Math.floor(t / MINUTE))).size;

export const minutes = (ms: number): number => Math.round(ms / MINUTE);

export const toInterval = (zone: Zone, s: Span): Interval => ({
  from: zone.iso(s.start),
  to: zone.iso(s.end),
});

export const fromInterval = (i: Interval): Span => ({ start: Date.parse(i.from), end: Date.parse(i.to) });

export const within = (t: number, s: Span): boolean => t >= s.start && t < s.end;

/** Minutes after local noon read straight from a local ISO time ("23:10" -> 670, "01:00" -> 780). */
export function minutesFromNoon(iso: string): number {
  const m = Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
  return (m - 720 + 1440) % 1440;
}

/** 670 -> "23:10". */
export const clockOfMinutesFromNoon = (m: number): string => hhmmOf(Math.round(m) + 720);
