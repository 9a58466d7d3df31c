// Where the resident is believed to be, and what she is doing: a pure reducer over every reading,
// run before the rules, which read this belief instead of deciding "life" and "away" each their
// own way (DESIGN.md section 4).
//
// Movement is life: a motion detection, a door or contact change, a button, getting into or out
// of bed or a chair (a mat's change that has held), a radar starting or stopping to see someone.
// Presence is presence: a radar or a mat saying someone is there, repeated, is not movement: a
// person lying still is exactly what a presence sensor keeps reporting.
//
// Out is a belief with a bound: the front door closes and nothing moves inside for a while, a
// worn tag fading after the door confirms it (even some minutes later), and the belief ends with
// the door opening or with any movement inside.
import type { Device } from '../../config/schema.ts';
import type { Event } from '../../core/reading.ts';
import { type MatState, matStep, occupied, settleMats } from './mats.ts';

export type Place = 'out' | 'bed' | 'chair' | 'room' | 'unknown';

export type OutBelief = {
  since: number;
  /** door: the door, then nothing inside; tag: and her tag faded; movement-less: nothing else. */
  evidence: 'door' | 'door and tag';
};

export type HomeModel = {
  place: Place;
  /** The room she is believed to be in (bed: the bed's room); null when out or unknown. */
  room: string | null;
  /** Since when she has been in this place. */
  placeSince: number | null;
  /** The last movement anywhere in the home, where and on what. */
  lastLifeAt: number | null;
  lastLifeRoom: string | null;
  lastLifeDevice: string | null;
  /** The last movement in a known room other than the bedroom. */
  lastOutsideBedroomAt: number | null;
  /**
   * The last value per device and kind (`device:kind`), to tell a change from a repeat: Zigbee2MQTT
   * republishes a device's whole state, a door's battery with its contact, a fall radar's fall
   * state with its presence, and a value compared with another kind's would be a change each time.
   */
  values: Record<string, string | number | boolean>;
  /** Debounced mats (bed, chair): a change counts once it has held. */
  mats: Record<string, MatState>;
  /** In bed (any of the bed's mats held occupied), and since when it has been so, or not. */
  inBed: boolean;
  inBedSince: number | null;
  /** Presence sensors (radars) that see someone now, by device: their room, since when, and
   *  whether the radar last said its target was moving (one that says so). */
  present: Record<string, { room: string | null; since: number; moving: boolean }>;
  out: OutBelief | null;
  /** The last time she came home by the front door (it opened while she was out). */
  arrivedAt: number | null;
  /** The front door closed and nothing has moved inside since: out is being decided. */
  doorClosedAt: number | null;
  /** null: no wearable tag has reported; a missing tag alone never means out. */
  wearablePresent: boolean | null;
  wearableSince: number | null;
};

export const initHomeModel = (): HomeModel => ({
  place: 'unknown',
  room: null,
  placeSince: null,
  lastLifeAt: null,
  lastLifeRoom: null,
  lastLifeDevice: null,
  lastOutsideBedroomAt: null,
  values: {},
  mats: {},
  inBed: false,
  inBedSince: null,
  present: {},
  out: null,
  arrivedAt: null,
  doorClosedAt: null,
  wearablePresent: null,
  wearableSince: null,
});

export type HomeEnv = {
  row: (device: string) => Device | undefined;
  bedroom: string | null;
  /** A mat's change counts once it has held this long (flickering mats). */
  matHoldMs: number;
  /** After the front door closes, this long without movement inside means she went out. */
  awayAfterMs: number;
  /** A worn tag lost this long after the door still means she left by it. */
  tagGraceMs: number;
};

export type HomeInput = { type: 'event'; event: Event } | { type: 'tick' };

export type HomeStep = {
  state: HomeModel;
  /** The input was movement: a sign of life. */
  life: boolean;
  /** Movement that only now counts (a mat change that has held), with its instant and room. */
  settled: { at: number; room: string | null; device: string; kind: 'bed' | 'chair'; value: boolean }[];
  wakeAt: number | null;
};

