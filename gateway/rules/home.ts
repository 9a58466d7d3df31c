// The home's state, read by every rule: the last signs of life, whether the resident is out,
// whether the wearable tag is seen. It is a reducer too, run before the rules on each input.
import { z } from 'zod';
import type { Device } from '../../config/schema.ts';
import type { Event } from '../../core/reading.ts';
import type { Versioned } from './versioned.ts';

/** After the front door closes, this long without a sign of life inside means the resident went out. */
export const AWAY_AFTER_MS = 120_000;

const homeState = z.object({
  lastLifeAt: z.number().nullable(),
  lastLifeRoom: z.string().nullable(),
  /** The last sign of life in a known room other than the bedroom. */
  lastOutsideBedroomAt: z.number().nullable(),
  /** Last value per device, to tell a change from a repeat (Zigbee2MQTT republishes state). */
  values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  away: z.boolean(),
  awaySince: z.number().nullable(),
  doorClosedAt: z.number().nullable(),
  /** null: no wearable tag has reported; a missing tag alone never means out. */
  wearablePresent: z.boolean().nullable(),
});
export type HomeState = z.infer<typeof homeState>;

/** The home's state as it is stored, versioned as a rule's is. */
export const HOME: Versioned<HomeState> = { stateVersion: 1, stateSchema: homeState };

export const initHome = (): HomeState => ({
  lastLifeAt: null,
  lastLifeRoom: null,
  lastOutsideBedroomAt: null,
  values: {},
  away: false,
  awaySince: null,
  doorClosedAt: null,
  wearablePresent: null,
});

/** A sign of life: activity, never telemetry (battery, rssi, temperature, humidity, heart rate). */
export function isSignOfLife(
  e: Event,
  previous: string | number | boolean | undefined,
  row: Device | undefined,
): boolean {
  switch (e.kind) {
    case 'motion':
      return e.value === true;
    case 'presence':
      // A worn tag coming into range is an arrival; its repeated "still here" is not activity.
      return row?.role === 'wearable' ? e.value === true && previous !== true : e.value === true;
    case 'contact':
    case 'bed':
    case 'chair':
      return previous === undefined ? e.value === true : previous !== e.value;
    case 'button':
      return true;
    case 'steps':
      return typeof e.value === 'number' && typeof previous === 'number' && e.value > previous;
    default:
      return false;
  }
}

export type HomeStep = { state: HomeState; life: boolean; wakeAt: number | null };

export function homeStep(
  s: HomeState,
  input: { type: 'event'; event: Event } | { type: 'tick' },
  now: number,
  env: { row?: Device; bedroom: string | null; hasWearable: boolean },
): HomeStep {
  if (input.type === 'tick') {
    if (s.doorClosedAt === null || now < s.doorClosedAt + AWAY_AFTER_MS)
      return { state: s, life: false, wakeAt: pending(s) };
    const quietSince = s.lastLifeAt === null || s.lastLifeAt <= s.doorClosedAt;
    const out = quietSince && s.wearablePresent !== true;
    const next = {
      ...s,
      doorClosedAt: null,
      away: out || s.away,
      awaySince: out ? s.doorClosedAt : s.awaySince,
    };
    return { state: next, life: false, wakeAt: null };
  }
  const e = input.event;
  const previous = s.values[e.device];
  const life = isSignOfLife(e, previous, env.row);
  const next: HomeState = { ...s, values: { ...s.values, [e.device]: e.value } };
  if (env.row?.role === 'wearable' && e.kind === 'presence') next.wearablePresent = e.value === true;
  if (life) {
    next.lastLifeAt = e.at;
    next.lastLifeRoom = e.room;
    if (e.room !== null && e.room !== env.bedroom) next.lastOutsideBedroomAt = e.at;
    next.away = false;
    next.awaySince = null;
  }
  if (env.row?.role === 'front-door' && e.kind === 'contact' && e.value === false && previous === true)
    next.doorClosedAt = e.at;
  else if (life && s.doorClosedAt !== null && e.at > s.doorClosedAt) next.doorClosedAt = null;
  return { state: next, life, wakeAt: pending(next) };
}

const pending = (s: HomeState): number | null =>
  s.doorClosedAt === null ? null : s.doorClosedAt + AWAY_AFTER_MS;
