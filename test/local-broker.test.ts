// The embedded broker with real clients: Mosquitto's command-line tools and mqtt.js.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/parse.ts';
import { RealClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { freePort } from './helpers/net.ts';
import { requireTool } from './helpers/tools.ts';

const run = promisify(execFile);
const Z2M_PASSWORD = 'z2m-secret-for-tests';
const DASH_PASSWORD = 'dashboard-secret-for-tests';

let gw: Gateway;
let port: number;
let dir: string;

beforeAll(async () => {
  requireTool('mosquitto_pub', 'mosquitto-clients');
  port = await freePort();
  dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'hearth-broker-'));
  process.env.HEARTH_TEST_Z2M = Z2M_PASSWORD;
  process.env.HEARTH_TEST_DASH = DASH_PASSWORD;
  const text = `version: 1
gateway: { id: gw-broker, resident: r-b, timezone: Europe/London }
rooms: [hall, lounge]
devices:
  - { id: hall-motion,  source: zigbee2mqtt, topic: zigbee2mqtt/hall_motion, room: hall }
  - { id: front-door,   source: zigbee2mqtt, topic: zigbee2mqtt/front_door, room: hall, role: front-door }
  - { id: remote,       source: zigbee2mqtt, topic: zigbee2mqtt/remote, room: lounge }
  - { id: lounge-temp,  source: zigbee2mqtt, topic: zigbee2mqtt/lounge_temp, room: lounge }
local_broker:
  listen: [{ host: 127.0.0.1, port: ${port} }]
  users:
    - { name: zigbee2mqtt, password: "\${env:HEARTH_TEST_Z2M}", publish: ["zigbee2mqtt/#"], subscribe: ["zigbee2mqtt/bridge/#"] }
    - { name: dashboard, password: "\${env:HEARTH_TEST_DASH}", subscribe: ["hearth/local/#"] }
storage: { path: ${join(dir, 'hearth.db')} }
`;
  const parsed = parseConfigText(text);
  if (!parsed.config) throw new Error(JSON.stringify(parsed.problems));
  gw = await startGateway({
    config: parsed.config,
    log: createLogger({ level: 'silent' }),
    clock: new RealClock(),
    bluetoothSysfs: dir,
  });
});

afterAll(async () => {
  await gw?.stop();
  (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
});

const pub = (args: string[]) =>
  run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-q', '1', ...args]).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );

/** Waits until the event log holds `n` events (the broker hands messages on asynchronously). */
async function events(n: number, limitMs = 5000) {
  const until = Date.now() + limitMs;
  for (;;) {
    gw.store.commit();
    const all = gw.store.events.between(0, Number.MAX_SAFE_INTEGER);
    if (all.length >= n || Date.now() > until) return all;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function connect(opts: mqtt.IClientOptions): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect({ host: '127.0.0.1', port, reconnectPeriod: 0, connectTimeout: 3000, ...opts });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => {
      c.end(true);
      reject(e);
    });
  });
}

