// Finding the main sleep period of the night, from the best source that has data: a bed sensor,
// a bedroom presence radar, or motion alone (DESIGN: a silent sensor is not a sleeping person).
import { formatDuration } from '../../config/values.ts';
import type { Event } from '../../core/reading.ts';
import { motionPeriod } from './motion-night.ts';
import { clip, type Day, devicesOfKind, joinSpans, overlap, type Span, totalMs } from './timeline.ts';
import type { Confidence, SleepSource } from './types.ts';

export type Night = {
  source: SleepSource;
  confidence: Confidence | null;
  /** The main sleep period: bedtime to wake. */
  period: Span | null;
  /** Out of bed (or, with motion alone, about the home) inside the period. */
  outOfBed: Span[];
  /** In bed from noon to noon. */
  inBed: Span[];
  note: string;
};

type Candidate = { source: Exclude<SleepSource, 'none'>; devices: string[] };

/** The sources this home has, best first, each only if it reported anything in the window. */
export function candidates(day: Day): Candidate[] {
  const reported = new Set(day.events.map((e) => e.device));
  const out: Candidate[] = [];
  if (day.bed && reported.has(day.bed)) out.push({ source: 'bed', devices: [day.bed] });
  const radars = devicesOfKind(day, 'presence').filter((id) => {
    const row = day.devices.get(id);
    return row?.role !== 'wearable' && row?.room === day.bedroom && reported.has(id);
  });
  if (day.bedroom && radars.length > 0) out.push({ source: 'radar', devices: radars });
  const motion = devicesOfKind(day, 'motion').filter((id) => reported.has(id));
  if (motion.length > 0) out.push({ source: 'motion', devices: motion });
  return out;
}

export function findNight(day: Day): Night {
  const found = candidates(day);
  const none: Night = {
    source: 'none',
    confidence: null,
    period: null,
    outOfBed: [],
    inBed: [],
    note: 'No sleep figures: no bed sensor, bedroom radar or motion sensor reported overnight.',
  };
  const first = found[0];
  if (!first) return none;
  const awayAtNight = totalMs(clip(day.away, day.night)) >= (day.night.end - day.night.start) / 2;
  if (awayAtNight) {
    const since = day.away.find((a) => overlap(a, day.night) > 0);
    const on =
      since && day.zone.date(since.start) !== day.zone.date(day.night.start)
        ? ` on ${day.zone.date(since.start)}`
        : '';
    const from = since ? ` (out since ${day.zone.hm(since.start)}${on})` : '';
    return { ...none, note: `Away from home overnight${from}: no sleep figures.` };
  }
  let firstResult: Night | null = null;
  for (const c of found) {
    const r = c.source === 'motion' ? motionNight(day) : occupancyNight(day, c);
    firstResult ??= r;
    if (!r.period) continue;
    if (r.source !== 'motion' || first.source === 'motion') return r;
    const unused = first.source === 'bed' ? 'The bed was not used' : 'The bedroom was empty';
    return { ...r, note: `${unused}; ${r.note.charAt(0).toLowerCase()}${r.note.slice(1)}` };
  }
  return firstResult ?? none;
}

/** Occupied spans of boolean devices (true = in bed / in the room); several devices are joined. */
function occupiedSpans(events: Event[], devices: string[], kind: string, end: number): Span[] {
  const since = new Map<string, number>();
  const spans: Span[] = [];
  for (const e of events) {
    if (e.kind !== kind || !devices.includes(e.device)) continue;
    const start = since.get(e.device);
    if (e.value === true && start === undefined) since.set(e.device, e.at);
    if (e.value === false && start !== undefined) {
      spans.push({ start, end: e.at });
      since.delete(e.device);
    }
  }
  for (const start of since.values()) spans.push({ start, end: Math.max(start, end) });
  return joinSpans(spans);
}

