// Tasmota, with its default FullTopic %prefix%/%topic%/: relays on stat/<topic>/POWER<n> ("ON"/
// "OFF"), sensors every TelePeriod on tele/<topic>/SENSOR ({"AM2301":{"Temperature":21.3,...}}),
// health on tele/<topic>/STATE (Wifi.Signal in dBm), and decoupled buttons and switches
// (SetOption73 / SetOption114) on stat/<topic>/RESULT ({"Button1":{"Action":"DOUBLE"}}).
import { KIND_VALUE, type Kind } from '../../config/device-fields.ts';
import type { Mapper, MqttRow } from './mapper.ts';
import {
  Collector,
  type Field,
  isObject,
  kindFor,
  PRESSES,
  payloadObject,
  payloadText,
  walk,
} from './table.ts';

type Row = Extract<MqttRow, { source: 'tasmota' }>;

/** A top-level key of a JSON message and the fields inside its value. */
type Part = { key: RegExp; fields: readonly Field[]; objectOnly?: true };
type Message = {
  level: 'stat' | 'tele';
  /** The last topic level; for the relay, the row's `sensor` (POWER, POWER2...) instead. */
  name: string;
  relay?: true;
  json: boolean;
  /** Fields of the whole message... */
  fields?: readonly Field[];
  /** ...or of each top-level key matching a part. */
  parts?: readonly Part[];
};

const ON_OFF: Field = { path: [], kind: 'row', read: { as: 'on-off' } };

export const TASMOTA_SENSOR_FIELDS: readonly Field[] = [
  { path: ['Temperature'], kind: 'temperature', read: { as: 'number' } },
  { path: ['Humidity'], kind: 'humidity', read: { as: 'number' } },
  // BLE thermometers relayed by Tasmota (MI32) carry their battery.
  { path: ['Battery'], kind: 'battery', read: { as: 'number' } },
];

export const TASMOTA_MESSAGES: readonly Message[] = [
  { level: 'stat', name: 'POWER', relay: true, json: false, fields: [ON_OFF] },
  {
    level: 'tele',
    name: 'STATE',
    json: true,
    fields: [{ path: ['Wifi', 'Signal'], kind: 'rssi', read: { as: 'number' } }],
  },
  {
    level: 'tele',
    name: 'SENSOR',
    json: true,
    parts: [
      { key: /^Switch\d+$/, fields: [ON_OFF] },
      // Any other object is a sensor's, but the chip's own thermometer (ESP32) and Tasmota's
      // averages (Global) are not the room's.
      {
        key: /^(?!(ESP32|ESP8266|Global|POWER\d*|Switch\d+|Button\d+)$)/,
        fields: TASMOTA_SENSOR_FIELDS,
        objectOnly: true,
      },
    ],
  },
  {
    level: 'stat',
    name: 'RESULT',
    json: true,
    parts: [
      {
        key: /^Button\d+$/,
        fields: [
          {
            path: ['Action'],
            kind: 'button',
            read: { as: 'press', names: PRESSES, ignore: /^$/, unknown: 'keep' },
          },
        ],
      },
      // SwitchMode 1 gives ON/OFF; other modes' TOGGLE is refused as a problem, pointing there.
      { key: /^Switch\d+$/, fields: [{ ...ON_OFF, path: ['Action'] }] },
    ],
  },
];

const RELAY = /^POWER\d*$/;

/** The part the row reads: its `sensor`, or the first relay for an ON/OFF kind named alone. */
const partOf = (row: Row): string | undefined =>
  row.sensor ?? (row.kind && KIND_VALUE[row.kind] === 'boolean' ? 'POWER' : undefined);

/** The fields of a message this row can take anything from. */
function fieldsFor(m: Message, row: Row): readonly Field[] {
  const part = partOf(row);
  if (m.relay) return part && RELAY.test(part) ? (m.fields ?? []) : [];
  if (m.fields) return m.fields;
  return (m.parts ?? []).filter((p) => part === undefined || p.key.test(part)).flatMap((p) => p.fields);
}

const topicOf = (m: Message, row: Row) =>
  `${m.level}/${row.topic}/${m.relay ? (partOf(row) ?? m.name) : m.name}`;

const fahrenheit = (kind: Kind, n: number) =>
  kind === 'temperature' ? Math.round(((n - 32) * 500) / 9) / 100 : n;

function walkParts(m: Message, body: Record<string, unknown>, row: Row, c: Collector): void {
  const part = partOf(row);
  // SetOption8 1 makes Tasmota report Fahrenheit and say so in the message.
  const convert = body.TempUnit === 'F' ? fahrenheit : undefined;
  for (const [key, value] of Object.entries(body)) {
    if (part !== undefined && key !== part) continue;
    const p = m.parts?.find((x) => x.key.test(key));
    if (!p || (p.objectOnly && !isObject(value))) continue;
    walk(p.fields, value, row.kind, c, { label: key, convert });
  }
}

export const tasmota: Mapper<Row> = {
  source: 'tasmota',
  filters: (row) =>
    TASMOTA_MESSAGES.filter((m) => fieldsFor(m, row).some((f) => kindFor(f, row.kind))).map((m) =>
      topicOf(m, row),
    ),
  map(row, topic, payload, now) {
    const c = new Collector(
      row,
      topic,
      now,
      (kind, first) => `${kind} already read from ${first}; name one sensor in the row (sensor: ...)`,
    );
    const m = TASMOTA_MESSAGES.find((x) => topicOf(x, row) === topic && fieldsFor(x, row).length > 0);
    if (!m) return c.result;
    const body = m.json ? payloadObject(payload, c) : payloadText(payload, c);
    if (body === undefined) return c.result;
    if (m.parts && isObject(body)) walkParts(m, body, row, c);
    else walk(m.fields ?? [], body, row.kind, c, { label: m.json ? '' : 'state' });
    return c.result;
  },
};
