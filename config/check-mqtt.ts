// Cross-field checks for the rows of devices on the local broker: that the source can report the
// row's kind, that the row names the part of the device that reports it, and one row per part.
// The tables mirror the decoders in firmware-bridge/mqtt/ (config imports no stage); a test
// keeps the two in step.
import { rowTakes } from '../core/reading.ts';
import { HEALTH_KINDS, KIND_VALUE, KINDS, type Kind } from './device-fields.ts';
import { didYouMean, listOf, type Path } from './problems.ts';
import type { Device } from './schema.ts';

type MqttDevice = Extract<Device, { source: 'zigbee2mqtt' | 'esphome' | 'tasmota' | 'shelly' }>;

/** Kinds whose value is true/false: what a relay, a switch input or a binary sensor can stand for. */
export const ON_OFF_KINDS: readonly Kind[] = KINDS.filter((k) => KIND_VALUE[k] === 'boolean');

/** Every kind a row of each source can name (health kinds included). */
export const MQTT_SOURCE_KINDS: Readonly<Record<MqttDevice['source'], readonly Kind[]>> = {
  // occupancy also stands for presence, bed and chair; vibration for motion (firmware-bridge/mqtt/zigbee2mqtt.ts).
  zigbee2mqtt: [
    'motion',
    'presence',
    'contact',
    'bed',
    'chair',
    'button',
    'fall',
    'water_leak',
    'temperature',
    'humidity',
    'battery',
  ],
  // An entity is a binary_sensor, a sensor or an event: every kind is one of the three.
  esphome: KINDS,
  tasmota: [...ON_OFF_KINDS, 'button', 'temperature', 'humidity', 'battery', 'rssi'],
  shelly: [...ON_OFF_KINDS, 'button', 'temperature', 'humidity', 'battery', 'rssi'],
};

/** What a Tasmota `sensor` names, and the kinds that part can report (rssi comes from STATE). */
export const TASMOTA_PARTS: readonly { key: RegExp; what: string; kinds: readonly Kind[] }[] = [
  { key: /^POWER\d*$/, what: 'a relay (ON/OFF)', kinds: ON_OFF_KINDS },
  { key: /^Switch\d+$/, what: 'a switch input (ON/OFF)', kinds: ON_OFF_KINDS },
  { key: /^Button\d+$/, what: 'a button (presses)', kinds: ['button'] },
  { key: /^/, what: 'a sensor object', kinds: ['temperature', 'humidity', 'battery'] },
];

/** Shelly component types Hearth reads, and the kinds each can report. */
export const SHELLY_COMPONENT_KINDS: Readonly<Record<string, readonly Kind[]>> = {
  temperature: ['temperature'],
  humidity: ['humidity'],
  devicepower: ['battery'],
  flood: ['water_leak'],
  wifi: ['rssi'],
  input: [...ON_OFF_KINDS, 'button'],
  switch: ON_OFF_KINDS,
};

/** Kinds a Shelly row yields without naming a component; the rest need one (which input is the door?). */
export const SHELLY_OWN_KINDS: readonly Kind[] = [
  'temperature',
  'humidity',
  'battery',
  'water_leak',
  'rssi',
  'button',
];

/** Kinds the new sources yield when a row names none (for role checks). */
export const MQTT_DEFAULT_KINDS: Partial<Record<MqttDevice['source'], readonly Kind[]>> = {
  // Button<n> presses reach RESULT only once SetOption73 decouples the button from the relay.
  tasmota: ['temperature', 'humidity', 'battery', 'rssi', 'button'],
  shelly: SHELLY_OWN_KINDS,
};

const isMqtt = (d: Device): d is MqttDevice =>
  d.source === 'zigbee2mqtt' || d.source === 'esphome' || d.source === 'tasmota' || d.source === 'shelly';

/** The part of a device a row reads, and where to point when two rows read the same one. */
function identity(d: MqttDevice): { key: string; at: string; what: string } {
  switch (d.source) {
    case 'zigbee2mqtt':
      return {
        key: `${d.topic}|${d.kind ?? '*'}`,
        at: 'topic',
        what: `topic ${d.topic}${d.kind ? ` (kind ${d.kind})` : ''}`,
      };
    case 'esphome':
      return { key: `${d.node}|${d.sensor}`, at: 'sensor', what: `entity ${d.node}/${d.sensor}` };
    case 'tasmota':
      return {
        key: `${d.topic}|${d.sensor ?? ''}|${d.kind ?? '*'}`,
        at: d.sensor ? 'sensor' : 'topic',
        what: `${d.topic}${d.sensor ? ` ${d.sensor}` : ''}${d.kind ? ` (kind ${d.kind})` : ''}`,
      };
    case 'shelly':
      return {
        key: `${d.topic}|${d.component ?? ''}|${d.kind ?? '*'}`,
        at: d.component ? 'component' : 'topic',
        what: `${d.topic}${d.component ? ` ${d.component}` : ''}${d.kind ? ` (kind ${d.kind})` : ''}`,
      };
  }
}

