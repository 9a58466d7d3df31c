// The small home of the storage fault and power-cut tests: a help pendant and a hall motion
// sensor published by Zigbee2MQTT (user z2m, password from HEARTH_TEST_Z2M), relayed to a trust
// broker over mutual TLS, its database in a folder of the test's choosing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { type Running, startHearth } from './cli.ts';

export type PendantHome = {
  gateway: string;
  resident: string;
  /** The local broker's port. */
  port: number;
  /** receipts: false where no hub answers (a message is done at the broker's PUBACK). */
  relay: { url: string; ca: string; cert: string; key: string; receipts?: boolean };
  dbDir: string;
};

/** Writes the home's file into `dir`; its path. */
export function pendantHomeFile(dir: string, h: PendantHome): string {
  const file = join(dir, 'home.yaml');
  writeFileSync(
    file,
    `version: 1
gateway: { id: ${h.gateway}, resident: ${h.resident}, timezone: Europe/London }
rooms: [hall]
devices:
  - { id: pendant, source: zigbee2mqtt, topic: zigbee2mqtt/pendant, room: hall, kind: button, role: help-button }
  - { id: hall-motion, source: zigbee2mqtt, topic: zigbee2mqtt/hall_motion, room: hall }
rules: { help_button: {} }
local_broker:
  listen: [{ host: 127.0.0.1, port: ${h.port} }]
  users: [{ name: z2m, password: "\${env:HEARTH_TEST_Z2M}", publish: ["zigbee2mqtt/#"] }]
relay: { url: "${h.relay.url}", ca: ${h.relay.ca}, cert: ${h.relay.cert}, key: ${h.relay.key}${h.relay.receipts === undefined ? '' : `, receipts: ${h.relay.receipts}`} }
storage: { path: ${join(h.dbDir, 'hearth.db')} }
`,
  );
  return file;
}

/**
 * Runs `hearth run` on the home's file (`env` must hold HEARTH_TEST_Z2M) until its log says
 * `ready`, and signs Zigbee2MQTT in to its local broker; `cleanup` is handed both ends.
 */
export async function startPendantHome(
  file: string,
  o: { port: number; env: Record<string, string>; ready: RegExp; cleanup: (fn: () => unknown) => void },
): Promise<{ gw: Running; z2m: MqttClient }> {
  const gw = startHearth(['run', '--config', file], o.env);
  o.cleanup(async () => {
    if (gw.child.exitCode === null && gw.child.signalCode === null) gw.child.kill('SIGKILL');
    await gw.exited;
  });
  await gw.waitFor(o.ready);
  const z2m = await mqtt.connectAsync({
    host: '127.0.0.1',
    port: o.port,
    username: 'z2m',
    password: o.env.HEARTH_TEST_Z2M,
    reconnectPeriod: 0,
  });
  z2m.on('error', () => {});
  o.cleanup(() => z2m.endAsync(true));
  return { gw, z2m };
}
