// The night's figures: bedtime, wake, time in bed, out-of-bed episodes, bathroom visits,
// restlessness and heart rate, from the main sleep period that sleep-sources.ts found.
import { radarMoving } from '../home-state/model.ts';
import { findNight, type Night } from './sleep-sources.ts';
import {
  bedroomSensors,
  type Day,
  devicesOfKind,
  distinctMinutes,
  minutes,
  type Span,
  toInterval,
  totalMs,
  visits,
  within,
} from './timeline.ts';
import type { SleepSummary } from './types.ts';

/** A room named bathroom with a sensor that sees someone come in. */
const hasBathroomSensor = (day: Day): boolean =>
  ['motion', 'presence', 'contact'].some((k) =>
    devicesOfKind(day, k).some((id) => day.devices.get(id)?.room === 'bathroom'),
  );

export function summarizeSleep(day: Day): SleepSummary {
  const night = findNight(day);
  const p = night.period;
  // Without a sleep period, the night's other figures are taken over the night window.
  const span: Span = p ?? day.night;
  const strictlyIn = (t: number) => t > span.start && t < span.end;
  const bathroom = hasBathroomSensor(day)
    ? visits(
        day.life.filter((e) => e.room === 'bathroom' && strictlyIn(e.at)).map((e) => e.at),
        day.options.visitGapMs,
      ).length
    : null;
  return {
    source: night.source,
    confidence: night.confidence,
    slept: p !== null,
    note: night.note,
    bedtime: p ? day.zone.iso(p.start) : null,
    wake: p ? day.zone.iso(p.end) : null,
    timeInBedMin: night.source === 'none' ? null : p ? minutes(p.end - p.start - totalMs(night.outOfBed)) : 0,
    midSleep: p ? day.zone.iso(p.start + Math.round((p.end - p.start) / 2)) : null,
    outOfBed: p ? outOfBed(night) : null,
    bathroomVisits: night.source === 'none' ? null : bathroom,
    restlessness: restlessness(day, night, span),
    heartRate: heartRate(day, span),
    inBed: night.inBed.map((s) => toInterval(day.zone, s)),
  };
}

function outOfBed(night: Night): SleepSummary['outOfBed'] {
  const lengths = night.outOfBed.map((s) => s.end - s.start);
  return {
    count: lengths.length,
    totalMin: minutes(lengths.reduce((a, b) => a + b, 0)),
    longestMin: minutes(Math.max(0, ...lengths)),
  };
}

function restlessness(day: Day, night: Night, span: Span): SleepSummary['restlessness'] {
  let bedChanges: number | null = null;
  if (night.source === 'bed' && day.bed) {
    bedChanges = 0;
    let previous: unknown;
    for (const e of day.events) {
      if (e.device !== day.bed || e.kind !== 'bed') continue;
      if (previous !== undefined && previous !== e.value && e.at > span.start && e.at < span.end)
        bedChanges++;
      previous = e.value;
    }
  }
  const sensors = bedroomSensors(day);
  if (sensors.length === 0) return { bedChanges, movementMin: null };
  const moving = day.events.filter(
    (e) =>
      sensors.includes(e.device) &&
      within(e.at, span) &&
      ((e.kind === 'motion' && e.value === true) || (e.kind === 'presence' && radarMoving(e))),
  );
  return { bedChanges, movementMin: distinctMinutes(moving.map((e) => e.at)) };
}

function heartRate(day: Day, span: Span): SleepSummary['heartRate'] {
  const bpm = day.events
    .filter((e) => e.kind === 'heart_rate' && typeof e.value === 'number' && within(e.at, span))
    .map((e) => e.value as number);
  if (bpm.length === 0) return null;
  const mean = bpm.reduce((a, b) => a + b, 0) / bpm.length;
  return { min: Math.min(...bpm), mean: Math.round(mean * 10) / 10, readings: bpm.length };
}
