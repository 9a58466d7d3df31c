// The small home of the storage fault and power-cut tests: a help pendant and a hall motion
// sensor published by Zigbee2MQTT (user z2m, password from HEARTH_TEST_Z2M), relayed to a trust
// broker over mutual TLS, its database in a folder of the test's choosing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type PendantHome = {
  gateway: string;
  resident: string;
  /** The local broker's port. */
  port: number;
  relay: { url: string; ca: string; cert: string; key: string };
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
relay: { url: "${h.relay.url}", ca: ${h.relay.ca}, cert: ${h.relay.cert}, key: ${h.relay.key} }
storage: { path: ${join(h.dbDir, 'hearth.db')} }
`,
  );
  return file;
}
