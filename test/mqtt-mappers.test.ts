// The payload mappers of the local-broker sources (firmware-bridge/mqtt/): payloads as each
// firmware publishes them in, the expected Readings out; wrong types and broken JSON as problems
// that name the topic and the key; random bytes that never throw; the router; the tables against
// config's checks; and the provisioning rows of the new sources.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MQTT_DEFAULT_KINDS,
  MQTT_SOURCE_KINDS,
  SHELLY_COMPONENT_KINDS,
  TASMOTA_PARTS,
} from '../config/check-mqtt.ts';
import { KIND_VALUE, KINDS, type Kind } from '../config/device-fields.ts';
import { parseConfigText } from '../config/parse.ts';
import { device } from '../config/schema.ts';
import { readingSchema } from '../core/reading.ts';
import { topicMatches as matches } from '../core/topic.ts';
import { ESPHOME_DOMAINS, esphome } from '../firmware-bridge/mqtt/esphome.ts';
import { MAPPERS, router } from '../firmware-bridge/mqtt/index.ts';
import type { Mapper, MapResult, MqttRow } from '../firmware-bridge/mqtt/mapper.ts';
import { buildRouter } from '../firmware-bridge/mqtt/router.ts';
import { SHELLY_EVENTS, SHELLY_STATUS, shelly } from '../firmware-bridge/mqtt/shelly.ts';
import { type Field, kindFor, READ_VALUE } from '../firmware-bridge/mqtt/table.ts';
import { TASMOTA_MESSAGES, tasmota } from '../firmware-bridge/mqtt/tasmota.ts';
import { ZIGBEE2MQTT_FIELDS, zigbee2mqtt } from '../firmware-bridge/mqtt/zigbee2mqtt.ts';

const NOW = Date.UTC(2026, 2, 2, 7, 31);

/** A device row as the provisioning schema gives it. */
const row = <R extends MqttRow>(r: Record<string, unknown>): R => device.parse({ id: 'dev', ...r }) as R;

type Row<S extends MqttRow['source']> = Extract<MqttRow, { source: S }>;
type Extra = Record<string, unknown>;
const z2m = (extra: Extra = {}) =>
  row<Row<'zigbee2mqtt'>>({ source: 'zigbee2mqtt', topic: 'zigbee2mqtt/hall', ...extra });
const esp = (kind: Kind, extra: Extra = {}) =>
  row<Row<'esphome'>>({ source: 'esphome', node: 'kitchen-node', sensor: 'pir', kind, ...extra });
const tas = (extra: Extra = {}) =>
  row<Row<'tasmota'>>({ source: 'tasmota', topic: 'tasmota_5C8A1B', ...extra });
const shy = (extra: Extra = {}) =>
  row<Row<'shelly'>>({ source: 'shelly', topic: 'shellyplusht-08b61fcb7f0c', ...extra });

const bytes = (p: string | object) => Buffer.from(typeof p === 'string' ? p : JSON.stringify(p));
const NONE: MapResult = { readings: [], problems: [] };

/** The readings as {kind: value}, after checking each is a valid Reading of the row, once per kind. */
function got(r: MapResult, id = 'dev'): Record<string, unknown> {
  for (const reading of r.readings) {
    expect(readingSchema.parse(reading)).toEqual(reading);
    expect(reading).toMatchObject({ device: id, at: NOW });
  }
  const out = Object.fromEntries(r.readings.map((x) => [x.kind, x.value]));
  expect(Object.keys(out)).toHaveLength(r.readings.length);
  return out;
}

/** One known message: the row (beyond the defaults), where it arrives, and what must come out. */
type Case = {
  name: string;
  row?: Extra;
  on?: string;
  payload: string | object;
  want: Record<string, unknown>;
  problems?: RegExp[];
};

function expectCase<R extends MqttRow>(mapper: Mapper<R>, r: R, topic: string, c: Case): void {
  const out = mapper.map(r, topic, bytes(c.payload), NOW);
  expect(got(out), c.name).toEqual(c.want);
  expect(out.problems, c.name).toHaveLength(c.problems?.length ?? 0);
  c.problems?.forEach((re, i) => {
    expect(out.problems[i], c.name).toMatch(re);
    expect(out.problems[i]?.startsWith(`${topic}: `), c.name).toBe(true);
  });
}

/**
 * Tuya MIR-HE200-TY (TS0601 _TZE200_lu01t0zl) as Zigbee2MQTT publishes it: its whole state, with
 * its fall state (zigbee-herdsman-converters' exposes for the model).
 */
const MIR_HE200_TY = (fall: string) =>
  `{"fall_down_status":"${fall}","fall_sensitivity":6,"illuminance":31,"linkquality":156,"motion_direction":"standing_still","motion_speed":0,"occupancy":true,"presence":true,"radar_scene":"toilet","radar_sensitivity":7,"static_dwell_alarm":null,"tumble_alarm_time":1,"tumble_switch":"ON"}`;

/** OWON FDS315 as Zigbee2MQTT publishes it: one `status`, with breathing and where the person is. */
const OWON_FDS315 = (status: string) =>
  `{"breathing_rate":15,"linkquality":120,"location_x":-35,"location_y":182,"status":"${status}"}`;

