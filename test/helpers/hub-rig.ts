// A hub under test against a real Mosquitto: its file written to a temporary folder, its log
// kept, stopped after the test; and homes as plain MQTT clients with their own certificates,
// publishing signed as a gateway does.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { startConsole } from '../../cloud-relay/hub/console/app.ts';
import { type Hub, startHub } from '../../cloud-relay/hub/hub.ts';
import { type HubConfigInput, hubConfigSchema } from '../../config/hub-schema.ts';
import { createLogger } from '../../core/log.ts';
import type { CertPair, Mosquitto, Pki } from './mosquitto.ts';
import { signedAs } from './signed.ts';
import { tempDir } from './tmp.ts';

export type TestHub = { h: Hub; log: () => string; dir: string; file: string };

let instances = 0;

/** Starts a hub on `broker`; `cleanup` is handed its stop. */
export async function testHub(
  broker: Mosquitto,
  pki: Pki,
  cleanup: (fn: () => unknown) => void,
  o: {
    edit?: (c: HubConfigInput) => HubConfigInput;
    now?: () => number;
    instance?: string;
    dir?: string;
  } = {},
): Promise<TestHub> {
  const dir = o.dir ?? tempDir('hearth-hub-');
  const instance = o.instance ?? `t${process.pid}x${++instances}`;
  const base: HubConfigInput = {
    version: 1,
    hub: { instance, timezone: 'Europe/London' },
    broker: { url: broker.url, ca: pki.ca, cert: pki.trust.cert, key: pki.trust.key },
    database: { dir: join(dir, 'db') },
    web: { host: '127.0.0.1', port: 0 },
    homes: { accept_any: true },
  };
  const input = o.edit ? o.edit(base) : base;
  const file = join(dir, 'hub.yaml');
  writeFileSync(file, JSON.stringify(input));
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const h = await startHub({
    config: hubConfigSchema.parse(input),
    configFile: file,
    instance,
    log: createLogger({ level: 'info', destination }),
    supervisionTimer: false,
    web: startConsole,
    ...(o.now ? { now: o.now } : {}),
  });
  cleanup(() => h.stop());
  return { h, log: () => lines.join('\n'), dir, file };
}

export type Home = MqttClient & {
  /** Publishes `m` (an object, or raw bytes) on hearth/v1/{gw}/{leaf}, signed as this home. */
  send(leaf: string, m: object | Buffer | string): Promise<void>;
};

/** A home's connection with its certificate: CN = `gw`. */
export async function homeClient(
  broker: Mosquitto,
  pki: Pki,
  gw: string,
  pair: CertPair,
  cleanup: (fn: () => unknown) => void,
): Promise<Home> {
  const c = await mqtt.connectAsync(broker.url, {
    clientId: `home-${gw}-${++instances}`,
    ca: readFileSync(pki.ca),
    cert: readFileSync(pair.cert),
    key: readFileSync(pair.key),
    protocolVersion: 5,
    reconnectPeriod: 0,
  });
  cleanup(() => c.endAsync(true));
  const sign = signedAs(pair);
  return Object.assign(c, {
    async send(leaf: string, m: object | Buffer | string) {
      const topic = `hearth/v1/${gw}/${leaf}`;
      const payload = Buffer.isBuffer(m) || typeof m === 'string' ? m : JSON.stringify(m);
      await c.publishAsync(topic, payload, sign(topic, payload));
    },
  });
}

/** Polls an async condition every 25 ms; fails naming it after `ms`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  ms = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