type Report = (path: Path, message: string) => void;

/** The row's kind against what its source, and the part it names, can report. */
function kindProblems(d: MqttDevice, at: Path, err: Report): void {
  const can = MQTT_SOURCE_KINDS[d.source];
  if (d.kind && !can.includes(d.kind)) {
    err(
      [...at, 'kind'],
      `a ${d.source} device cannot report ${d.kind}; it can report: ${listOf(can, can.length)}`,
    );
    return;
  }
  if (d.source === 'tasmota' && d.sensor && d.kind && !HEALTH_KINDS.includes(d.kind)) {
    const part = TASMOTA_PARTS.find((p) => p.key.test(d.sensor ?? ''));
    if (part && !part.kinds.includes(d.kind))
      err(
        [...at, 'kind'],
        `${d.sensor} is ${part.what}: it reports ${listOf(part.kinds, part.kinds.length)}, not ${d.kind}`,
      );
  }
  if (d.source !== 'shelly') return;
  const type = d.component?.split(':')[0];
  const known = Object.keys(SHELLY_COMPONENT_KINDS);
  // A Gen1 relay (relay:N) is driven, never read: config/prompt-outputs.ts checks it.
  if (type === 'relay') return;
  if (type !== undefined && !known.includes(type)) {
    err(
      [...at, 'component'],
      `unknown component type "${type}"${didYouMean(type, known)}; Hearth reads: ${known.join(', ')}`,
    );
    return;
  }
  const kinds = type === undefined ? undefined : SHELLY_COMPONENT_KINDS[type];
  if (d.kind && kinds && !kinds.includes(d.kind) && !HEALTH_KINDS.includes(d.kind))
    err([...at, 'kind'], `${d.component} reports ${listOf(kinds, kinds.length)}, not ${d.kind}`);
  else if (d.kind && !kinds && !SHELLY_OWN_KINDS.includes(d.kind))
    err(
      [...at, 'component'],
      `a shelly row of kind ${d.kind} needs component: the input or switch that senses it, e.g. input:0`,
    );
}

/** Checks every local-broker row; `indexOf(at)` is the row's index in the file. */
export function checkMqttRows(
  devices: readonly Device[],
  indexOf: (at: number) => number,
  err: Report,
): void {
  const seen = new Map<string, number>();
  const falls = new Map<string, { fall?: number; also?: number }>();
  devices.forEach((d, at) => {
    if (!isMqtt(d)) return;
    const i = indexOf(at);
    kindProblems(d, ['devices', i], err);
    const { key, at: field, what } = identity(d);
    const first = seen.get(`${d.source}|${key}`);
    if (first !== undefined)
      err(['devices', i, field], `${what} is already read by devices.${first}; one row per part of a device`);
    else seen.set(`${d.source}|${key}`, i);
    if (d.source === 'zigbee2mqtt') fallsReadTwice(d, i, falls, err);
  });
}

/**
 * A Zigbee2MQTT fall radar with a row of kind fall beside one of kind presence (or of no kind),
 * which takes its falls too (core/reading.ts ALSO_TAKES): each fall would arrive twice.
 */
function fallsReadTwice(
  d: Extract<MqttDevice, { source: 'zigbee2mqtt' }>,
  i: number,
  falls: Map<string, { fall?: number; also?: number }>,
  err: Report,
): void {
  const own = d.kind === 'fall';
  if (!own && d.kind !== undefined && !rowTakes(d.kind, 'fall')) return;
  const rows = falls.get(d.topic) ?? {};
  const other = own ? rows.also : rows.fall;
  if (other !== undefined)
    err(
      ['devices', i, d.kind === undefined ? 'topic' : 'kind'],
      `devices.${other} and this row both read the falls on ${d.topic}, so each fall would arrive twice: ` +
        "a row of kind presence (or of no kind) takes its radar's falls too; the row of kind fall is not needed",
    );
  else falls.set(d.topic, own ? { ...rows, fall: rows.fall ?? i } : { ...rows, also: rows.also ?? i });
}