// ---------------------------------------------------------------------------------------------
describe('zigbee2mqtt', () => {
  const T = 'zigbee2mqtt/hall';
  const cases: Case[] = [
    {
      name: 'Aqara RTCGQ11LM motion',
      payload:
        '{"battery":100,"device_temperature":24,"illuminance":11,"illuminance_lux":11,"linkquality":120,"occupancy":true,"power_outage_count":2,"voltage":3055}',
      want: { battery: 100, motion: true },
    },
    {
      name: 'Aqara MCCGQ11LM door closed: contact true -> Hearth contact false',
      payload: '{"battery":100,"contact":true,"device_temperature":24,"linkquality":87,"voltage":3025}',
      want: { battery: 100, contact: false },
    },
    { name: 'the door opened', payload: '{"contact":false,"linkquality":87}', want: { contact: true } },
    {
      name: 'Aqara WSDCGQ11LM thermometer',
      payload:
        '{"battery":91,"humidity":45.41,"linkquality":87,"pressure":1009.2,"temperature":21.43,"voltage":2985}',
      want: { battery: 91, humidity: 45.41, temperature: 21.43 },
    },
    {
      name: 'Aqara WXKG11LM single',
      payload: '{"action":"single","battery":100,"linkquality":102,"voltage":3042}',
      want: { battery: 100, button: 'press' },
    },
    { name: 'double', payload: { action: 'double' }, want: { button: 'double_press' } },
    { name: 'hold', payload: { action: 'hold' }, want: { button: 'long_press' } },
    { name: 'triple', payload: { action: 'triple' }, want: { button: 'triple_press' } },
    { name: 'a release ends a press already reported', payload: { action: 'release' }, want: {} },
    { name: 'Hue dimmer on_press_release', payload: { action: 'on_press_release' }, want: {} },
    {
      name: 'Hue dimmer on_press: kept as written',
      payload: { action: 'on_press' },
      want: { button: 'on_press' },
    },
    {
      name: 'Tuya SOS button',
      payload: '{"action":"emergency","battery":100,"linkquality":156}',
      want: { battery: 100, button: 'emergency' },
    },
    { name: 'the empty action that resets one', payload: { action: '', battery: 97 }, want: { battery: 97 } },
    { name: 'action null', payload: { action: null }, want: {} },
    {
      name: 'Aqara SJCGQ11LM leak',
      payload:
        '{"battery":100,"battery_low":false,"linkquality":60,"tamper":false,"voltage":3005,"water_leak":true}',
      want: { battery: 100, water_leak: true },
    },
    {
      name: 'Aqara FP1 presence',
      payload: '{"linkquality":90,"presence":true,"presence_event":"enter"}',
      want: { presence: true },
    },
    {
      name: 'Aqara DJT11LM vibration: not a sign of life by default',
      payload: '{"action":"vibration","battery":100,"strength":12,"vibration":true}',
      want: { battery: 100 },
    },
    { name: 'unknown keys only', payload: '{"brightness":254,"linkquality":33,"state":"ON"}', want: {} },
    { name: 'nulls before a first report', payload: { occupancy: null, battery: null }, want: {} },
    {
      name: 'a key of the wrong type; the rest of the message still counts',
      payload: { occupancy: 'yes', temperature: 21.5 },
      want: { temperature: 21.5 },
      problems: [/^zigbee2mqtt\/hall: occupancy: expected true or false, got "yes"$/],
    },
    {
      name: 'numbers out of range',
      payload: { temperature: 150, humidity: -5, battery: 200, occupancy: false },
      want: { motion: false },
      problems: [
        /temperature: 150 is out of range/,
        /humidity: -5 is out of range/,
        /battery: 200 is out of range/,
      ],
    },
    {
      name: 'a number as text',
      payload: { temperature: '21.5' },
      want: {},
      problems: [/temperature: expected a number/],
    },
    { name: 'malformed JSON', payload: '{"occupancy":tru', want: {}, problems: [/payload: not valid JSON/] },
    { name: 'a list', payload: '[1,2]', want: {}, problems: [/payload: expected a JSON object, got a list/] },
    {
      name: 'a bare value',
      payload: '"on"',
      want: {},
      problems: [/payload: expected a JSON object, got "on"/],
    },
    { name: 'null', payload: 'null', want: {}, problems: [/expected a JSON object, got null/] },
    { name: 'empty', payload: '', want: {}, problems: [/not valid JSON/] },
    {
      name: 'keys that name Object.prototype',
      payload: '{"__proto__":{"occupancy":true},"action":"constructor","toString":1}',
      want: { button: 'constructor' },
    },
    // A row with a kind takes that kind and battery only; problems of keys it does not take are not its own.
    {
      name: 'kind temperature',
      row: { kind: 'temperature' },
      payload: { battery: 91, humidity: 45.41, temperature: 21.43, occupancy: true },
      want: { battery: 91, temperature: 21.43 },
    },
    {
      name: 'kind motion',
      row: { kind: 'motion' },
      payload: { occupancy: true, temperature: 'hot' },
      want: { motion: true },
    },
    // occupancy stands for a bed, chair or presence row; vibration counts on a motion row only.
    {
      name: 'kind bed',
      row: { kind: 'bed' },
      payload: { occupancy: true, battery: 80 },
      want: { battery: 80, bed: true },
    },
    { name: 'kind chair', row: { kind: 'chair' }, payload: { occupancy: false }, want: { chair: false } },
    {
      name: 'kind presence, a radar that sends both keys: its own presence wins',
      row: { kind: 'presence' },
      payload: { occupancy: false, presence: true },
      want: { presence: true },
    },
    {
      name: 'vibration on a motion row',
      row: { kind: 'motion' },
      payload: { vibration: true },
      want: { motion: true },
    },
    {
      name: 'occupancy before vibration',
      row: { kind: 'motion' },
      payload: { occupancy: false, vibration: true },
      want: { motion: false },
    },
    // Fall radars: Zigbee2MQTT sends the whole state, the fall state with every other change.
    {
      name: 'Tuya MIR-HE200-TY, kind presence: its presence and its falls, none = no fall',
      row: { kind: 'presence' },
      payload: MIR_HE200_TY('none'),
      want: { presence: true, fall: false },
    },
    {
      name: 'Tuya MIR-HE200-TY fall',
      row: { kind: 'presence' },
      payload: MIR_HE200_TY('fall'),
      want: { presence: true, fall: true },
    },
    {
      name: 'Tuya MIR-HE200-TY maybe_fall: the radar is still making sure, no reading yet',
      row: { kind: 'presence' },
      payload: MIR_HE200_TY('maybe_fall'),
      want: { presence: true },
    },
    {
      name: 'Tuya MIR-HE200-TY, kind fall: its falls alone',
      row: { kind: 'fall' },
      payload: MIR_HE200_TY('fall'),
      want: { fall: true },
    },
    {
      name: 'Tuya MIR-HE200-TY, no kind: every key it has',
      payload: MIR_HE200_TY('fall'),
      want: { presence: true, motion: true, fall: true },
    },
    {
      name: 'Heiman HS2FD-EF1-3.0 fall_alarm, kind fall',
      row: { kind: 'fall' },
      payload: '{"fall_status":"fall_alarm","linkquality":98,"occupancy":true,"sensor_status":"none"}',
      want: { fall: true },
    },
    {
      name: 'Heiman HS2FD-EF1-3.0, kind presence: occupancy is its presence, and its falls',
      row: { kind: 'presence' },
      payload: '{"fall_status":"normal","linkquality":98,"occupancy":true,"sensor_status":"activity"}',
      want: { presence: true, fall: false },
    },
    {
      name: 'Heiman HS2FD-EF1-3.0 fall_warning: not yet a fall',
      row: { kind: 'fall' },
      payload: '{"fall_status":"fall_warning","linkquality":98,"occupancy":true,"sensor_status":"none"}',
      want: {},
    },
    {
      name: 'OWON FDS315 falling, kind fall',
      row: { kind: 'fall' },
      payload: OWON_FDS315('falling'),
      want: { fall: true },
    },
    {
      name: 'OWON FDS315 on_the_bed, kind presence: someone there, no fall',
      row: { kind: 'presence' },
      payload: OWON_FDS315('on_the_bed'),
      want: { presence: true, fall: false },
    },
    {
      name: 'OWON FDS315 unoccupied, kind presence',
      row: { kind: 'presence' },
      payload: OWON_FDS315('unoccupied'),
      want: { presence: false, fall: false },
    },
    {
      name: "OWON FDS315, no kind: `status` is another device's word too, read only when the row asks",
      payload: OWON_FDS315('falling'),
      want: {},
    },
    {
      name: 'an ESPHome-like capitalised word is the same word',
      row: { kind: 'fall' },
      payload: { fall_down_status: 'FALL' },
      want: { fall: true },
    },
    // A fall state Hearth does not know is refused, named, never guessed; the rest still counts.
    {
      name: "Tuya MIR-HE200-TY with another radar's word",
      row: { kind: 'presence' },
      payload: { fall_down_status: 'falling', presence: true },
      want: { presence: true },
      problems: [/^zigbee2mqtt\/hall: fall_down_status: expected fall, none or maybe_fall, got "falling"$/],
    },
    {
      name: 'Tuya MIR-HE200-TY datapoint number instead of its word',
      row: { kind: 'fall' },
      payload: { fall_down_status: 2 },
      want: {},
      problems: [/fall_down_status: expected fall, none or maybe_fall, got 2$/],
    },
    {
      name: 'Heiman HS2FD-EF1-3.0 "unknown" (a status its converter cannot read)',
      row: { kind: 'fall' },
      payload: { fall_status: 'unknown', occupancy: true },
      want: {},
      problems: [/fall_status: expected fall_alarm, normal or fall_warning, got "unknown"$/],
    },
    {
      name: 'OWON FDS315 code its converter does not know',
      row: { kind: 'presence' },
      payload: OWON_FDS315('Unknown (6)'),
      want: {},
      problems: [
        /status: expected unoccupied, occupied, sitting, on_the_bed, low_posture or falling, got "Unknown \(6\)"$/,
      ],
    },
  ];
  it.each(cases)('$name', (c) => expectCase(zigbee2mqtt, z2m(c.row), T, c));

  it('refuses bytes that are not UTF-8', () => {
    const out = zigbee2mqtt.map(z2m(), T, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), NOW);
    expect(out).toEqual({ readings: [], problems: [`${T}: payload: not UTF-8 text (4 bytes)`] });
  });

  it('subscribes to the row topic and ignores any other', () => {
    expect(zigbee2mqtt.filters(z2m())).toEqual([T]);
    expect(zigbee2mqtt.map(z2m(), `${T}/availability`, bytes({ state: 'online' }), NOW)).toEqual(NONE);
  });
});

