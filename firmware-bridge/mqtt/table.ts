// The vocabulary of the decoding tables and the one interpreter that walks them. A source's
// mapper is a table of Fields (where a value sits in its payload, what Hearth calls it, how to
// read it) plus the little that is its own (which topic carries what). Pure, and never throws:
// a wrong value is a problem naming the topic and the key, and the message's other keys still count.
import { KIND_VALUE, type Kind } from '../../config/device-fields.ts';
import { jsonDepth, parseJson } from '../../core/json.ts';
import { type Reading, rowTakes } from '../../core/reading.ts';
import type { MapResult, MqttRow } from './mapper.ts';

export type Value = Reading['value'];

/** How a raw payload value becomes a Reading value. */
export type Read =
  /** JSON true/false; `invert` where the device's true is Hearth's false (Zigbee2MQTT's contact). */
  | { as: 'bool'; invert?: true }
  /** "ON"/"OFF" text (ESPHome binary sensors, Tasmota relays and switches). */
  | { as: 'on-off' }
  /** A JSON number. */
  | { as: 'number' }
  /** A number written as text (ESPHome sensors publish "21.50", or "nan" when they have none). */
  | { as: 'number-text' }
  /**
   * A press event name -> Hearth's button value through `names` (matched case-insensitively).
   * `ignore`: names that are not a press (a release, the empty action that resets one). Any other
   * name is kept as the device wrote it, or refused where `unknown` says so.
   */
  | { as: 'press'; names: Readonly<Record<string, string>>; ignore: RegExp; unknown: 'keep' | 'refuse' }
  /**
   * A state written as a word -> true/false through `names` (lower-case, matched case-insensitively):
   * a fall radar's "fall" and "none". `ignore`: words that are neither (a fall the radar is still
   * making sure of). Any other word is refused, naming the words expected: it is the device saying
   * something this table does not know, never to be guessed at.
   */
  | { as: 'enum'; names: Readonly<Record<string, boolean>>; ignore: readonly string[] };

/** One entry of a table. */
export type Field = {
  /** Where the value sits in the payload object; [] for a payload that is the value itself. */
  path: readonly string[];
  /**
   * The kind it yields, or `row` when only the device row can say what the value means (a relay,
   * a switch input, an ESPHome entity): then it yields the row's kind if that kind's values have
   * this read's type, and nothing when the row names no kind.
   */
  kind: Kind | 'row';
  read: Read;
  /** Row kinds this value also stands for when a row names one (occupancy on a bed pad is `bed`). */
  alias?: readonly Kind[];
  /** Only when the row names this kind: the value is too weak a sign to count by default. */
  optIn?: true;
};

/** The type of value each read gives, to match against KIND_VALUE. */
export const READ_VALUE: Readonly<Record<Read['as'], 'boolean' | 'number' | 'string'>> = {
  bool: 'boolean',
  'on-off': 'boolean',
  number: 'number',
  'number-text': 'number',
  press: 'string',
  enum: 'boolean',
};

/** Plausible bounds per kind: a value outside is a faulty sensor or a misread, not a reading. */
export const RANGES: Partial<Record<Kind, readonly [number, number]>> = {
  temperature: [-50, 100],
  humidity: [0, 100],
  battery: [0, 100],
  heart_rate: [20, 250],
  steps: [0, 10_000_000],
  rssi: [-127, 0],
};

/** Longest button value kept: anything longer is not an event name. */
const MAX_EVENT = 64;

/**
 * The kind a field yields for a row, or undefined when the row does not take it: the row's own
 * kind, its health, and what core/reading.ts ALSO_TAKES adds (a presence radar's falls).
 */
export function kindFor(f: Field, rowKind: Kind | undefined): Kind | undefined {
  if (f.kind === 'row') return rowKind && KIND_VALUE[rowKind] === READ_VALUE[f.read.as] ? rowKind : undefined;
  if (rowKind === undefined) return f.optIn ? undefined : f.kind;
  if (rowTakes(rowKind, f.kind)) return f.kind;
  return f.alias?.includes(rowKind) ? rowKind : undefined;
}