/** Bed sensor or bedroom radar: in-bed spells, grouped into sleep periods. */
function occupancyNight(day: Day, c: Candidate): Night {
  const o = day.options;
  const kind = c.source === 'bed' ? 'bed' : 'presence';
  const spells = joinSpans(occupiedSpans(day.events, c.devices, kind, day.until), o.minOutOfBedMs);
  const periods: Span[][] = [];
  for (const s of spells) {
    const group = periods[periods.length - 1];
    const last = group?.[group.length - 1];
    if (group && last && s.start - last.end <= o.maxOutOfBedMs) group.push(s);
    else periods.push([s]);
  }
  let best: Span[] | null = null;
  for (const g of periods) {
    const span = { start: (g[0] as Span).start, end: (g[g.length - 1] as Span).end };
    if (overlap(span, day.search) === 0) continue;
    if (!best || totalMs(g) > totalMs(best)) best = g;
  }
  const label = c.source === 'bed' ? 'the bed sensor' : 'the bedroom radar';
  const inBedAt = (keep: (s: Span) => boolean) => clip(spells.filter(keep), day.sleepDay);
  if (!best || totalMs(best) < o.minSleepMs) {
    const naps = c.source === 'bed' ? inBedAt((s) => s.end - s.start >= o.minNapMs) : [];
    return {
      source: c.source,
      confidence: c.source === 'bed' ? 'high' : 'medium',
      period: null,
      outOfBed: [],
      inBed: naps,
      note: `No sleep found: ${label} shows no spell in ${c.source === 'bed' ? 'bed' : 'the bedroom'} of ${formatDuration(o.minSleepMs)} or more overnight.`,
    };
  }
  const period = { start: (best[0] as Span).start, end: (best[best.length - 1] as Span).end };
  const outOfBed = best.slice(1).map((s, i) => ({ start: (best[i] as Span).end, end: s.start }));
  const inMain = (s: Span) => s.start >= period.start && s.end <= period.end;
  const inBed =
    c.source === 'bed' ? inBedAt((s) => inMain(s) || s.end - s.start >= o.minNapMs) : inBedAt(inMain);
  const unseen = c.source === 'bed' ? unseenUps(day, outOfBed) : null;
  return {
    source: c.source,
    // A mat that says up while no room outside the bedroom sees her is a mat to doubt.
    confidence: c.source === 'bed' ? (unseen ? 'medium' : 'high') : 'medium',
    period,
    outOfBed,
    inBed,
    note: unseen
      ? `From ${label}; it said she was up ${unseen.of === 1 ? 'once' : `${unseen.n} of ${unseen.of} times`} when no room outside the bedroom saw her.`
      : `From ${label}.`,
  };
}

/**
 * Out-of-bed spells in which no room outside the bedroom saw her, in a home with a sensor that
 * could have (a motion sensor, radar or door outside the bedroom); null when every one was seen or
 * nothing outside could see.
 */
function unseenUps(day: Day, ups: Span[]): { n: number; of: number } | null {
  const outside = (room: string | null | undefined) => room != null && room !== day.bedroom;
  const couldSee = ['motion', 'presence', 'contact'].some((k) =>
    devicesOfKind(day, k).some((id) => outside(day.devices.get(id)?.room)),
  );
  if (!couldSee || ups.length === 0) return null;
  const n = ups.filter(
    (u) => !day.life.some((e) => outside(e.room) && e.at >= u.start && e.at <= u.end),
  ).length;
  return n > 0 ? { n, of: ups.length } : null;
}

/** Motion alone, as a Night. */
function motionNight(day: Day): Night {
  const found = motionPeriod(day);
  const quiet = !day.life.some((e) => e.at >= day.search.start && e.at < day.search.end);
  if (!found)
    return {
      source: 'motion',
      confidence: 'low',
      period: null,
      outOfBed: [],
      inBed: [],
      note: quiet
        ? 'No sleep found: no sign of life at all overnight (out without the front door seen, or the sensors silent).'
        : `No sleep found: activity about the home through the night, with no quiet spell of ${formatDuration(day.options.minSleepMs)} or more.`,
    };
  const { period, visits } = found;
  const inBed: Span[] = [];
  let cursor = period.start;
  for (const v of visits) {
    inBed.push({ start: cursor, end: v.start });
    cursor = v.end;
  }
  inBed.push({ start: cursor, end: period.end });
  return {
    source: 'motion',
    confidence: found.bedroomSaw ? 'medium' : 'low',
    period,
    outOfBed: visits,
    inBed: clip(inBed, day.sleepDay),
    note: 'From motion alone: the longest quiet spell outside the bedroom overnight.',
  };
}