// ---------------------------------------------------------------------------------------------
describe('esphome', () => {
  const topic = (domain: string, sensor = 'pir') => `kitchen-node/${domain}/${sensor}/state`;

  it('subscribes to the domain the kind lives in', () => {
    expect(esphome.filters(esp('motion'))).toEqual([topic('binary_sensor')]);
    expect(esphome.filters(esp('temperature', { sensor: 'temp' }))).toEqual([topic('sensor', 'temp')]);
    expect(esphome.filters(esp('button', { sensor: 'btn' }))).toEqual([
      topic('binary_sensor', 'btn'),
      topic('event', 'btn'),
    ]);
  });

  const B = 'binary_sensor';
  const cases: (Case & { row: { kind: Kind }; on: string })[] = [
    { name: 'PIR ON', row: { kind: 'motion' }, on: B, payload: 'ON', want: { motion: true } },
    { name: 'PIR OFF', row: { kind: 'motion' }, on: B, payload: 'OFF', want: { motion: false } },
    {
      name: 'door ON = open (device_class door)',
      row: { kind: 'contact' },
      on: B,
      payload: 'ON',
      want: { contact: true },
    },
    { name: 'bed pad', row: { kind: 'bed' }, on: B, payload: 'ON', want: { bed: true } },
    {
      name: 'temperature',
      row: { kind: 'temperature' },
      on: 'sensor',
      payload: '21.50',
      want: { temperature: 21.5 },
    },
    { name: 'humidity', row: { kind: 'humidity' }, on: 'sensor', payload: '45', want: { humidity: 45 } },
    { name: 'wifi_signal', row: { kind: 'rssi' }, on: 'sensor', payload: '-61', want: { rssi: -61 } },
    { name: 'steps', row: { kind: 'steps' }, on: 'sensor', payload: '1234', want: { steps: 1234 } },
    { name: 'push button ON', row: { kind: 'button' }, on: B, payload: 'ON', want: { button: 'press' } },
    { name: 'push button OFF: its release', row: { kind: 'button' }, on: B, payload: 'OFF', want: {} },
    {
      name: 'event entity',
      row: { kind: 'button' },
      on: 'event',
      payload: '{"event_type":"double_press"}',
      want: { button: 'double_press' },
    },
    {
      name: 'event entity, own name',
      row: { kind: 'button' },
      on: 'event',
      payload: { event_type: 'sos' },
      want: { button: 'sos' },
    },
    {
      name: 'nan',
      row: { kind: 'temperature' },
      on: 'sensor',
      payload: 'nan',
      want: {},
      problems: [/^kitchen-node\/sensor\/pir\/state: state: the device has no valid reading \(nan\)$/],
    },
    {
      name: 'not a number',
      row: { kind: 'temperature' },
      on: 'sensor',
      payload: 'warm',
      want: {},
      problems: [/state: expected a number, got "warm"/],
    },
    {
      name: 'out of range',
      row: { kind: 'temperature' },
      on: 'sensor',
      payload: '150.0',
      want: {},
      problems: [/state: "150.0" is out of range for temperature/],
    },
    {
      name: 'neither ON nor OFF',
      row: { kind: 'motion' },
      on: B,
      payload: 'maybe',
      want: {},
      problems: [/state: expected ON or OFF/],
    },
    {
      name: 'a button neither ON nor OFF',
      row: { kind: 'button' },
      on: B,
      payload: '1',
      want: {},
      problems: [/state: not a press: "1"/],
    },
    {
      name: 'event not JSON',
      row: { kind: 'button' },
      on: 'event',
      payload: 'single',
      want: {},
      problems: [/payload: not valid JSON/],
    },
    {
      name: 'event type a number',
      row: { kind: 'button' },
      on: 'event',
      payload: { event_type: 2 },
      want: {},
      problems: [/event_type: expected an event name/],
    },
  ];
  it.each(cases)('$row.kind on $on: $name', (c) => expectCase(esphome, esp(c.row.kind), topic(c.on), c));

  describe('fall radars', () => {
    // The Seeed MR60FDA2 (ESPHome's seeed_mr60fda2): its fall_detected binary sensor, named as
    // ESPHome's documentation names it, "Falling Detected", whose object id is falling_detected.
    const mr60 = esp('fall', { sensor: 'falling_detected' });
    // The Seeed MR24FDB1 (the esphome-mr24fdb1 component): its fall_state text sensor, "MR24FDB1 Fall State".
    const mr24 = esp('fall', { sensor: 'mr24fdb1_fall_state' });
    const run = (r: Row<'esphome'>, domain: string, payload: string) =>
      esphome.map(r, topic(domain, r.sensor), bytes(payload), NOW);

    it('a fall row is subscribed to its binary sensor and its text sensor; a presence row to its binary sensor only', () => {
      expect(esphome.filters(mr60)).toEqual([
        topic(B, 'falling_detected'),
        topic('text_sensor', 'falling_detected'),
      ]);
      expect(esphome.filters(esp('presence', { sensor: 'person_information' }))).toEqual([
        topic(B, 'person_information'),
      ]);
    });

    it('Seeed MR60FDA2 fall_detected: ON a fall, OFF over', () => {
      expect(got(run(mr60, B, 'ON'))).toEqual({ fall: true });
      expect(got(run(mr60, B, 'OFF'))).toEqual({ fall: false });
    });

    it('Seeed MR24FDB1 fall_state: Real a fall, None over, Suspected not yet', () => {
      expect(got(run(mr24, 'text_sensor', 'Real'))).toEqual({ fall: true });
      expect(got(run(mr24, 'text_sensor', 'None'))).toEqual({ fall: false });
      expect(run(mr24, 'text_sensor', 'Suspected')).toEqual(NONE);
    });

    it('a word no known component says is refused: "fall" is the DFRobot SEN0623 status for its mode', () => {
      expect(run(mr24, 'text_sensor', 'fall')).toEqual({
        readings: [],
        problems: [
          `${topic('text_sensor', 'mr24fdb1_fall_state')}: state: expected real, none or suspected, got "fall"`,
        ],
      });
      expect(run(mr60, B, 'fallen').problems).toEqual([
        `${topic(B, 'falling_detected')}: state: expected ON or OFF, got "fallen"`,
      ]);
    });
  });

  it('ignores topics of other entities, domains and the status topic', () => {
    expect(esphome.map(esp('motion'), topic('sensor'), bytes('21'), NOW)).toEqual(NONE);
    expect(esphome.map(esp('motion'), 'kitchen-node/status', bytes('online'), NOW)).toEqual(NONE);
    expect(esphome.map(esp('motion'), topic(B, 'other'), bytes('ON'), NOW)).toEqual(NONE);
  });
});

