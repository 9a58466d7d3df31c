// BTHome v2 object ids as one table (https://bthome.io/format/, and bthome-ble's MEAS_TYPES).
// Every known id is listed, even those Hearth ignores: v2 objects carry no length byte, so the
// only way to walk past an object is to know its size. Integers are little-endian.
import type { Kind } from '../../../config/device-fields.ts';

/** How one object's bytes become a Hearth value, or are stepped over. */
export type BthomeObject =
  /** The packet id: the result's `packetId`, not a Reading (it dedupes repeated adverts). */
  | { name: 'packet_id'; read: 'packet_id' }
  /** A number; `div` is a power of ten so that 2506/100 prints 25.06 (2506*0.01 does not). */
  | {
      name: string;
      read: 'uint' | 'sint';
      len: 1 | 2;
      div: number;
      kind: 'battery' | 'temperature' | 'humidity';
    }
  /** One byte, 0 or not: binary sensors. */
  | { name: string; read: 'bool'; kind: 'motion' | 'presence' | 'contact' | 'water_leak' }
  /** One byte, an event code from BUTTON_EVENTS. */
  | { name: 'button'; read: 'button'; kind: 'button' }
  /** Known but unused by Hearth: consumed by its fixed length. */
  | { name: string; read: 'skip'; len: number }
  /** Text (0x53) and raw (0x54): a length byte, then that many bytes. */
  | { name: string; read: 'sized' };

const skip = (name: string, len = 1): BthomeObject => ({ name, read: 'skip', len });
const bool = (name: string, kind: 'motion' | 'presence' | 'contact' | 'water_leak'): BthomeObject => ({
  name,
  read: 'bool',
  kind,
});

export const OBJECTS: ReadonlyMap<number, BthomeObject> = new Map<number, BthomeObject>([
  [0x00, { name: 'packet_id', read: 'packet_id' }],
  [0x01, { name: 'battery', read: 'uint', len: 1, div: 1, kind: 'battery' }],
  [0x02, { name: 'temperature', read: 'sint', len: 2, div: 100, kind: 'temperature' }],
  [0x03, { name: 'humidity', read: 'uint', len: 2, div: 100, kind: 'humidity' }],
  [0x04, skip('pressure', 3)],
  [0x05, skip('illuminance', 3)],
  [0x06, skip('mass_kg', 2)],
  [0x07, skip('mass_lb', 2)],
  [0x08, skip('dewpoint', 2)],
  [0x09, skip('count', 1)],
  [0x0a, skip('energy', 3)],
  [0x0b, skip('power', 3)],
  [0x0c, skip('voltage', 2)],
  [0x0d, skip('pm2_5', 2)],
  [0x0e, skip('pm10', 2)],
  [0x0f, skip('generic_boolean')], // no meaning of its own: the device row cannot tell us which
  [0x10, skip('power_on')],
  [0x11, bool('opening', 'contact')], // BTHome: true = open, as Hearth's contact
  [0x12, skip('co2', 2)],
  [0x13, skip('tvoc', 2)],
  [0x14, skip('moisture', 2)], // soil moisture %, a plant sensor, not a leak (that is 0x20)
  [0x15, skip('battery_low')],
  [0x16, skip('battery_charging')],
  [0x17, skip('carbon_monoxide')],
  [0x18, skip('cold')],
  [0x19, skip('connectivity')],
  [0x1a, bool('door', 'contact')],
  [0x1b, bool('garage_door', 'contact')],
  [0x1c, skip('gas')],
  [0x1d, skip('heat')],
  [0x1e, skip('light')],
  [0x1f, skip('lock')],
  [0x20, bool('moisture', 'water_leak')], // the binary "wet" sensor
  [0x21, bool('motion', 'motion')],
  [0x22, skip('moving')],
  [0x23, bool('occupancy', 'presence')],
  [0x24, skip('plug')],
  [0x25, bool('presence', 'presence')],
  [0x26, skip('problem')],
  [0x27, skip('running')],
  [0x28, skip('safety')],
  [0x29, skip('smoke')],
  [0x2a, skip('sound')],
  [0x2b, skip('tamper')],
  [0x2c, skip('vibration')],
  [0x2d, bool('window', 'contact')],
  [0x2e, { name: 'humidity', read: 'uint', len: 1, div: 1, kind: 'humidity' }],
  [0x2f, skip('moisture', 1)],
  [0x3a, { name: 'button', read: 'button', kind: 'button' }],
  [0x3c, skip('dimmer', 2)],
  [0x3d, skip('count', 2)],
  [0x3e, skip('count', 4)],
  [0x3f, skip('rotation', 2)],
  [0x40, skip('distance_mm', 2)],
  [0x41, skip('distance_m', 2)],
  [0x42, skip('duration', 3)],
  [0x43, skip('current', 2)],
  [0x44, skip('speed', 2)],
  [0x45, { name: 'temperature', read: 'sint', len: 2, div: 10, kind: 'temperature' }],
  [0x46, skip('uv_index', 1)],
  [0x47, skip('volume_l', 2)],
  [0x48, skip('volume_ml', 2)],
  [0x49, skip('volume_flow_rate', 2)],
  [0x4a, skip('voltage', 2)],
  [0x4b, skip('gas', 3)],
  [0x4c, skip('gas', 4)],
  [0x4d, skip('energy', 4)],
  [0x4e, skip('volume', 4)],
  [0x4f, skip('water', 4)],
  [0x50, skip('timestamp', 4)],
  [0x51, skip('acceleration', 2)],
  [0x52, skip('gyroscope', 2)],
  [0x53, { name: 'text', read: 'sized' }],
  [0x54, { name: 'raw', read: 'sized' }],
  [0x55, skip('volume_storage', 4)],
  [0x56, skip('conductivity', 2)],
  [0x57, { name: 'temperature', read: 'sint', len: 1, div: 1, kind: 'temperature' }],
  [0x58, skip('temperature_035', 1)], // factor 0.35: too coarse to be worth a Reading
  [0x59, skip('count', 1)],
  [0x5a, skip('count', 2)],
  [0x5b, skip('count', 4)],
  [0x5c, skip('power', 4)],
  [0x5d, skip('current', 2)],
  [0x5e, skip('direction', 2)],
  [0x5f, skip('precipitation', 2)],
  [0x60, skip('channel', 1)],
  [0x61, skip('rotational_speed', 2)],
  [0x62, skip('speed', 4)],
  [0x63, skip('acceleration', 4)],
  [0x64, skip('light_level', 1)],
]);

/** BTHome button event codes, named as Hearth's `button` values; 0x00 "none" is no event. */
export const BUTTON_EVENTS: ReadonlyMap<number, string> = new Map([
  [0x01, 'press'],
  [0x02, 'double_press'],
  [0x03, 'triple_press'],
  [0x04, 'long_press'],
  [0x05, 'long_double_press'],
  [0x06, 'long_triple_press'],
  [0x80, 'hold_press'],
]);

/** The kinds this table can produce (for tests and the device-row checks). */
export type BthomeKind = Extract<
  Kind,
  'battery' | 'temperature' | 'humidity' | 'motion' | 'presence' | 'contact' | 'water_leak' | 'button'
>;
