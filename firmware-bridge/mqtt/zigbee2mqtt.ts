// Zigbee2MQTT: one JSON object per message on the device's topic (zigbee2mqtt/<friendly_name>),
// with the keys its "exposes" name. The table below is every key Hearth reads; the rest
// (linkquality, voltage, illuminance, tamper, battery_low...) is ignored.
import type { Mapper, MqttRow } from './mapper.ts';
import { Collector, type Field, PRESSES, payloadObject, walk } from './table.ts';

type Row = Extract<MqttRow, { source: 'zigbee2mqtt' }>;

export const ZIGBEE2MQTT_FIELDS: readonly Field[] = [
  // mmWave sensors say `presence`, PIRs `occupancy`. Presence comes first so that a row of kind
  // presence whose device sends both keeps the radar's own word.
  { path: ['presence'], kind: 'presence', read: { as: 'bool' }, alias: ['bed', 'chair'] },
  // A PIR or pressure pad placed as a presence, bed or chair sensor: its row's kind says which.
  { path: ['occupancy'], kind: 'motion', read: { as: 'bool' }, alias: ['presence', 'bed', 'chair'] },
  // Zigbee2MQTT's contact is true when the magnet is near, i.e. the door is CLOSED; Hearth's
  // contact is true when it is open (DESIGN.md section 3).
  { path: ['contact'], kind: 'contact', read: { as: 'bool', invert: true } },
  { path: ['water_leak'], kind: 'water_leak', read: { as: 'bool' } },
  // A shake of whatever the sensor is stuck to: a washing machine or a passing lorry as readily
  // as a person. A false sign of life hides an inactivity alert, so it counts as motion only on
  // a row that asks for it (kind: motion).
  { path: ['vibration'], kind: 'motion', read: { as: 'bool' }, optIn: true },
  {
    path: ['action'],
    kind: 'button',
    read: {
      as: 'press',
      names: PRESSES,
      // "" resets the action after each press; releases end a press already reported; a vibration
      // sensor's vibration/tilt/drop actions are not presses (see `vibration` above).
      ignore: /^$|(^|_)release$|^(vibration|tilt|drop)$/,
      unknown: 'keep',
    },
  },
  { path: ['temperature'], kind: 'temperature', read: { as: 'number' } },
  { path: ['humidity'], kind: 'humidity', read: { as: 'number' } },
  { path: ['battery'], kind: 'battery', read: { as: 'number' } },
  // linkquality is an LQI (0-255), not a signal strength in dBm: not an rssi reading.
];

export const zigbee2mqtt: Mapper<Row> = {
  source: 'zigbee2mqtt',
  filters: (row) => [row.topic],
  map(row, topic, payload, now) {
    const c = new Collector(row, topic, now);
    if (topic !== row.topic) return c.result;
    const body = payloadObject(payload, c);
    if (body) walk(ZIGBEE2MQTT_FIELDS, body, row.kind, c);
    return c.result;
  },
};
