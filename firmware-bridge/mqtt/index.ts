// The local-broker sources: one mapper per source, and the router that sends each message to the
// rows it concerns. What the gateway's broker wiring imports.
import type { Device } from '../../config/schema.ts';
import { esphome } from './esphome.ts';
import type { Mapper, MqttSource } from './mapper.ts';
import { buildRouter, type Router } from './router.ts';
import { shelly } from './shelly.ts';
import { tasmota } from './tasmota.ts';
import { zigbee2mqtt } from './zigbee2mqtt.ts';

export type { Mapper, MapResult, MqttRow, MqttSource } from './mapper.ts';
export type { Route, Router } from './router.ts';

/** The mapper of each source; its keys are the sources that publish to the local broker. */
export const MAPPERS: Readonly<Record<MqttSource, Mapper>> = { zigbee2mqtt, esphome, tasmota, shelly };

/** Routes for the rows of a provisioning file (rows of other sources are left out). */
export const router = (rows: readonly Device[]): Router => buildRouter(rows, MAPPERS);
