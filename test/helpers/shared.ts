// Reference data from outside the project lives in ../shared beside the checkout (CI always has
// it; a user's clone may not). Tests that use it say plainly when they were skipped.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const hasShared = existsSync(SHARED);

export function sharedPath(rel: string): string {
  return `${SHARED}${rel}`;
}

if (!hasShared && !process.env.HEARTH_SHARED_NOTICE) {
  process.env.HEARTH_SHARED_NOTICE = '1';
  console.warn(`SKIPPED: tests on reference data need ${SHARED} (present in CI, not in a plain clone)`);
}

/** The provisioning file of the Ordonez home B data set: its five PIRs, named as in the events. */
export const ORDONEZ_B_HOME = `version: 1
gateway: { id: gw-b, resident: r-b, timezone: Europe/Madrid }
rooms: [bedroom, bathroom, kitchen, lounge]
devices:
  - { id: lounge-door-pir, source: zigbee2mqtt, topic: z/l, room: lounge, kind: motion }
  - { id: kitchen-door-pir, source: zigbee2mqtt, topic: z/k, room: kitchen, kind: motion }
  - { id: bedroom-door-pir, source: zigbee2mqtt, topic: z/b, room: bedroom, kind: motion }
  - { id: bathroom-basin-pir, source: zigbee2mqtt, topic: z/ba, room: bathroom, kind: motion }
  - { id: bathroom-shower-pir, source: zigbee2mqtt, topic: z/bs, room: bathroom, kind: motion }
`;