// ---------------------------------------------------------------------------------------------
describe('tasmota', () => {
  const T = 'tasmota_5C8A1B';
  const STATE =
    '{"Time":"2026-03-02T07:31:00","Uptime":"0T01:02:03","UptimeSec":3723,"Heap":26,"SleepMode":"Dynamic","Sleep":50,"LoadAvg":19,"MqttCount":1,"POWER":"ON","Wifi":{"AP":1,"SSId":"home","BSSId":"3C:A6:2F:23:6A:94","Channel":6,"Mode":"11n","RSSI":52,"Signal":-74,"LinkCount":1,"Downtime":"0T00:00:07"}}';

  it('subscribes to what the row can read', () => {
    expect(tasmota.filters(tas())).toEqual([`tele/${T}/STATE`, `tele/${T}/SENSOR`, `stat/${T}/RESULT`]);
    expect(tasmota.filters(tas({ kind: 'contact' }))).toEqual([`stat/${T}/POWER`, `tele/${T}/STATE`]);
    expect(tasmota.filters(tas({ kind: 'motion', sensor: 'POWER2' }))).toEqual([
      `stat/${T}/POWER2`,
      `tele/${T}/STATE`,
    ]);
    expect(tasmota.filters(tas({ kind: 'motion', sensor: 'Switch1' }))).toEqual([
      `tele/${T}/STATE`,
      `tele/${T}/SENSOR`,
      `stat/${T}/RESULT`,
    ]);
    expect(tasmota.filters(tas({ sensor: 'AM2301', kind: 'temperature' }))).toEqual([
      `tele/${T}/STATE`,
      `tele/${T}/SENSOR`,
    ]);
  });

  const SENSOR = 'tele/SENSOR';
  const cases: (Case & { on: string })[] = [
    {
      name: 'AM2301 (DHT22)',
      on: SENSOR,
      payload:
        '{"Time":"2026-03-02T07:31:00","AM2301":{"Temperature":21.3,"Humidity":45.0,"DewPoint":8.9},"TempUnit":"C"}',
      want: { humidity: 45, temperature: 21.3 },
    },
    {
      name: "the ESP32's own thermometer is not the room's",
      on: SENSOR,
      payload:
        '{"Time":"2026-03-02T07:31:00","ESP32":{"Temperature":45.6},"SI7021":{"Temperature":20.1,"Humidity":50.2},"TempUnit":"C"}',
      want: { humidity: 50.2, temperature: 20.1 },
    },
    {
      name: 'Fahrenheit (SetOption8 1)',
      on: SENSOR,
      payload:
        '{"Time":"2026-03-02T07:31:00","DS18B20":{"Id":"01144B1B7BAA","Temperature":70.5},"TempUnit":"F"}',
      want: { temperature: 21.39 },
    },
    {
      name: 'two thermometers and no sensor named',
      on: SENSOR,
      payload:
        '{"Time":"2026-03-02T07:31:00","DS18B20-1":{"Temperature":20.5},"DS18B20-2":{"Temperature":22.0},"TempUnit":"C"}',
      want: { temperature: 20.5 },
      problems: [
        /DS18B20-2.Temperature: temperature already read from DS18B20-1.Temperature; name one sensor/,
      ],
    },
    {
      name: 'two thermometers, one named',
      row: { sensor: 'DS18B20-2' },
      on: SENSOR,
      payload:
        '{"Time":"2026-03-02T07:31:00","DS18B20-1":{"Temperature":20.5},"DS18B20-2":{"Temperature":22.0},"TempUnit":"C"}',
      want: { temperature: 22 },
    },
    {
      name: 'a wrong value among good ones',
      on: SENSOR,
      payload: { AM2301: { Temperature: 'hot', Humidity: 45 } },
      want: { humidity: 45 },
      problems: [/AM2301.Temperature: expected a number, got "hot"/],
    },
    {
      name: 'a sensor key that is not an object',
      on: SENSOR,
      payload: { AM2301: 5, TempUnit: 'C' },
      want: {},
    },
    {
      name: 'broken JSON',
      on: SENSOR,
      payload: '{"AM2301":{',
      want: {},
      problems: [/payload: not valid JSON/],
    },
    {
      name: 'STATE: Wifi signal in dBm, not the relay',
      on: 'tele/STATE',
      payload: STATE,
      want: { rssi: -74 },
    },
    { name: 'relay ON', row: { kind: 'contact' }, on: 'stat/POWER', payload: 'ON', want: { contact: true } },
    {
      name: 'relay OFF',
      row: { kind: 'contact' },
      on: 'stat/POWER',
      payload: 'OFF',
      want: { contact: false },
    },
    {
      name: 'relay TOGGLE',
      row: { kind: 'contact' },
      on: 'stat/POWER',
      payload: 'TOGGLE',
      want: {},
      problems: [/state: expected ON or OFF/],
    },
    {
      name: 'second relay',
      row: { kind: 'motion', sensor: 'POWER2' },
      on: 'stat/POWER2',
      payload: 'ON',
      want: { motion: true },
    },
    {
      name: 'Button1 SINGLE (SetOption73 1)',
      on: 'stat/RESULT',
      payload: '{"Button1":{"Action":"SINGLE"}}',
      want: { button: 'press' },
    },
    {
      name: 'Button2 DOUBLE',
      on: 'stat/RESULT',
      payload: '{"Button2":{"Action":"DOUBLE"}}',
      want: { button: 'double_press' },
    },
    {
      name: 'HOLD',
      on: 'stat/RESULT',
      payload: '{"Button1":{"Action":"HOLD"}}',
      want: { button: 'long_press' },
    },
    { name: 'a relay response', on: 'stat/RESULT', payload: '{"POWER":"ON"}', want: {} },
    {
      name: 'only the named button',
      row: { kind: 'button', sensor: 'Button2' },
      on: 'stat/RESULT',
      payload: '{"Button1":{"Action":"SINGLE"}}',
      want: {},
    },
    {
      name: 'Switch1 (SetOption114 1)',
      row: { kind: 'motion', sensor: 'Switch1' },
      on: 'stat/RESULT',
      payload: '{"Switch1":{"Action":"ON"}}',
      want: { motion: true },
    },
    {
      name: 'Switch1 state every TelePeriod',
      row: { kind: 'motion', sensor: 'Switch1' },
      on: SENSOR,
      payload: '{"Time":"2026-03-02T07:31:00","Switch1":"OFF","Switch2":"ON"}',
      want: { motion: false },
    },
  ];
  it.each(cases)('$on: $name', (c) => {
    const [level, name] = c.on.split('/');
    expectCase(tasmota, tas(c.row), `${level}/${T}/${name}`, c);
  });

  it('ignores another device, and the relay when the row does not read it', () => {
    expect(tasmota.map(tas(), `tele/other/STATE`, bytes(STATE), NOW)).toEqual(NONE);
    expect(tasmota.map(tas(), `stat/${T}/POWER`, bytes('ON'), NOW)).toEqual(NONE);
  });
});