/** A value for a problem message: short, and quoted as JSON so "yes" and yes differ. */
export function show(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  } catch {
    // Payloads are bounded in depth before they get here; this is the last guard, not the first.
    s = 'a value that cannot be shown';
  }
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

type Got = { value: Value } | { problem: string } | undefined;

const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** One raw value through its read; undefined: nothing to report (an ignored name, a null). */
function readValue(read: Read, raw: unknown): Got {
  // Zigbee2MQTT and Shelly write null for a value they do not know yet: not a reading, not a fault.
  if (raw === null || raw === undefined) return undefined;
  switch (read.as) {
    case 'bool':
      return typeof raw === 'boolean'
        ? { value: read.invert ? !raw : raw }
        : { problem: `expected true or false, got ${show(raw)}` };
    case 'on-off': {
      const t = typeof raw === 'string' ? raw.toUpperCase() : '';
      return t === 'ON' || t === 'OFF'
        ? { value: t === 'ON' }
        : { problem: `expected ON or OFF, got ${show(raw)}` };
    }
    case 'number':
      return typeof raw === 'number' && Number.isFinite(raw)
        ? { value: raw }
        : { problem: `expected a number, got ${show(raw)}` };
    case 'number-text': {
      const t = typeof raw === 'string' ? raw.trim() : '';
      if (t.toLowerCase() === 'nan') return { problem: 'the device has no valid reading (nan)' };
      const n = NUMBER_TEXT.test(t) ? Number(t) : Number.NaN;
      return Number.isFinite(n) ? { value: n } : { problem: `expected a number, got ${show(raw)}` };
    }
    case 'press': {
      if (typeof raw !== 'string') return { problem: `expected an event name, got ${show(raw)}` };
      if (raw === '' || read.ignore.test(raw)) return undefined;
      const named = lookup(read.names, raw.toLowerCase());
      if (named) return { value: named };
      if (read.unknown === 'refuse') return { problem: `not a press: ${show(raw)}` };
      return raw.length <= MAX_EVENT ? { value: raw } : { problem: `event name too long: ${show(raw)}` };
    }
    case 'enum': {
      const word = typeof raw === 'string' ? raw.toLowerCase() : undefined;
      if (word !== undefined && read.ignore.includes(word)) return undefined;
      const value = word === undefined ? undefined : lookup(read.names, word);
      return value === undefined
        ? { problem: `expected ${either([...Object.keys(read.names), ...read.ignore])}, got ${show(raw)}` }
        : { value };
    }
  }
}

/** "a, b or c". */
const either = (words: readonly string[]): string =>
  words.length < 2 ? (words[0] ?? 'nothing') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;

/** `subject` at `path`; `notObject` names the level that should have been an object and was not. */
function at(subject: unknown, path: readonly string[]): { value: unknown } | { notObject: string } {
  let v = subject;
  for (let i = 0; i < path.length; i++) {
    if (v === undefined || v === null) return { value: undefined };
    if (!isObject(v)) return { notObject: path.slice(0, i).join('.') };
    const key = path[i] as string;
    v = Object.hasOwn(v, key) ? v[key] : undefined;
  }
  return { value: v };
}

/** A table's entry for a key from a payload: its own entries only, never `constructor` or `__proto__`. */
export const lookup = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** One message's readings (the first of each kind) and problems, each naming the topic. */
export class Collector {
  readonly result: MapResult = { readings: [], problems: [] };
  /** Where the kept reading of each kind came from. */
  readonly #from = new Map<Kind, string>();

  constructor(
    private readonly row: MqttRow,
    private readonly topic: string,
    private readonly now: number,
    /** Two parts of one message gave the same kind (two thermometers, no `sensor` named): say so. */
    private readonly clash?: (kind: Kind, first: string, second: string) => string,
  ) {}

  problem(where: string, why: string): void {
    // One key read as two kinds (the OWON FDS315's status: presence and a fall) is one problem.
    const p = `${this.topic}: ${where}: ${why}`;
    if (!this.result.problems.includes(p)) this.result.problems.push(p);
  }