const isMat = (row: Device | undefined): row is Device & { kind: 'bed' | 'chair' } =>
  row !== undefined && 'kind' in row && (row.kind === 'bed' || row.kind === 'chair');

/** Movement, from a reading and the device's previous value of that kind. Mats are judged apart (debounced). */
export function isMovement(e: Event, previous: string | number | boolean | undefined, row?: Device): boolean {
  switch (e.kind) {
    case 'motion':
      return e.value === true;
    // A radar or a tag seeing someone arrive or stop seeing them, a door opening or closing, a
    // fall and a fall radar's word that it is over: a change, never a repeat (a fall radar on
    // Zigbee2MQTT republishes its fall state, a fall or none, with every other change of state).
    case 'presence':
    case 'contact':
    case 'fall':
      return previous === undefined ? e.value === true : previous !== e.value;
    case 'bed':
    case 'chair':
      return !isMat(row) && (previous === undefined ? e.value === true : previous !== e.value);
    case 'button':
      return true;
    case 'steps':
      return typeof e.value === 'number' && typeof previous === 'number' && e.value > previous;
    default:
      return false;
  }
}

/** Which place a movement in a room puts her in, given what the mats say. */
function placeAfter(s: HomeModel, room: string | null): { place: Place; room: string | null } {
  for (const m of Object.values(s.mats)) if (m.held && m.room === room) return { place: m.kind, room };
  return room === null
    ? { place: s.place === 'out' ? 'unknown' : s.place, room: s.room }
    : { place: 'room', room };
}

function moved(s: HomeModel, at: number, room: string | null, device: string, env: HomeEnv): HomeModel {
  const where = placeAfter(s, room);
  const samePlace = where.place === s.place && where.room === s.room;
  return {
    ...s,
    ...where,
    placeSince: samePlace ? s.placeSince : at,
    lastLifeAt: at,
    lastLifeRoom: room ?? s.lastLifeRoom,
    lastLifeDevice: device,
    lastOutsideBedroomAt: room !== null && room !== env.bedroom ? at : s.lastOutsideBedroomAt,
    out: null,
    // Movement inside after the door closed: she did not leave by it.
    doorClosedAt: s.doorClosedAt !== null && at > s.doorClosedAt ? null : s.doorClosedAt,
  };
}

export function homeModelStep(s: HomeModel, input: HomeInput, now: number, env: HomeEnv): HomeStep {
  const settled: HomeStep['settled'] = [];
  let st = s;
  // Mats whose change has now held: getting into or out of bed or a chair.
  const mats = settleMats(st.mats, now, env.matHoldMs);
  st = { ...st, mats: mats.mats };
  for (const change of mats.changes) {
    st = moved(st, change.at, change.room, change.device, env);
    const inBed = occupied(st.mats, 'bed');
    if (inBed !== st.inBed) st = { ...st, inBed, inBedSince: change.at };
    settled.push(change);
  }
  if (input.type === 'tick') return decideOut(st, false, settled, now, env);
  const e = input.event;
  const row = env.row(e.device);
  const key = `${e.device}:${e.kind}`;
  const previous = st.values[key];
  st = { ...st, values: { ...st.values, [key]: e.value } };
  if (isMat(row) && typeof e.value === 'boolean') {
    st = { ...st, mats: matStep(st.mats, e.device, row.kind, e.room, e.value, e.at) };
    // Back on a mat that never counted as left (up for less than the hold, seen meanwhile in
    // another room): she is on it again, not where that movement was. Not life: the flicker was.
    const m = st.mats[e.device];
    if (e.value === true && m?.held && (st.place !== row.kind || st.room !== e.room))
      st = { ...st, place: row.kind, room: e.room, placeSince: e.at };
  }
  if (row?.role === 'wearable' && e.kind === 'presence') {
    st = { ...st, wearablePresent: e.value === true, wearableSince: e.at };
    // A tag is not movement inside: it is carried in and out.
    return decideOut(st, false, settled, now, env);
  }
  // A radar that tells a moving target from a still one: its target starting to move is movement.
  const startedMoving =
    e.kind === 'presence' && e.value === true && radarMoving(e) && st.present[e.device]?.moving === false;
  if (e.kind === 'presence') st = { ...st, present: seen(st.present, e) };
  const life = startedMoving || isMovement(e, previous, row);
  const isFrontDoor = row?.role === 'front-door' && e.kind === 'contact';
  if (isFrontDoor && st.out && e.value === true) {
    // The door opening while she is out: she is coming home.
    st = { ...moved(st, e.at, e.room, e.device, env), arrivedAt: e.at };
    return decideOut(st, true, settled, now, env);
  }
  if (life) st = moved(st, e.at, e.room, e.device, env);
  if (isFrontDoor && e.value === false && previous === true) st = { ...st, doorClosedAt: e.at };
  return decideOut(st, life, settled, now, env);
}