// ---------------------------------------------------------------------------------------------
describe('shelly', () => {
  const P = 'shellyplusht-08b61fcb7f0c';
  const T = `${P}/events/rpc`;
  const note = (method: string, params: object) => ({ src: P, dst: `${P}/events`, method, params });
  const status = (params: object) => note('NotifyStatus', { ts: 1706607602.53, ...params });
  const event = (component: string, ev: string) =>
    `{"src":"${P}","dst":"${P}/events","method":"NotifyEvent","params":{"ts":1706607602.53,"events":[{"component":"${component}","id":0,"event":"${ev}","ts":1706607602.53}]}}`;
  const FULL = `{"src":"${P}","dst":"${P}/events","method":"NotifyFullStatus","params":{"ts":1706607602.53,"ble":{},"cloud":{"connected":false},"devicepower:0":{"id":0,"battery":{"V":5.98,"percent":80},"external":{"present":false}},"humidity:0":{"id":0,"rh":45.2},"mqtt":{"connected":true},"sys":{"mac":"08B61FCB7F0C","restart_required":false,"uptime":1},"temperature:0":{"id":0,"tC":21.6,"tF":70.9},"wifi":{"sta_ip":"192.168.1.50","status":"got ip","ssid":"home","rssi":-58},"ws":{"connected":false}}}`;
  const TWO = status({ 'temperature:100': { id: 100, tC: 19 }, 'temperature:101': { id: 101, tC: 55 } });

  const cases: Case[] = [
    {
      name: 'H&T Gen3 NotifyStatus',
      payload: `{"src":"${P}","dst":"${P}/events","method":"NotifyStatus","params":{"ts":1706607602.53,"temperature:0":{"id":0,"tC":21.6,"tF":70.9}}}`,
      want: { temperature: 21.6 },
    },
    {
      name: 'NotifyFullStatus after a wake-up',
      payload: FULL,
      want: { battery: 80, humidity: 45.2, rssi: -58, temperature: 21.6 },
    },
    {
      name: 'one component, and health from any',
      row: { component: 'temperature:0' },
      payload: FULL,
      want: { battery: 80, rssi: -58, temperature: 21.6 },
    },
    {
      name: 'kind humidity',
      row: { kind: 'humidity' },
      payload: FULL,
      want: { battery: 80, humidity: 45.2, rssi: -58 },
    },
    { name: 'single_push', payload: event('input:0', 'single_push'), want: { button: 'press' } },
    { name: 'double_push', payload: event('input:0', 'double_push'), want: { button: 'double_press' } },
    { name: 'long_push', payload: event('input:0', 'long_push'), want: { button: 'long_press' } },
    { name: 'btn_down is not a press', payload: event('input:0', 'btn_down'), want: {} },
    { name: 'system events', payload: event('sys', 'scheduled_restart'), want: {} },
    {
      name: 'another input',
      row: { component: 'input:1' },
      payload: event('input:0', 'single_push'),
      want: {},
    },
    {
      name: 'an input wired to a reed switch',
      row: { component: 'input:0', kind: 'contact' },
      payload: status({ 'input:0': { id: 0, state: true }, 'input:1': { id: 1, state: false } }),
      want: { contact: true },
    },
    {
      name: 'an input without a kind',
      row: { component: 'input:0' },
      payload: status({ 'input:0': { id: 0, state: true } }),
      want: {},
    },
    {
      name: 'a button-mode input has no state',
      row: { component: 'input:0', kind: 'button' },
      payload: status({ 'input:0': { id: 0, state: null } }),
      want: {},
    },
    {
      name: 'flood',
      payload: status({ 'flood:0': { id: 0, alarm: true, mute: false } }),
      want: { water_leak: true },
    },
    {
      name: 'a sensor that cannot read',
      payload: status({ 'temperature:0': { id: 0, tC: null, tF: null, errors: ['read'] } }),
      want: {},
      problems: [
        /^shellyplusht-08b61fcb7f0c\/events\/rpc: temperature:0: the device reports errors \["read"\]$/,
      ],
    },
    {
      name: 'a wrong value among good ones',
      payload: status({ 'temperature:0': { tC: '21' }, 'humidity:0': { rh: 45 } }),
      want: { humidity: 45 },
      problems: [/temperature:0.tC: expected a number, got "21"/],
    },
    {
      name: 'battery not an object',
      payload: status({ 'devicepower:0': { battery: 80 } }),
      want: {},
      problems: [/devicepower:0.battery: expected an object/],
    },
    {
      name: 'Plus Add-on with two thermometers',
      payload: TWO,
      want: { temperature: 19 },
      problems: [/temperature:101.tC: temperature already read from temperature:100.tC; name one component/],
    },
    {
      name: 'Plus Add-on, one named',
      row: { component: 'temperature:101' },
      payload: TWO,
      want: { temperature: 55 },
    },
    {
      name: 'no method',
      payload: { params: {} },
      want: {},
      problems: [/method: expected an RPC notification/],
    },
    { name: 'another notification', payload: note('NotifyWakeup', {}), want: {} },
    { name: 'a method named like a prototype key', payload: note('toString', {}), want: {} },
    {
      name: 'params not an object',
      payload: { method: 'NotifyStatus', params: 3 },
      want: {},
      problems: [/params: expected an object/],
    },
    {
      name: 'events not a list',
      payload: note('NotifyEvent', { events: {} }),
      want: {},
      problems: [/params.events: expected a list/],
    },
    {
      name: 'an event without a component',
      payload: note('NotifyEvent', { events: [7, { component: 'input:0', event: 'single_push' }] }),
      want: { button: 'press' },
      problems: [/params.events.0: expected an event with a component/],
    },
    {
      name: 'component types named like prototype keys',
      payload: '{"method":"NotifyStatus","params":{"constructor:0":{"tC":1},"__proto__":{"rh":1}}}',
      want: {},
    },
  ];
  it.each(cases)('$name', (c) => expectCase(shelly, shy(c.row), T, c));

  it('subscribes to the RPC notifications and ignores other topics', () => {
    expect(shelly.filters(shy())).toEqual([T]);
    expect(shelly.map(shy(), `${P}/online`, bytes('true'), NOW)).toEqual(NONE);
  });
});

