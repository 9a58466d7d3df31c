// Payload mappers for devices that publish to the local broker (Zigbee2MQTT, ESPHome, Tasmota,
// Shelly). Each mapper is data — a table of payload keys or topic suffixes to Reading kinds —
// walked by one small interpreter. Pure: topic and bytes in, Readings and refusals out.
import type { Device } from '../../config/schema.ts';
import type { Reading } from '../../core/reading.ts';

export type MqttRow = Extract<Device, { source: MqttSource }>;
export type MqttSource = 'zigbee2mqtt' | 'esphome' | 'tasmota' | 'shelly';

/** What a message gave: Readings for the device rows it concerns, and what was wrong with it. */
export type MapResult = { readings: Reading[]; problems: string[] };

export interface Mapper<R extends MqttRow = MqttRow> {
  source: R['source'];
  /** Topic filters to subscribe to for this row (exact topics where the source allows). */
  filters(row: R): string[];
  /** The Readings one message yields for this row; `now` stamps them (devices send no time). */
  map(row: R, topic: string, payload: Buffer, now: number): MapResult;
}
