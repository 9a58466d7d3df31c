// The day's activity: signs of life per hour and per room, first and last activity, time out of
// home, kitchen use and steps. Signs of life are the rules' own (home.ts), never telemetry.
import type { Event } from '../../core/reading.ts';
import {
  clip,
  type Day,
  devicesOfKind,
  distinctMinutes,
  localAt,
  minutes,
  overlap,
  toInterval,
  totalMs,
  within,
} from './timeline.ts';
import type { ActivitySummary } from './types.ts';

export type DayActivity = Omit<ActivitySummary, 'temperature' | 'devices' | 'alerts'>;

/** `wake`: the end of the night (epoch ms), after which the day's first activity is looked for. */
export function summarizeActivity(day: Day, wake: number | null): DayActivity {
  const today = day.life.filter((e) => within(e.at, day.day));
  const perHour = Array.from({ length: 24 }, () => 0);
  for (const e of today) {
    const hour = Math.floor(day.zone.minuteOfDay(e.at) / 60);
    perHour[hour] = (perHour[hour] ?? 0) + 1;
  }
  const count = new Map<string, number>(day.config.rooms.map((r) => [r, 0]));
  for (const e of today)
    if (e.room !== null && count.has(e.room)) count.set(e.room, (count.get(e.room) ?? 0) + 1);
  const from = Math.max(day.day.start, wake ?? day.day.start);
  const first = today.find((e) => e.at >= from && e.room !== day.bedroom) ?? null;
  const last = today[today.length - 1] ?? null;
  const hasFrontDoor = day.config.devices.some((d) => d.role === 'front-door');
  // Spells out that touch the day keep their true start: an absence of several days says since when.
  const away = day.away.filter((a) => overlap(a, day.day) > 0);
  return {
    perHour,
    perRoom: [...count].map(([room, n]) => ({ room, count: n })),
    signsOfLife: today.length,
    activeMin: distinctMinutes(today.map((e) => e.at)),
    first: first ? day.zone.iso(first.at) : null,
    last: last ? day.zone.iso(last.at) : null,
    outOfHomeMin: hasFrontDoor ? minutes(totalMs(clip(away, day.day))) : null,
    away: away.map((s) => toInterval(day.zone, s)),
    kitchen: kitchen(day, today),
    steps: steps(day),
  };
}

function kitchen(day: Day, today: Event[]): DayActivity['kitchen'] {
  const fridges = devicesOfKind(day, 'contact').filter(
    (id) => id.includes('fridge') && day.devices.get(id)?.room === 'kitchen',
  );
  let fridgeOpened: number | null = null;
  if (fridges.length > 0) {
    fridgeOpened = 0;
    const previous = new Map<string, unknown>();
    for (const e of day.events) {
      if (e.kind !== 'contact' || !fridges.includes(e.device)) continue;
      if (e.value === true && previous.get(e.device) !== true && within(e.at, day.day)) fridgeOpened++;
      previous.set(e.device, e.value);
    }
  }
  const inKitchen = today.filter((e) => e.room === 'kitchen').map((e) => e.at);
  const meals = day.options.meals.map((m) => {
    const w = { start: localAt(day.zone, day.date, m.from), end: localAt(day.zone, day.date, m.to) };
    return { meal: m.meal, activeMin: distinctMinutes(inKitchen.filter((t) => within(t, w))) };
  });
  return { fridgeOpened, meals, mealsWithActivity: meals.filter((m) => m.activeMin > 0).length };
}

/**
 * Steps counted by a wearable: counters only grow, so the day's steps are the sum of increases
 * since the last reading before midnight; a counter that drops was reset and counts from zero.
 */
function steps(day: Day): number | null {
  const last = new Map<string, number>();
  let total = 0;
  let seen = false;
  for (const e of day.events) {
    if (e.kind !== 'steps' || typeof e.value !== 'number') continue;
    if (e.at >= day.day.end) break;
    const prev = last.get(e.device);
    if (e.at >= day.day.start) {
      seen = true;
      if (prev !== undefined) total += e.value >= prev ? e.value - prev : e.value;
    }
    last.set(e.device, e.value);
  }
  return seen ? total : null;
}