  reading(kind: Kind, value: Value, where: string): void {
    const first = this.#from.get(kind);
    if (first === undefined) {
      this.#from.set(kind, where);
      this.result.readings.push({ device: this.row.id, at: this.now, kind, value });
    } else if (this.clash && first.split('.')[0] !== where.split('.')[0])
      this.problem(where, this.clash(kind, first, where));
  }
}

export type WalkOptions = {
  /** Names the part of the payload in problems ("AM2301", "temperature:0"); empty at the top. */
  label?: string;
  /** A unit the message itself announces (Tasmota's TempUnit F): turns a number into Hearth's unit. */
  convert?: (kind: Kind, n: number) => number;
};

/** Walks a table over one payload (or part of one), for one row. */
export function walk(
  fields: readonly Field[],
  subject: unknown,
  rowKind: Kind | undefined,
  c: Collector,
  { label = '', convert }: WalkOptions = {},
): void {
  for (const f of fields) {
    const kind = kindFor(f, rowKind);
    if (kind === undefined) continue;
    const where = [label, ...f.path].filter(Boolean).join('.') || 'payload';
    const found = at(subject, f.path);
    if ('notObject' in found) {
      c.problem([label, found.notObject].filter(Boolean).join('.') || 'payload', 'expected an object');
      continue;
    }
    const got = readValue(f.read, found.value);
    if (got === undefined) continue;
    if ('problem' in got) {
      c.problem(where, got.problem);
      continue;
    }
    let value = got.value;
    if (typeof value === 'number') {
      if (convert) value = convert(kind, value);
      const range = RANGES[kind];
      if (range && (value < range[0] || value > range[1])) {
        c.problem(where, `${show(found.value)} is out of range for ${kind} (${range[0]} to ${range[1]})`);
        continue;
      }
    }
    c.reading(kind, value, where);
  }
}

/**
 * The most a device payload may be. Real ones are far smaller (a Shelly's full status is a few
 * kilobytes, nested five deep); past these, walking and quoting it is the attacker's game.
 */
export const PAYLOAD_LIMITS = { maxBytes: 64 * 1024, maxDepth: 32 };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The payload as text, or a problem when it is too large or not UTF-8. */
export function payloadText(payload: Buffer, c: Collector): string | undefined {
  if (payload.length > PAYLOAD_LIMITS.maxBytes) {
    c.problem('payload', `${payload.length} bytes, over the ${PAYLOAD_LIMITS.maxBytes}-byte limit`);
    return undefined;
  }
  try {
    return utf8.decode(payload);
  } catch {
    c.problem('payload', `not UTF-8 text (${payload.length} bytes)`);
    return undefined;
  }
}

/** The payload as a JSON object, or a problem saying why it is not one. */
export function payloadObject(payload: Buffer, c: Collector): Record<string, unknown> | undefined {
  const text = payloadText(payload, c);
  if (text === undefined) return undefined;
  const parsed = parseJson(text, PAYLOAD_LIMITS);
  if (!parsed.ok) {
    // The size was checked above: too deep (said as such), or not JSON (the text itself says most).
    const deep = jsonDepth(text, PAYLOAD_LIMITS.maxDepth) > PAYLOAD_LIMITS.maxDepth;
    c.problem('payload', deep ? parsed.reason : `not valid JSON: ${show(text)}`);
    return undefined;
  }
  const v = parsed.value;
  if (isObject(v)) return v;
  c.problem('payload', `expected a JSON object, got ${Array.isArray(v) ? 'a list' : show(v)}`);
  return undefined;
}

/** Press names shared by every source, lower-case; each source adds what it ignores. */
export const PRESSES: Readonly<Record<string, string>> = {
  press: 'press',
  single: 'press',
  single_press: 'press',
  single_push: 'press',
  double: 'double_press',
  double_press: 'double_press',
  double_push: 'double_press',
  triple: 'triple_press',
  triple_press: 'triple_press',
  triple_push: 'triple_press',
  quadruple: 'quadruple_press',
  quad: 'quadruple_press',
  hold: 'long_press',
  long: 'long_press',
  long_press: 'long_press',
  long_push: 'long_press',
};