// ---------------------------------------------------------------------------------------------
describe('router', () => {
  const config = parseConfigText(`version: 1
gateway: { id: gw-1, resident: r-1, timezone: Europe/London }
rooms: [hall, kitchen]
devices:
  - { id: hall-motion, source: zigbee2mqtt, topic: zigbee2mqtt/hall, kind: motion }
  - { id: hall-temp, source: zigbee2mqtt, topic: zigbee2mqtt/hall, kind: temperature }
  - { id: kitchen-pir, source: esphome, node: kitchen-node, sensor: pir, kind: motion }
  - { id: plug, source: tasmota, topic: tasmota_5C8A1B }
  - { id: ht, source: shelly, topic: shellyplusht-08b61fcb7f0c }
  - { id: bed-pad, source: firmata, port: /dev/ttyUSB0, pin: 2, kind: bed }
`).config;
  if (!config) throw new Error('router test home does not parse');
  const r = router(config.devices);

  it('lists every filter once, rows of other sources left out', () => {
    expect(r.filters).toEqual([
      'zigbee2mqtt/hall',
      'kitchen-node/binary_sensor/pir/state',
      'tele/tasmota_5C8A1B/STATE',
      'tele/tasmota_5C8A1B/SENSOR',
      'stat/tasmota_5C8A1B/RESULT',
      'shellyplusht-08b61fcb7f0c/events/rpc',
    ]);
  });

  it('finds the rows of a topic, and none for a topic no row reads', () => {
    expect(r.routes('zigbee2mqtt/hall').map((x) => [x.row.id, x.mapper.source])).toEqual([
      ['hall-motion', 'zigbee2mqtt'],
      ['hall-temp', 'zigbee2mqtt'],
    ]);
    expect(r.routes('kitchen-node/binary_sensor/pir/state').map((x) => x.row.id)).toEqual(['kitchen-pir']);
    expect(r.routes('zigbee2mqtt/bridge/state')).toEqual([]);
    expect(r.map('zigbee2mqtt/bridge/state', bytes('online'), NOW)).toEqual({ readings: [], problems: [] });
  });

  it('maps a message for every row it concerns, each problem once', () => {
    const out = r.map('zigbee2mqtt/hall', bytes({ occupancy: true, temperature: 19.5, battery: 70 }), NOW);
    expect(out.readings.map((x) => [x.device, x.kind, x.value])).toEqual([
      ['hall-motion', 'motion', true],
      ['hall-motion', 'battery', 70],
      ['hall-temp', 'temperature', 19.5],
      ['hall-temp', 'battery', 70],
    ]);
    expect(r.map('zigbee2mqtt/hall', bytes('{oops'), NOW).problems).toHaveLength(1);
  });

  it('matches wildcard filters when a mapper gives them', () => {
    const wild: Mapper = {
      source: 'zigbee2mqtt',
      filters: (x) => [`${(x as Row<'zigbee2mqtt'>).topic}/+`, 'sensors/#'],
      map: (x) => ({ readings: [{ device: x.id, at: NOW, kind: 'motion', value: true }], problems: [] }),
    };
    const w = buildRouter([z2m()], { ...MAPPERS, zigbee2mqtt: wild });
    expect(w.routes('zigbee2mqtt/hall/occupancy')).toHaveLength(1);
    expect(w.routes('sensors/a/b')).toHaveLength(1);
    expect(w.routes('zigbee2mqtt/hall')).toHaveLength(0);
    expect(w.map('sensors/x', bytes(''), NOW).readings).toHaveLength(1);
  });

  it.each([
    ['a/+/c', 'a/b/c', true],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['+', 'a', true],
    ['+', 'a/b', false],
    ['a/+', 'a', false],
    ['#', '$SYS/broker', false],
    ['+/broker', '$SYS/broker', false],
    ['$SYS/#', '$SYS/broker', true],
  ])('%s matches %s: %s', (filter, topic, want) => expect(matches(filter, topic)).toBe(want));
});

