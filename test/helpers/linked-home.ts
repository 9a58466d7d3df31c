// A home and a hub linked through the trust's Mosquitto (trust-rig.ts), as their files would say:
// the home signs with its certificate and obeys (and takes receipts) only from the hub's; the hub
// expects this one home. For the tests of what crosses the whole chain.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HubConfig, type HubConfigInput, hubConfigSchema } from '../../config/hub-schema.ts';
import { parseConfigText } from '../../config/parse.ts';
import type { Config } from '../../config/schema.ts';
import type { Mosquitto, Pki } from './mosquitto.ts';
import { freePort } from './net.ts';

type Trust = { pki: Pki; broker: Mosquitto };

/** The home's provisioning file (no devices, receipts on), with `extra` top-level sections. */
export async function linkedHomeConfig(
  dir: string,
  t: Trust,
  home: { gateway: string; resident: string },
  extra: Record<string, unknown> = {},
): Promise<Config> {
  const r = parseConfigText(
    JSON.stringify({
      version: 1,
      gateway: { id: home.gateway, resident: home.resident, timezone: 'Europe/London' },
      rooms: ['hall'],
      devices: [],
      local_broker: { listen: [{ host: '127.0.0.1', port: await freePort() }] },
      relay: {
        url: t.broker.url,
        ca: t.pki.ca,
        cert: t.pki.gateway.cert,
        key: t.pki.gateway.key,
        hub_cert: t.pki.trust.cert,
        receipts: true,
      },
      storage: { path: join(dir, 'hearth.db') },
      ...extra,
    }),
  );
  if (!r.config) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

/** The hub file for that home, written to `dir`, with `extra` sections. */
export function linkedHubConfig(
  dir: string,
  t: Trust,
  home: { gateway: string; resident: string },
  extra: Partial<HubConfigInput>,
): { config: HubConfig; file: string } {
  const input: HubConfigInput = {
    version: 1,
    hub: { timezone: 'Europe/London' },
    broker: { url: t.broker.url, ca: t.pki.ca, cert: t.pki.trust.cert, key: t.pki.trust.key },
    web: { host: '127.0.0.1', port: 0 },
    homes: { expected: [{ gateway: home.gateway, resident: home.resident }] },
    ...extra,
  };
  const file = join(dir, 'hub.json');
  writeFileSync(file, JSON.stringify(input));
  return { config: hubConfigSchema.parse(input), file };
}
