// What to ask of each configured pin, from what the board says it can do: the modes to set
// (with the fallbacks older boards need), the reports to enable, and how a pin's level or analog
// value becomes a Reading's value. Pure: the board's answers in, a plan out.
import type { Kind } from '../../../config/device-fields.ts';
import type { Device } from '../../../config/schema.ts';
import {
  digitalMessage,
  type PinCapability,
  reportAnalog,
  reportDigital,
  setDigitalPinValue,
  setPinMode,
} from './codec.ts';
import { MODE } from './constants.ts';

export type FirmataRow = Pick<
  Extract<Device, { source: 'firmata' }>,
  'id' | 'port' | 'pin' | 'kind' | 'role' | 'invert' | 'debounce' | 'threshold' | 'baud'
>;

/** What the handshake learnt. */
export type BoardInfo = {
  version?: { major: number; minor: number };
  firmware?: { name: string; major: number; minor: number };
  pins: PinCapability[][];
  channels: (number | null)[];
};

export type PinSetup =
  | { row: FirmataRow; type: 'digital'; pin: number; mode: number; pullUpWrite: boolean }
  | { row: FirmataRow; type: 'analog'; pin: number; channel: number; threshold: number; hysteresis: number }
  | { row: FirmataRow; type: 'output'; pin: number };

export type Plan = {
  setups: PinSetup[];
  problems: { row: FirmataRow; why: string }[];
  /** Protocol 2.5 boards take one pin's level (0xF5); older ones a whole port. */
  pinValue: boolean;
  /** Each port's levels as the host last wrote them: outputs, and pull-ups on older boards. */
  levels: Map<number, number>;
  /** Setup messages in order: modes, pull-ups, then reports. */
  bytes: Uint8Array[];
};

/** The kinds a pin can give: a level is yes/no; a button's press is an event. */
const BOOLEAN_KINDS: readonly Kind[] = [
  'motion',
  'presence',
  'contact',
  'bed',
  'chair',
  'fall',
  'water_leak',
];
/** The part of the range an analog value must fall below the threshold to read false again. */
export const HYSTERESIS = 0.05;

export const portOf = (pin: number) => pin >> 3;
const bitOf = (pin: number) => 1 << (pin & 7);
const has = (pin: PinCapability[] | undefined, mode: number) => pin?.some((c) => c.mode === mode) ?? false;

export const atLeast = (v: BoardInfo['version'], major: number, minor: number) =>
  v !== undefined && (v.major > major || (v.major === major && v.minor >= minor));

/** Every row's setup, or why the board cannot do what the row asks. */
export function planPins(rows: FirmataRow[], board: BoardInfo): Plan {
  const plan: Plan = {
    setups: [],
    problems: [],
    pinValue: atLeast(board.version, 2, 5),
    levels: new Map(),
    bytes: [],
  };
  for (const row of rows) {
    const s = setupFor(row, board);
    if (typeof s === 'string') plan.problems.push({ row, why: s });
    else plan.setups.push(s);
  }
  const reports: Uint8Array[] = [];
  const ports = new Set<number>();
  for (const s of plan.setups) {
    if (s.type === 'analog') {
      plan.bytes.push(setPinMode(s.pin, MODE.ANALOG));
      reports.push(reportAnalog(s.channel, true));
      continue;
    }
    plan.bytes.push(setPinMode(s.pin, s.type === 'output' ? MODE.OUTPUT : s.mode));
    if (s.type === 'output') {
      plan.bytes.push(...writePin(plan, s.pin, false));
      continue;
    }
    if (s.pullUpWrite) plan.bytes.push(...writePin(plan, s.pin, true));
    if (!ports.has(portOf(s.pin))) reports.push(reportDigital(portOf(s.pin), true));
    ports.add(portOf(s.pin));
  }
  plan.bytes.push(...reports);
  return plan;
}

function setupFor(row: FirmataRow, board: BoardInfo): PinSetup | string {
  let pin: number;
  let channel: number | undefined;
  if (typeof row.pin === 'string') {
    channel = Number(row.pin.slice(1));
    pin = board.channels.indexOf(channel);
    if (pin < 0) return `pin ${row.pin}: the board has no analog input ${row.pin} (${analogNames(board)})`;
  } else pin = row.pin;
  const caps = board.pins[pin];
  const where = `pin ${row.pin}${channel !== undefined ? ` (pin ${pin})` : ''}`;
  if (!caps?.length) return `${where}: the board offers no modes on it (${board.pins.length} pins)`;
  if (row.kind === 'output')
    return has(caps, MODE.OUTPUT)
      ? { row, type: 'output', pin }
      : `${where} cannot be an output on this board`;
  if (row.kind !== 'button' && !BOOLEAN_KINDS.includes(row.kind))
    return `kind ${row.kind} cannot be read from a pin; a pin says yes or no (${BOOLEAN_KINDS.join(', ')}, button)`;
  if (channel !== undefined) {
    const res = caps.find((c) => c.mode === MODE.ANALOG)?.resolution;
    if (res === undefined) return `${where} cannot be read as analog on this board`;
    const max = 2 ** res - 1;
    // Thresholds are written on Arduino's 10-bit scale whatever the board's resolution.
    const threshold = ((row.threshold ?? 512) * max) / 1023;
    return { row, type: 'analog', pin, channel, threshold, hysteresis: HYSTERESIS * max };
  }
  if (has(caps, MODE.INPUT_PULLUP))
    return { row, type: 'digital', pin, mode: MODE.INPUT_PULLUP, pullUpWrite: false };
  if (has(caps, MODE.INPUT)) return { row, type: 'digital', pin, mode: MODE.INPUT, pullUpWrite: true };
  return `${where} cannot be an input on this board`;
}

function analogNames(board: BoardInfo): string {
  const names = board.channels.filter((c): c is number => c !== null).map((c) => `A${c}`);
  return names.length ? `it has ${names.join(', ')}` : 'it reports no analog inputs';
}

/** The message setting one pin's level, keeping the plan's picture of its port. */
export function writePin(plan: Pick<Plan, 'pinValue' | 'levels'>, pin: number, high: boolean): Uint8Array[] {
  const port = portOf(pin);
  const was = plan.levels.get(port) ?? 0;
  const now = high ? was | bitOf(pin) : was & ~bitOf(pin);
  plan.levels.set(port, now);
  // A port write sets every pin in it: the kept levels hold the other outputs and pull-ups.
  return [plan.pinValue ? setDigitalPinValue(pin, high) : digitalMessage(port, now)];
}

/** A digital pin's level in its port's report. */
export const levelIn = (portValue: number, pin: number) => (portValue & bitOf(pin)) !== 0;

/** An analog value as yes/no: above the threshold turns true, below it less hysteresis false. */
export function analogLevel(
  was: boolean | undefined,
  value: number,
  threshold: number,
  hysteresis: number,
): boolean {
  if (value > threshold) return true;
  if (value < threshold - hysteresis) return false;
  return was ?? false;
}