// ---------------------------------------------------------------------------------------------
describe('the tables', () => {
  const tasmotaFields = TASMOTA_MESSAGES.flatMap((m) => [
    ...(m.fields ?? []),
    ...(m.parts ?? []).flatMap((p) => p.fields),
  ]);
  const shellyFields = [...Object.values(SHELLY_STATUS), ...Object.values(SHELLY_EVENTS)].flat();
  /** The kinds a row naming that kind can get from these fields. */
  const kindsOf = (fields: readonly Field[]) => KINDS.filter((k) => fields.some((f) => kindFor(f, k) === k));
  /** The kinds a row naming none gets. */
  const defaultsOf = (fields: readonly Field[]) =>
    KINDS.filter((k) => fields.some((f) => kindFor(f, undefined) === k));
  const sorted = (ks: readonly Kind[]) => [...ks].sort();

  const tables: [string, readonly Field[]][] = [
    ['zigbee2mqtt', ZIGBEE2MQTT_FIELDS],
    ...Object.entries(ESPHOME_DOMAINS).map(([d, x]): [string, readonly Field[]] => [
      `esphome ${d}`,
      x.fields,
    ]),
    ['tasmota', tasmotaFields],
    ['shelly', shellyFields],
  ];
  it.each(tables)('%s: every kind gets values of its type', (_, fields) => {
    for (const f of fields)
      for (const k of f.kind === 'row' ? [] : [f.kind, ...(f.alias ?? [])])
        expect(KIND_VALUE[k], `${f.path.join('.')} -> ${k}`).toBe(READ_VALUE[f.read.as]);
  });

  it("config's kinds per source are the kinds the mappers can give", () => {
    expect(sorted(kindsOf(ZIGBEE2MQTT_FIELDS))).toEqual(sorted(MQTT_SOURCE_KINDS.zigbee2mqtt));
    expect(KINDS.filter((k) => esphome.filters(esp(k)).length > 0)).toEqual([...MQTT_SOURCE_KINDS.esphome]);
    expect(sorted(kindsOf(tasmotaFields))).toEqual(sorted(MQTT_SOURCE_KINDS.tasmota));
    expect(sorted(kindsOf(shellyFields))).toEqual(sorted(MQTT_SOURCE_KINDS.shelly));
  });

  it("config's defaults are what a row without kind gets", () => {
    expect(sorted(defaultsOf(tasmotaFields))).toEqual(sorted(MQTT_DEFAULT_KINDS.tasmota ?? []));
    expect(sorted(defaultsOf(shellyFields))).toEqual(sorted(MQTT_DEFAULT_KINDS.shelly ?? []));
  });

  it("config's Shelly components are the mapper's, with the same kinds", () => {
    expect(Object.keys(SHELLY_COMPONENT_KINDS).sort()).toEqual(Object.keys(SHELLY_STATUS).sort());
    for (const [type, kinds] of Object.entries(SHELLY_COMPONENT_KINDS)) {
      const fields = [...(SHELLY_STATUS[type] ?? []), ...(SHELLY_EVENTS[type] ?? [])];
      expect(sorted(kindsOf(fields)), type).toEqual(sorted(kinds));
    }
  });

  it("config's Tasmota parts are the kinds the mapper reads from each", () => {
    const T = 'tasmota_5C8A1B';
    /** What each part publishes, on which topic. */
    const sample: Record<string, [string, string | object][]> = {
      POWER: [[`stat/${T}/POWER`, 'ON']],
      POWER2: [[`stat/${T}/POWER2`, 'ON']],
      Switch1: [
        [`tele/${T}/SENSOR`, { Switch1: 'ON' }],
        [`stat/${T}/RESULT`, { Switch1: { Action: 'ON' } }],
      ],
      Button1: [[`stat/${T}/RESULT`, { Button1: { Action: 'SINGLE' } }]],
      AM2301: [[`tele/${T}/SENSOR`, { AM2301: { Temperature: 20, Humidity: 40, Battery: 90 } }]],
    };
    for (const [sensor, messages] of Object.entries(sample)) {
      const got = KINDS.filter((k) =>
        messages.some(([topic, payload]) =>
          tasmota
            .map(tas({ sensor, kind: k }), topic, bytes(payload), NOW)
            .readings.some((r) => r.kind === k),
        ),
      );
      expect(got, sensor).toEqual(TASMOTA_PARTS.find((p) => p.key.test(sensor))?.kinds);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('never a throw, always a MapResult', () => {
  const rows: MqttRow[] = [
    z2m(),
    z2m({ kind: 'bed' }),
    z2m({ kind: 'presence' }),
    z2m({ kind: 'fall' }),
    esp('fall'),
    esp('motion'),
    esp('temperature'),
    esp('button'),
    tas(),
    tas({ kind: 'contact' }),
    tas({ kind: 'button', sensor: 'Button1' }),
    shy(),
    shy({ component: 'input:0', kind: 'contact' }),
  ];
  const valid = (r: MqttRow, topic: string, out: MapResult) => {
    expect(Array.isArray(out.readings) && Array.isArray(out.problems)).toBe(true);
    for (const x of out.readings) {
      expect(readingSchema.safeParse(x).success, JSON.stringify(x)).toBe(true);
      expect(x.device).toBe(r.id);
    }
    for (const p of out.problems) expect(p.startsWith(`${topic}: `)).toBe(true);
  };
  const SOURCES = ['zigbee2mqtt', 'esphome', 'tasmota', 'shelly'] as const;
  /** One payload for the `pick`th row of a source, on the `on`th of its topics. */
  const run = (source: MqttRow['source'], payload: Buffer, pick: number, on: number) => {
    const mine = rows.filter((r) => r.source === source);
    const r = mine[pick % mine.length] as MqttRow;
    const filters = MAPPERS[source].filters(r);
    const topic = filters[on % filters.length] ?? 'x';
    valid(r, topic, MAPPERS[source].map(r, topic, payload, NOW));
  };

  it.each(SOURCES)('%s: random bytes', (source) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (b, n, on) =>
        run(source, Buffer.from(b), n, on),
      ),
      { numRuns: 500 },
    );
  });

  it.each(SOURCES)('%s: random JSON', (source) => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.nat(), (j, n, on) => run(source, Buffer.from(j), n, on)),
      { numRuns: 500 },
    );
  });

  const value = fc.oneof(fc.jsonValue(), fc.constantFrom('ON', 'OFF', 'nan', 'single', ''));
  it.each(SOURCES)('%s: random values under the keys the tables read', (source) => {
    const keys = [
      ...ZIGBEE2MQTT_FIELDS.map((f) => f.path[0] ?? ''),
      'AM2301',
      'Switch1',
      'Button1',
      'Wifi',
      'event_type',
    ];
    const z2mLike = fc.dictionary(fc.constantFrom(...keys), value);
    fc.assert(
      fc.property(z2mLike, fc.nat(), fc.nat(), (o, n, on) => run(source, bytes(o), n, on)),
      { numRuns: 500 },
    );
  });

  it('random Shelly notifications', () => {
    const component = fc.tuple(
      fc.constantFrom(...Object.keys(SHELLY_STATUS), 'sys', 'constructor'),
      fc.nat(3),
    );
    const params = fc.dictionary(
      component.map(([t, i]) => `${t}:${i}`),
      fc.oneof(
        value,
        fc.dictionary(
          fc.constantFrom('tC', 'rh', 'battery', 'alarm', 'rssi', 'state', 'output', 'errors'),
          value,
        ),
      ),
    );
    const events = fc.array(fc.record({ component: component.map(([t, i]) => `${t}:${i}`), event: value }));
    const message = fc.oneof(
      fc.record({ method: fc.constantFrom('NotifyStatus', 'NotifyFullStatus'), params }),
      fc.record({
        method: fc.constant('NotifyEvent'),
        params: fc.record({ events: fc.oneof(events, value) }),
      }),
    );
    const rs = [shy(), shy({ component: 'input:1', kind: 'motion' }), shy({ kind: 'button' })];
    fc.assert(
      fc.property(message, fc.nat(), (m, n) => {
        const r = rs[n % rs.length] as Row<'shelly'>;
        const topic = `${r.topic}/events/rpc`;
        valid(r, topic, shelly.map(r, topic, bytes(m), NOW));
      }),
      { numRuns: 1500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('provisioning rows of the new sources', () => {
  const home = (rows: string) => `version: 1
gateway: { id: gw-1, resident: r-1, timezone: Europe/London }
rooms: [hall, kitchen, lounge]
devices:
${rows}
rules:
  help_button: {}
  front_door_at_night: { window: { from: "23:00", to: "06:00" } }
`;
  /** The problems of the device rows (the rules may want a role these rows do not give). */
  const problems = (rows: string) =>
    parseConfigText(home(rows))
      .problems.filter((p) => p.path[0] === 'devices')
      .map((p) => `${p.path.join('.')}  ${p.message}`);

  it('a file with one row of each is valid', () => {
    const r = parseConfigText(
      home(`  - { id: kitchen-pir, source: esphome, node: kitchen-node, sensor: pir, kind: motion, room: kitchen }
  - { id: kitchen-plug, source: tasmota, topic: tasmota_5C8A1B, sensor: AM2301, room: kitchen }
  - { id: front-door, source: tasmota, topic: tasmota_D1A2B3, sensor: Switch1, kind: contact, role: front-door, room: hall }
  - { id: lounge-ht, source: shelly, topic: shellyplusht-08b61fcb7f0c, room: lounge }
  - { id: pendant, source: shelly, topic: shellyplusi4-c4d8d554b5e4, component: "input:0", role: help-button }`),
    );
    expect(r.problems).toEqual([]);
    expect(r.config?.devices.map((d) => d.source)).toEqual([
      'esphome',
      'tasmota',
      'tasmota',
      'shelly',
      'shelly',
    ]);
  });

  it.each([
    [
      'esphome without node',
      '{ id: a, source: esphome, sensor: pir, kind: motion }',
      'devices.0.node  missing; expected the ESPHome node',
    ],
    [
      'esphome without kind',
      '{ id: a, source: esphome, node: n, sensor: pir }',
      'devices.0.kind  missing; expected one of: motion',
    ],
    [
      'esphome sensor in capitals',
      '{ id: a, source: esphome, node: n, sensor: PIR, kind: motion }',
      'devices.0.sensor  "PIR": not the entity\'s object id',
    ],
    [
      'esphome as a prompt',
      '{ id: a, source: esphome, node: n, sensor: pir, kind: motion, role: prompt }',
      'devices.0.role  role prompt needs an output',
    ],
    [
      'an output on esphome',
      '{ id: a, source: esphome, node: n, sensor: pir, kind: output }',
      'devices.0.kind  "output": kind: output is for firmata and jsonl pins',
    ],
    [
      'tasmota with a full topic',
      '{ id: a, source: tasmota, topic: stat/plug/POWER }',
      'devices.0.topic  "stat/plug/POWER": not the device\'s Tasmota Topic',
    ],
    [
      'tasmota heart rate',
      '{ id: a, source: tasmota, topic: plug, kind: heart_rate }',
      'devices.0.kind  a tasmota device cannot report heart_rate',
    ],
    [
      'tasmota button read as a door',
      '{ id: a, source: tasmota, topic: plug, sensor: Button1, kind: contact }',
      'devices.0.kind  Button1 is a button (presses)',
    ],
    [
      'tasmota relay as a front door',
      '{ id: a, source: tasmota, topic: plug, role: front-door }',
      'devices.0.role  role front-door needs a door contact',
    ],
    [
      'shelly door without its input',
      '{ id: a, source: shelly, topic: s1, kind: contact }',
      'devices.0.component  a shelly row of kind contact needs component',
    ],
    [
      'shelly component misspelt',
      '{ id: a, source: shelly, topic: s1, component: "temprature:0" }',
      'devices.0.component  unknown component type "temprature" (did you mean "temperature"?)',
    ],
    [
      'shelly component and kind apart',
      '{ id: a, source: shelly, topic: s1, component: "humidity:0", kind: temperature }',
      'devices.0.kind  humidity:0 reports humidity, not temperature',
    ],
    [
      'shelly unknown key',
      '{ id: a, source: shelly, topic: s1, input: 0 }',
      'devices.0.input  unknown key "input"',
    ],
    [
      'zigbee2mqtt steps',
      '{ id: a, source: zigbee2mqtt, topic: z/a, kind: steps }',
      'devices.0.kind  a zigbee2mqtt device cannot report steps',
    ],
  ])('%s', (_, line, want) => {
    expect(
      problems(`  - ${line}`).some((p) => p.startsWith(want)),
      problems(`  - ${line}`).join('\n'),
    ).toBe(true);
  });

  it("reads a fall radar's falls by one row: its presence row (or a row of no kind), or a row of kind fall", () => {
    const two = (a: string, b: string) => problems(`  - ${a}\n  - ${b}`);
    const row = (id: string, kind?: string) =>
      `{ id: ${id}, source: zigbee2mqtt, topic: zigbee2mqtt/bathroom_radar${kind ? `, kind: ${kind}` : ''} }`;
    const twice =
      'both read the falls on zigbee2mqtt/bathroom_radar, so each fall would arrive twice: a row of kind ' +
      "presence (or of no kind) takes its radar's falls too; the row of kind fall is not needed";
    expect(two(row('a', 'presence'), row('b', 'fall'))).toEqual([
      `devices.1.kind  devices.0 and this row ${twice}`,
    ]);
    expect(two(row('a', 'fall'), row('b'))).toEqual([`devices.1.topic  devices.0 and this row ${twice}`]);
    expect(two(row('a', 'presence'), row('b', 'temperature'))).toEqual([]);
    expect(two(row('a', 'fall'), row('b', 'temperature'))).toEqual([]);
    expect(problems(`  - ${row('a', 'fall')}`)).toEqual([]);
  });

  it('refuses two rows that read the same part of a device', () => {
    const two = (a: string, b: string) => problems(`  - ${a}\n  - ${b}`);
    expect(
      two(
        '{ id: a, source: esphome, node: n, sensor: pir, kind: motion }',
        '{ id: b, source: esphome, node: n, sensor: pir, kind: presence }',
      ),
    ).toContain('devices.1.sensor  entity n/pir is already read by devices.0; one row per part of a device');
    expect(two('{ id: a, source: shelly, topic: s1 }', '{ id: b, source: shelly, topic: s1 }')).toContain(
      'devices.1.topic  s1 is already read by devices.0; one row per part of a device',
    );
    // One device, two parts: fine.
    expect(
      two(
        '{ id: a, source: tasmota, topic: t1, sensor: AM2301 }',
        '{ id: b, source: tasmota, topic: t1, sensor: Switch1, kind: motion }',
      ),
    ).toEqual([]);
  });
});
