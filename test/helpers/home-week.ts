// Synthetic days for summary tests: a home with the sleep source under test, and days written
// from a plan whose truth (bedtime, wake, trips to the bathroom, time out) the test knows.

import { parseConfigText } from '../../config/parse.ts';
import type { Config } from '../../config/schema.ts';
import { seededRandom } from '../../core/random.ts';
import type { Event, Reading } from '../../core/reading.ts';
import type { Zone } from '../../core/zone.ts';
import { indexDevices, ingest } from '../../gateway/ingest.ts';
import { localAt } from '../../gateway/summaries/timeline.ts';

export type Kit = {
  bed?: boolean;
  radar?: boolean;
  bedroomMotion?: boolean;
  band?: boolean;
  steps?: boolean;
  timezone?: string;
};

const MIN = 60_000;

/** A provisioning file for a five-room home with the kit's sleep sensors. */
export function homeWith(kit: Kit): Config {
  const r = parseConfigText(homeText(kit));
  if (!r.config)
    throw new Error(r.problems.map((p) => `${p.line}: ${p.path.join('.')} ${p.message}`).join('\n'));
  return r.config;
}

/** The same provisioning file, as the text a technician would write. */
export function homeText(kit: Kit): string {
  const rows = [
    '{ id: hall-motion, source: zigbee2mqtt, topic: z/hall, room: hall, kind: motion }',
    '{ id: kitchen-motion, source: zigbee2mqtt, topic: z/kitchen, room: kitchen, kind: motion }',
    '{ id: lounge-motion, source: zigbee2mqtt, topic: z/lounge, room: lounge, kind: motion }',
    '{ id: bathroom-motion, source: zigbee2mqtt, topic: z/bath, room: bathroom, kind: motion }',
    '{ id: front-door, source: zigbee2mqtt, topic: z/door, room: hall, kind: contact, role: front-door }',
    '{ id: fridge-door, source: zigbee2mqtt, topic: z/fridge, room: kitchen, kind: contact }',
    '{ id: lounge-temp, source: zigbee2mqtt, topic: z/lt, room: lounge, kind: temperature }',
    '{ id: bedroom-temp, source: zigbee2mqtt, topic: z/bt, room: bedroom, kind: temperature }',
    '{ id: remote-battery, source: zigbee2mqtt, topic: z/remote, room: lounge, kind: battery }',
  ];
  if (kit.bedroomMotion)
    rows.push('{ id: bedroom-motion, source: zigbee2mqtt, topic: z/bed-m, room: bedroom, kind: motion }');
  if (kit.bed) rows.push('{ id: bed-pad, source: zigbee2mqtt, topic: z/bed, room: bedroom, kind: bed }');
  if (kit.radar) rows.push('{ id: bedroom-radar, source: ld2410, port: /dev/ttyUSB0, room: bedroom }');
  if (kit.band)
    rows.push('{ id: hr-band, source: heart-rate, address: "c8:1f:66:02:3a:9b", role: wearable }');
  if (kit.steps)
    rows.push('{ id: wrist, source: bthome, address: "a4:c1:38:00:00:01", kind: steps, role: wearable }');
  const text = `version: 1
gateway: { id: gw-sum, resident: r-sum, timezone: ${kit.timezone ?? 'Europe/London'} }
rooms: [bedroom, bathroom, kitchen, lounge, hall]
devices:
${rows.map((r) => `  - ${r}`).join('\n')}
rules:
${kit.bed ? '  night_out_of_bed: { window: { from: "22:00", to: "07:00" }, after: 30m }\n' : ''}  low_battery: { below: 15 }
  device_silent: { after: 24h }
`;
  return text;
}

/** A night: into bed at `bedtime`, out for good at `wake`, with trips to the bathroom. */
export type NightPlan = { bedtime: number; wake: number; trips: { at: number; minutes: number }[] };