/** After the door closed: out once nothing has moved inside for awayAfterMs, tag permitting. */
function decideOut(
  s: HomeModel,
  life: boolean,
  settled: HomeStep['settled'],
  now: number,
  env: HomeEnv,
): HomeStep {
  const closed = s.doorClosedAt;
  if (closed === null) return { state: s, life, settled, wakeAt: nextMat(s, env) };
  const quiet = s.lastLifeAt === null || s.lastLifeAt <= closed;
  if (!quiet) return { state: { ...s, doorClosedAt: null }, life, settled, wakeAt: nextMat(s, env) };
  const decideAt = closed + env.awayAfterMs;
  if (now < decideAt) return { state: s, life, settled, wakeAt: min(decideAt, nextMat(s, env)) };
  // A tag still heard: she may have stayed in. It fading within the grace still means out by the door.
  const tagHere = s.wearablePresent === true;
  if (tagHere && now < closed + env.tagGraceMs)
    return { state: s, life, settled, wakeAt: min(closed + env.tagGraceMs, nextMat(s, env)) };
  if (tagHere) return { state: { ...s, doorClosedAt: null }, life, settled, wakeAt: nextMat(s, env) };
  const evidence = s.wearablePresent === false && (s.wearableSince ?? 0) >= closed ? 'door and tag' : 'door';
  const out: HomeModel = {
    ...s,
    place: 'out',
    room: null,
    placeSince: closed,
    out: { since: closed, evidence },
    doorClosedAt: null,
  };
  return { state: out, life, settled, wakeAt: nextMat(out, env) };
}

const min = (a: number, b: number | null) => (b === null ? a : Math.min(a, b));

const nextMat = (s: HomeModel, env: HomeEnv): number | null => {
  let next: number | null = null;
  for (const m of Object.values(s.mats))
    if (m.raw !== m.held)
      next = next === null ? m.rawSince + env.matHoldMs : Math.min(next, m.rawSince + env.matHoldMs);
  return next;
};

/** The LD2410 (and radars like it) report a moving target as target_state 1 (moving) or 3 (both);
 *  mappers of other radars say `moving`. */
export function radarMoving(e: Event): boolean {
  const f = e.facts;
  if (!f) return false;
  return f.moving === true || f.target_state === 1 || f.target_state === 3;
}

/** Who the presence sensors see: a radar's `true` kept with when it began, its `false` removes it. */
function seen(present: HomeModel['present'], e: Event): HomeModel['present'] {
  if (e.value === true) {
    const was = present[e.device];
    return { ...present, [e.device]: { room: e.room, since: was?.since ?? e.at, moving: radarMoving(e) } };
  }
  if (!present[e.device]) return present;
  const { [e.device]: _gone, ...rest } = present;
  return rest;
}

/** Someone is seen, still or not, in this room by a presence sensor. */
export const presentIn = (s: HomeModel, room: string | null): boolean =>
  room !== null && Object.values(s.present).some((p) => p.room === room);
