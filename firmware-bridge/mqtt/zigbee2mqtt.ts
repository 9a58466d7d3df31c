// Zigbee2MQTT: one JSON object per message on the device's topic (zigbee2mqtt/<friendly_name>),
// with the keys its "exposes" name. The table below is every key Hearth reads; the rest
// (linkquality, voltage, illuminance, tamper, battery_low...) is ignored. Zigbee2MQTT sends the
// device's whole state in every message, so a fall radar's fall state comes again with each
// change of anything else: the home model and the fall rule tell a fall from its repeat.
import type { Mapper, MqttRow } from './mapper.ts';
import { Collector, type Field, PRESSES, payloadObject, walk } from './table.ts';

type Row = Extract<MqttRow, { source: 'zigbee2mqtt' }>;

/** The OWON FDS315's statuses: someone there (in some posture) or not, and which is a fall. */
const OWON_PRESENT: Readonly<Record<string, boolean>> = {
  unoccupied: false,
  occupied: true,
  sitting: true,
  on_the_bed: true,
  low_posture: true,
  falling: true,
};
const OWON_FALLING: Readonly<Record<string, boolean>> = Object.fromEntries(
  Object.keys(OWON_PRESENT).map((status) => [status, status === 'falling']),
);

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
  // Fall radars, each in its own words (zigbee-herdsman-converters' exposes). A word that is neither
  // a fall nor its end, a fall the radar is still making sure of, is no reading; a word not listed
  // is refused. A presence row takes these too (core/reading.ts ALSO_TAKES): a technician gives a
  // fall radar the presence row it also is.
  // Tuya MIR-HE200-TY (TS0601 _TZE200_lu01t0zl, _vrfecyku, _ypprdwsl, _jkbljri7): fall; maybe_fall,
  // a fall it is not yet sure of; none.
  {
    path: ['fall_down_status'],
    kind: 'fall',
    read: { as: 'enum', names: { fall: true, none: false }, ignore: ['maybe_fall'] },
  },
  // Heiman HS2FD-EF1-3.0: fall_alarm; fall_warning, not yet an alarm; normal. Its converter writes
  // "unknown" for a status it cannot read: refused, not guessed.
  {
    path: ['fall_status'],
    kind: 'fall',
    read: { as: 'enum', names: { fall_alarm: true, normal: false }, ignore: ['fall_warning'] },
  },
  // OWON FDS315: one `status` says who is there, how, and a fall ("Unknown (7)" for a code its
  // converter does not know: refused). Other devices' `status` means other things (a valve's, a
  // door's "in"/"out"), so it is read only on a row of kind fall or presence.
  { path: ['status'], kind: 'fall', read: { as: 'enum', names: OWON_FALLING, ignore: [] }, optIn: true },
  { path: ['status'], kind: 'presence', read: { as: 'enum', names: OWON_PRESENT, ignore: [] }, optIn: true },
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