export type DayPlan = {
  date: string;
  /** The night ending on `date`; null: up all night. */
  night: NightPlan | null;
  /** Spells out of home (front door out, front door back). */
  out?: { from: number; to: number }[];
};

export { seededRandom as random } from '../../core/random.ts';

type Emit = (
  at: number,
  device: string,
  kind: Reading['kind'],
  value: Reading['value'],
  facts?: Reading['facts'],
) => void;

const ROUND = ['lounge', 'kitchen', 'lounge', 'hall', 'lounge', 'bathroom', 'lounge', 'kitchen'];

/** Up and about at home: a sign of life in some room every 6 to 16 minutes. */
function awake(emit: Emit, from: number, to: number, rnd: () => number) {
  let i = Math.floor(rnd() * ROUND.length);
  for (let t = from + 2 * MIN; t < to - 2 * MIN; t += (6 + Math.floor(rnd() * 10)) * MIN) {
    const room = ROUND[i++ % ROUND.length] as string;
    emit(t, `${room}-motion`, 'motion', true);
    emit(t + MIN, `${room}-motion`, 'motion', false);
  }
}

function night(emit: Emit, kit: Kit, n: NightPlan, rnd: () => number) {
  const inBed = (t: number, v: boolean) => {
    if (kit.bed) emit(t, 'bed-pad', 'bed', v);
  };
  const inRoom = (t: number, v: boolean, moving = false) => {
    if (kit.radar)
      emit(t, 'bedroom-radar', 'presence', v, v ? { target_state: moving ? 3 : 2 } : { target_state: 0 });
    if (kit.bedroomMotion && v) emit(t, 'bedroom-motion', 'motion', true);
  };
  // To bed: bathroom, hall, bedroom, bed.
  emit(n.bedtime - 8 * MIN, 'bathroom-motion', 'motion', true);
  emit(n.bedtime - 3 * MIN, 'hall-motion', 'motion', true);
  inRoom(n.bedtime - MIN, true, true);
  inBed(n.bedtime, true);
  for (const trip of n.trips) {
    inBed(trip.at, false);
    inRoom(trip.at + 20_000, true, true);
    emit(trip.at + MIN, 'hall-motion', 'motion', true);
    inRoom(trip.at + MIN + 10_000, false);
    for (let t = trip.at + 90_000; t < trip.at + (trip.minutes - 1) * MIN; t += 2 * MIN)
      emit(t, 'bathroom-motion', 'motion', true);
    emit(trip.at + (trip.minutes - 1) * MIN, 'hall-motion', 'motion', true);
    inRoom(trip.at + trip.minutes * MIN - 20_000, true, true);
    inBed(trip.at + trip.minutes * MIN, true);
  }
  // Turning over now and then; a band reading every 10 minutes.
  for (let t = n.bedtime + 25 * MIN; t < n.wake - 5 * MIN; t += (30 + Math.floor(rnd() * 30)) * MIN) {
    if (n.trips.some((x) => t >= x.at - 2 * MIN && t <= x.at + (x.minutes + 2) * MIN)) continue;
    inRoom(t, true, true);
    inRoom(t + 30_000, true, false);
  }
  if (kit.band)
    for (let t = n.bedtime + 5 * MIN; t < n.wake; t += 10 * MIN)
      emit(t, 'hr-band', 'heart_rate', 52 + Math.floor(rnd() * 12));
  // Up: out of bed, out of the bedroom, bathroom, kitchen.
  inBed(n.wake, false);
  inRoom(n.wake + 20_000, true, true);
  emit(n.wake + MIN, 'hall-motion', 'motion', true);
  inRoom(n.wake + MIN + 10_000, false);
  emit(n.wake + 3 * MIN, 'bathroom-motion', 'motion', true);
  emit(n.wake + 12 * MIN, 'kitchen-motion', 'motion', true);
}