describe('local broker', () => {
  it('Zigbee2MQTT messages published with mosquitto_pub reach the event log and the local reading topics', async () => {
    // The retained status arrives first: proof the subscription is in place before anything is published.
    const sub = spawn('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-u',
      'dashboard',
      '-P',
      DASH_PASSWORD,
      '-t',
      'hearth/local/status',
      '-t',
      'hearth/local/reading/#',
      '-v',
      '-W',
      '20',
    ]);
    const lines: string[] = [];
    let buffered = '';
    let notify = () => {};
    sub.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
      notify();
    });
    const wanted = (n: number) =>
      new Promise<void>((resolve) => {
        notify = () => lines.length >= n && resolve();
        notify();
      });
    await wanted(1);
    expect(lines[0]).toMatch(/^hearth\/local\/status \{"v":1,/);
    const as = ['-u', 'zigbee2mqtt', '-P', Z2M_PASSWORD];
    expect(
      await pub([
        ...as,
        '-t',
        'zigbee2mqtt/hall_motion',
        '-m',
        '{"occupancy":true,"battery":97,"linkquality":120}',
      ]),
    ).toEqual({ code: 0, stderr: '' });
    await pub([...as, '-t', 'zigbee2mqtt/front_door', '-m', '{"contact":false}']);
    await pub([...as, '-t', 'zigbee2mqtt/remote', '-m', '{"action":"single"}']);
    await pub([...as, '-t', 'zigbee2mqtt/lounge_temp', '-m', '{"temperature":21.5,"humidity":48}']);
    const got = (await events(6)).map((e) => [e.device, e.kind, e.value]);
    expect(got).toEqual(
      expect.arrayContaining([
        ['hall-motion', 'motion', true],
        ['hall-motion', 'battery', 97],
        ['front-door', 'contact', true],
        ['remote', 'button', 'press'],
        ['lounge-temp', 'temperature', 21.5],
        ['lounge-temp', 'humidity', 48],
      ]),
    );
    await wanted(7);
    sub.kill();
    const readings = lines.filter((l) => l.startsWith('hearth/local/reading/'));
    expect(readings).toHaveLength(6);
    expect(readings[0]).toMatch(
      /^hearth\/local\/reading\/hall-motion \{"device":"hall-motion","at":"[^"]+","kind":"motion","value":true,"room":"hall"\}$/,
    );
  });

  it('refuses anonymous and wrong-password clients', async () => {
    const anon = await pub(['-t', 'zigbee2mqtt/hall_motion', '-m', '{"occupancy":true}']);
    expect(anon.code).not.toBe(0);
    expect(anon.stderr).toMatch(/not authori[sz]ed/i);
    const wrong = await pub([
      '-u',
      'zigbee2mqtt',
      '-P',
      'guess',
      '-t',
      'zigbee2mqtt/hall_motion',
      '-m',
      '{}',
    ]);
    expect(wrong.stderr).toMatch(/bad user ?name or password/i);
    await expect(connect({ username: 'dashboard', password: 'nope', clientId: 'wrong-pw' })).rejects.toThrow(
      /Bad username or password/i,
    );
    await expect(connect({ clientId: 'anonymous' })).rejects.toThrow(/Not authorized/i);
  });

  it('refuses publishes and subscriptions outside a user’s ACL, as MQTT 3.1.1 specifies', async () => {
    const dash = await connect({ username: 'dashboard', password: DASH_PASSWORD, clientId: 'dash-acl' });
    const suback = await new Promise<number[]>((resolve) =>
      dash.subscribe(['hearth/local/alert', 'zigbee2mqtt/#'], (err, granted) =>
        resolve(
          (err as { packet?: { granted?: number[] } } | null)?.packet?.granted ??
            (granted ?? []).map((g) => g.qos),
        ),
      ),
    );
    expect(suback).toEqual([0, 128]);
    // A publish outside the ACL closes the connection (MQTT-3.3.5-2); nothing reaches the gateway.
    const closed = new Promise<void>((r) => dash.once('close', () => r()));
    dash.publish('zigbee2mqtt/hall_motion', '{"occupancy":true}');
    await closed;
    dash.end(true);
    const z = await connect({ username: 'zigbee2mqtt', password: Z2M_PASSWORD, clientId: 'z2m-acl' });
    const closedToo = new Promise<void>((r) => z.once('close', () => r()));
    z.publish('hearth/local/alert', '{"fake":true}');
    await closedToo;
    z.end(true);
    expect(gw.counters.get('broker.publish_denied')).toBeGreaterThanOrEqual(2);
    expect(gw.counters.get('broker.subscribe_denied')).toBeGreaterThanOrEqual(1);
  });

  it('keeps no session for a client that is away: nothing piles up for it, and it is told so', async () => {
    const opts = { username: 'zigbee2mqtt', password: Z2M_PASSWORD, clientId: 'z2m-away', clean: false };
    const away = await connect(opts);
    await away.subscribeAsync('zigbee2mqtt/bridge/#', { qos: 1 });
    await away.endAsync();
    const sender = await connect({ username: 'zigbee2mqtt', password: Z2M_PASSWORD, clientId: 'z2m-sender' });
    for (let i = 0; i < 300; i++)
      await sender.publishAsync('zigbee2mqtt/bridge/request/health_check', `{"i":${i}}`, { qos: 1 });
    await sender.endAsync();
    // Back with the same id, asking for its session: a fresh one, and none of the 300 held for it.
    const got: string[] = [];
    const back = mqtt.connect({ host: '127.0.0.1', port, reconnectPeriod: 0, ...opts });
    back.on('message', (_t, p) => got.push(p.toString()));
    const connack = await new Promise<{ sessionPresent: boolean }>((r) => back.once('connect', r));
    expect(connack.sessionPresent).toBe(false);
    // Its subscription went with the session: what is sent now reaches it once it subscribes again.
    await back.subscribeAsync('zigbee2mqtt/bridge/#', { qos: 1 });
    const arrived = new Promise<void>((r) =>
      back.on('message', (_t, p) => p.toString().includes('now') && r()),
    );
    const now = await connect({ username: 'zigbee2mqtt', password: Z2M_PASSWORD, clientId: 'z2m-now' });
    await now.publishAsync('zigbee2mqtt/bridge/request/health_check', '{"i":"now"}', { qos: 1 });
    await now.endAsync();
    await arrived;
    expect(got).toEqual(['{"i":"now"}']);
    await back.endAsync();
    expect(gw.counters.get('broker.session_made_clean')).toBeGreaterThanOrEqual(2);
  });

  it('refuses an MQTT 5 client with "unacceptable protocol version" (the broker speaks 3.1.1)', async () => {
    const v5 = await pub([
      '-V',
      'mqttv5',
      '-u',
      'zigbee2mqtt',
      '-P',
      Z2M_PASSWORD,
      '-t',
      'zigbee2mqtt/x',
      '-m',
      '{}',
    ]);
    expect(v5.code).not.toBe(0);
    expect(v5.stderr).toMatch(/protocol/i);
  });

  it('closes a connection that sends a packet over the size limit, and keeps serving others', async () => {
    const z = await connect({ username: 'zigbee2mqtt', password: Z2M_PASSWORD, clientId: 'z2m-big' });
    const closed = new Promise<void>((r) => z.once('close', () => r()));
    z.publish('zigbee2mqtt/hall_motion', Buffer.alloc(2 * 1024 * 1024, 0x20));
    await closed;
    z.end(true);
    expect(gw.counters.get('broker.oversized')).toBe(1);
    expect(
      (
        await pub([
          '-u',
          'zigbee2mqtt',
          '-P',
          Z2M_PASSWORD,
          '-t',
          'zigbee2mqtt/hall_motion',
          '-m',
          '{"occupancy":false}',
        ])
      ).code,
    ).toBe(0);
  });

  it('10,000 malformed payloads are counted and logged, never fatal; good readings still arrive', async () => {
    const z = await connect({ username: 'zigbee2mqtt', password: Z2M_PASSWORD, clientId: 'z2m-garbage' });
    const before = gw.counters.get('mqtt.payload_refused');
    const bad = [
      '{not json',
      '[1,2,3]',
      '"a string"',
      '{"occupancy":"yes"}',
      '\u0000\u00ff\u0013',
      '{"temperature":"hot"}',
      'null',
      '{"contact":7}',
    ];
    for (let i = 0; i < 10_000; i++)
      z.publish(i % 2 ? 'zigbee2mqtt/hall_motion' : 'zigbee2mqtt/lounge_temp', bad[i % bad.length] as string);
    await z.publishAsync('zigbee2mqtt/front_door', '{"contact":true}', { qos: 1 });
    const all = await events(8);
    expect(all.at(-1)).toMatchObject({ device: 'front-door', kind: 'contact', value: false });
    expect(gw.counters.get('mqtt.payload_refused') - before).toBe(10_000);
    z.end(true);
  });

  it('refuses a user name at an address after repeated wrong passwords, even with the right one', async () => {
    for (let i = 0; i < 5; i++)
      await expect(
        connect({ username: 'dashboard', password: `guess-${i}`, clientId: `g${i}` }),
      ).rejects.toThrow();
    await expect(
      connect({ username: 'dashboard', password: DASH_PASSWORD, clientId: 'right' }),
    ).rejects.toThrow();
    expect(gw.counters.get('broker.refused')).toBeGreaterThanOrEqual(1);
  });
});
