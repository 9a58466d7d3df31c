// The local broker's TLS and WebSocket listeners, with real clients.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/parse.ts';
import { RealClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { makePki, type Pki } from './helpers/mosquitto.ts';
import { freePort } from './helpers/net.ts';

let gw: Gateway;
let pki: Pki;
let tlsPort: number;
let wsPort: number;

beforeAll(async () => {
  pki = makePki('gw-listeners');
  tlsPort = await freePort();
  wsPort = await freePort();
  process.env.HEARTH_TEST_DASH_L = 'dash-listeners-secret';
  const parsed = parseConfigText(`version: 1
gateway: { id: gw-listeners, resident: r-l, timezone: Europe/London }
rooms: [hall]
devices:
  - { id: hall-motion, source: zigbee2mqtt, topic: zigbee2mqtt/hall_motion, room: hall }
local_broker:
  listen:
    - { host: 127.0.0.1, port: ${tlsPort}, tls: { cert: ${pki.server.cert}, key: ${pki.server.key} } }
    - { host: 127.0.0.1, port: ${wsPort}, websocket: true }
  users:
    - { name: dashboard, password: "\${env:HEARTH_TEST_DASH_L}", publish: ["zigbee2mqtt/#"], subscribe: ["hearth/local/#"] }
storage: { path: ${join(pki.dir, 'hearth.db')} }
`);
  if (!parsed.config) throw new Error(JSON.stringify(parsed.problems));
  gw = await startGateway({
    config: parsed.config,
    log: createLogger({ level: 'silent' }),
    clock: new RealClock(),
    bluetoothSysfs: pki.dir,
  });
});

afterAll(async () => {
  await gw?.stop();
  rmSync(pki.dir, { recursive: true, force: true });
});

const session = (url: string, extra: mqtt.IClientOptions = {}) =>
  mqtt.connectAsync(url, {
    username: 'dashboard',
    password: 'dash-listeners-secret',
    reconnectPeriod: 0,
    connectTimeout: 3000,
    ...extra,
  });

describe('local broker listeners', () => {
  it('serves MQTT over TLS to a client that checks the certificate, and still asks for a password', async () => {
    const ca = readFileSync(pki.ca);
    const c = await session(`mqtts://localhost:${tlsPort}`, { ca, rejectUnauthorized: true });
    const status = new Promise<Buffer>((r) => c.once('message', (_t, p) => r(p)));
    await c.subscribeAsync('hearth/local/status');
    expect(JSON.parse((await status).toString())).toMatchObject({ v: 1, sources: expect.any(Array) });
    await c.endAsync();
    await expect(session(`mqtts://localhost:${tlsPort}`, { ca, password: 'wrong' })).rejects.toThrow(
      /Bad username or password/i,
    );
    await expect(session(`mqtts://localhost:${tlsPort}`, { rejectUnauthorized: true })).rejects.toThrow(
      /self-signed|unable to verify|certificate/i,
    );
  });

  it('serves MQTT over WebSocket, with the same users and ACLs', async () => {
    const c = await session(`ws://127.0.0.1:${wsPort}`);
    await c.publishAsync('zigbee2mqtt/hall_motion', '{"occupancy":true}', { qos: 1 });
    const end = Date.now() + 5000;
    while (gw.counters.get('ingest.accepted') < 1 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 10));
    expect(gw.counters.get('ingest.accepted')).toBe(1);
    await c.endAsync();
    await expect(session(`ws://127.0.0.1:${wsPort}`, { password: 'wrong' })).rejects.toThrow(
      /Bad username or password/i,
    );
  });
});