function meals(emit: Emit, date: string, zone: Zone, outside: (t: number) => boolean) {
  for (const hhmm of ['08:15', '12:40', '18:10']) {
    const start = localAt(zone, date, hhmm);
    if (outside(start)) continue;
    for (let k = 0; k < 5; k++) emit(start + k * 4 * MIN, 'kitchen-motion', 'motion', true);
    emit(start + 2 * MIN, 'fridge-door', 'contact', true);
    emit(start + 3 * MIN, 'fridge-door', 'contact', false);
  }
}

/** The readings of one plan: the evening before, the night, and the day until 18:00. */
export function dayReadings(zone: Zone, kit: Kit, plan: DayPlan, seed: number): Reading[] {
  const rnd = seededRandom(seed);
  const out: Reading[] = [];
  const spells = plan.out ?? [];
  const isOut = (t: number) => spells.some((s) => t >= s.from && t < s.to);
  const emit: Emit = (at, device, kind, value, facts) => {
    if (!isOut(at)) out.push({ device, at: Math.round(at), kind, value, ...(facts ? { facts } : {}) });
  };
  const evening = localAt(zone, plan.date, '18:00', -1);
  const dayEnd = localAt(zone, plan.date, '18:00');
  if (plan.night) {
    awake(emit, evening, plan.night.bedtime - 10 * MIN, rnd);
    night(emit, kit, plan.night, rnd);
    awake(emit, plan.night.wake + 15 * MIN, dayEnd, rnd);
  } else awake(emit, evening, dayEnd, rnd);
  meals(emit, plan.date, zone, isOut);
  // A spell of several days is listed in each day's plan; its doors belong to the days they fall in.
  const mine = (t: number) => t >= evening && t < dayEnd;
  for (const s of spells) {
    if (mine(s.from)) {
      out.push({ device: 'front-door', at: s.from, kind: 'contact', value: true });
      out.push({ device: 'front-door', at: s.from + 30_000, kind: 'contact', value: false });
    }
    if (mine(s.to)) {
      out.push({ device: 'front-door', at: s.to, kind: 'contact', value: true });
      out.push({ device: 'front-door', at: s.to + 30_000, kind: 'contact', value: false });
      out.push({ device: 'hall-motion', at: s.to + MIN, kind: 'motion', value: true });
    }
  }
  for (let h = 0; h < 24; h++) {
    const t = localAt(zone, plan.date, h * 60 + 30);
    out.push({ device: 'lounge-temp', at: t, kind: 'temperature', value: 19 + (h >= 8 && h < 22 ? 2 : 0) });
    out.push({ device: 'bedroom-temp', at: t + MIN, kind: 'temperature', value: 17.5 });
    if (kit.steps && h >= 9 && h < 18 && !isOut(t))
      out.push({ device: 'wrist', at: t, kind: 'steps', value: (h - 8) * 400 });
  }
  out.push({ device: 'remote-battery', at: localAt(zone, plan.date, '03:00'), kind: 'battery', value: 10 });
  const sensors = [
    'hall-motion',
    'kitchen-motion',
    'lounge-motion',
    'bathroom-motion',
    'front-door',
    'fridge-door',
  ];
  if (kit.bed) sensors.push('bed-pad');
  for (const d of sensors)
    out.push({ device: d, at: localAt(zone, plan.date, '03:05'), kind: 'battery', value: 80 });
  return out;
}

/** Readings -> events, as ingest places them, in time order. */
export function toEvents(config: Config, readings: Reading[]): Event[] {
  const devices = indexDevices(config);
  const events: Event[] = [];
  for (const r of readings) {
    const res = ingest(devices, r);
    if (!res.ok) throw new Error(`${r.device}: ${res.reason} ${res.detail}`);
    events.push(res.event);
  }
  return events.sort((a, b) => a.at - b.at);
}

/** What the store's indexed query would return for a summary of `date`: noon the day before to midnight. */
export function eventsFor(events: Event[], zone: Zone, date: string): Event[] {
  const from = localAt(zone, date, '12:00', -1);
  const to = localAt(zone, date, 0, 1);
  return events.filter((e) => e.at >= from && e.at < to);
}
