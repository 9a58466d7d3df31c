// The home around the resident: temperature per room, devices silent or low on battery, and the
// day's alerts by rule and state.
import type { AlertState } from '../../cloud-relay/protocol/messages.ts';
import { rowKind } from '../ingest.ts';
import { type Day, devicesOfKind, MINUTE } from './timeline.ts';
import type { ActivitySummary } from './types.ts';

/** A temperature reading stands for the room until the next one, at most this long. */
const HOLD_MS = 120 * MINUTE;

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Min, time-weighted mean and max per room, from each sensor's readings held until the next. */
export function temperatures(day: Day): ActivitySummary['temperature'] {
  const sums = new Map<string, { min: number; max: number; area: number; time: number }>();
  for (const id of devicesOfKind(day, 'temperature')) {
    const room = day.devices.get(id)?.room;
    if (!room) continue;
    const readings = day.events.filter((e) => e.device === id && e.kind === 'temperature');
    readings.forEach((e, i) => {
      if (typeof e.value !== 'number') return;
      const next = readings[i + 1]?.at ?? Number.POSITIVE_INFINITY;
      const start = Math.max(e.at, day.day.start);
      const end = Math.min(next, e.at + HOLD_MS, day.day.end);
      if (end <= start && !(e.at >= day.day.start && e.at < day.day.end)) return;
      const s = sums.get(room) ?? { min: e.value, max: e.value, area: 0, time: 0 };
      s.min = Math.min(s.min, e.value);
      s.max = Math.max(s.max, e.value);
      const dt = Math.max(0, end - start);
      s.area += e.value * dt;
      s.time += dt;
      sums.set(room, s);
    });
  }
  return day.config.rooms
    .filter((room) => sums.has(room))
    .map((room) => {
      const s = sums.get(room) as { min: number; max: number; area: number; time: number };
      const mean = s.time > 0 ? s.area / s.time : (s.min + s.max) / 2;
      return { room, min: round1(s.min), mean: round1(mean), max: round1(s.max) };
    });
}

/** Devices with no reading for their silence limit at the day's end, and batteries below the limit. */
export function deviceHealth(day: Day): ActivitySummary['devices'] {
  const lastSeen = new Map<string, number>();
  const battery = new Map<string, number>();
  for (const e of day.events) {
    if (e.at >= day.day.end) break;
    lastSeen.set(e.device, e.at);
    if (e.kind === 'battery' && typeof e.value === 'number' && e.at >= day.day.start)
      battery.set(e.device, e.value);
  }
  const defaultLimit = day.config.rules.device_silent?.after ?? day.options.silentAfterMs;
  const below = day.config.rules.low_battery?.below ?? day.options.lowBattery;
  const silent: ActivitySummary['devices']['silent'] = [];
  const lowBattery: ActivitySummary['devices']['lowBattery'] = [];
  for (const row of day.config.devices) {
    if (rowKind(row) === 'output') continue;
    const seen = lastSeen.get(row.id);
    const limit = row.silent ?? defaultLimit;
    if (seen === undefined || seen <= day.day.end - limit)
      silent.push({
        device: row.id,
        room: row.room ?? null,
        lastSeen: seen === undefined ? null : day.zone.iso(seen),
      });
    const level = battery.get(row.id);
    if (level !== undefined && level < below)
      lowBattery.push({ device: row.id, room: row.room ?? null, battery: level });
  }
  return { silent, lowBattery };
}

/** The day's alert state changes, counted by rule and state. */
export function alertCounts(alerts: { rule: string; state: AlertState }[]): ActivitySummary['alerts'] {
  const counts = new Map<string, { rule: string; state: AlertState; count: number }>();
  for (const a of alerts) {
    const key = `${a.rule}\u0000${a.state}`;
    const c = counts.get(key) ?? { rule: a.rule, state: a.state, count: 0 };
    c.count++;
    counts.set(key, c);
  }
  return [...counts.values()].sort((a, b) => a.rule.localeCompare(b.rule) || a.state.localeCompare(b.state));
}
