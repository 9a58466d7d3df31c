// Hostile clients at the local broker's own doors, against a real `hearth run`: whatever they do,
// the gateway keeps running and Zigbee2MQTT's readings keep arriving.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { freePort } from '../helpers/net.ts';
import { publishWithTopicBytes, type RawClient, rawSession, rawSocket } from '../helpers/raw-mqtt.ts';
import { heard, type RunningHome, runningHome, Z2M } from '../helpers/running-home.ts';

const homes: RunningHome[] = [];
afterEach(async () => {
  for (const h of homes.splice(0)) await h.stop();
});

async function home(edit?: (text: string) => string): Promise<RunningHome> {
  const h = await runningHome(edit);
  homes.push(h);
  return h;
}

/** The reference home with a second account, a dashboard, on the same broker. */
const DASHBOARD = { username: 'dashboard', password: 'devices-secret' };
const withDashboard = (t: string) =>
  t.replace(
    /^( {2}users:\n)/m,
    `$1    - { name: dashboard, password: "\${env:HEARTH_TEST_DEVICES}", subscribe: ["hearth/local/#"] }\n`,
  );

/** The CONNACK code a sign-in gets (0: in), and whether the broker closed the connection after a refusal. */
async function signIn(port: number, user: { username: string; password: string }, clientId?: string) {
  try {
    const c = await rawSession(port, user, clientId);
    return { code: 0, client: c };
  } catch (e) {
    const code = Number(/CONNACK (\d+)/.exec((e as Error).message)?.[1] ?? Number.NaN);
    return { code, error: (e as Error).message };
  }
}

/** The most memory the process has held (its peak resident set), in MiB. */
const peakMiB = (pid: number | undefined) =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/** The gateway's own user, as written beside its database for tools on the Pi. */
const ownUser = (h: RunningHome): { username: string; password: string } =>
  JSON.parse(readFileSync(h.home.db.replace(/hearth\.db$/, 'local-broker.json'), 'utf8'));

/** The gateway's counters as its status says them, asked for afresh. */
async function counters(h: RunningHome): Promise<Record<string, number>> {
  const c = await h.connect();
  const got = heard(c);
  await c.subscribeAsync('hearth/local/status');
  // The retained status comes first; the one asked for after it.
  await h.until('the retained status', () => got.length >= 1);
  await c.publishAsync('hearth/local/status/request', '');
  await h.until('a fresh status', () => got.length >= 2);
  c.end(true);
  return JSON.parse(got.at(-1)?.text ?? '{}').counters ?? {};
}

describe('a subscriber that stops reading', () => {
  it('a subscriber that stops reading is cut off, memory stays bounded, and the next reading arrives', async () => {
    const h = await home();
    // A dashboard on stalled Wi-Fi: subscribed, then reading nothing more.
    const stalled = await rawSession(h.port, ownUser(h));
    stalled.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [
        { topic: 'hearth/local/#', qos: 0 },
        { topic: 'zigbee2mqtt/bulk', qos: 0 },
      ],
    });
    await stalled.next('suback');
    stalled.socket.pause();
    const reader = await h.connect();
    const got = heard(reader);
    await reader.subscribeAsync('hearth/local/reading/front-door');
    // 128 MB for it: far more than the kernel's socket buffers take, so the gateway has to hold
    // the rest, or not.
    const z2m = await h.connect(Z2M);
    const bulk = 'x'.repeat(64 * 1024);
    for (let i = 1; i <= 2048; i++) {
      z2m.publish('zigbee2mqtt/bulk', bulk);
      if (i % 64 === 0) await z2m.publishAsync('zigbee2mqtt/bulk', '{}', { qos: 1 });
    }
    await z2m.publishAsync('zigbee2mqtt/front_door', '{"contact":false}', { qos: 1 });
    // Before the fix every delivery waited (30 s) for the stalled one to drain; then it recursed.
    await h.until('the door reading', () => got.some((g) => g.topic.endsWith('/front-door')), 20_000);
    const c = await counters(h);
    expect((c['broker.slow_dropped'] ?? 0) + (c['broker.slow_closed'] ?? 0)).toBeGreaterThan(0);
    expect(peakMiB(h.gw.child.pid)).toBeLessThan(300);
  }, 60_000);
});

describe('the WebSocket listener', () => {
  it('a WebSocket CONNECT declaring 250 MB is refused at its header, before sign-in, and readings still flow', async () => {
    const wsPort = await freePort();
    const h = await home((t) =>
      t.replace(
        /^( {4}- \{ host: 127\.0\.0\.1, port: \d+ \}\n)/m,
        `$1    - { host: 127.0.0.1, port: ${wsPort}, websocket: true }\n`,
      ),
    );
    // CONNECT (0x10) with a remaining length of 250,000,000, then the start of a body in frames
    // under ws's 1 MiB frame limit: four such clients took the gateway to 863 MB.
    const header = Buffer.from([0x10, 0x80, 0xe5, 0x9a, 0x77]);
    const clients = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const ws = new WebSocket(`ws://127.0.0.1:${wsPort}`, 'mqtt');
        await new Promise((r, j) => ws.once('open', r).once('error', j));
        let closed = false;
        ws.on('close', () => {
          closed = true;
        });
        ws.on('error', () => {});
        ws.send(header);
        for (let i = 0; i < 8 && ws.readyState === WebSocket.OPEN; i++) ws.send(Buffer.alloc(256 * 1024));
        return { closed: () => closed };
      }),
    );
    await h.until('every WebSocket closed', () => clients.every((c) => c.closed()));
    expect((await counters(h))['broker.oversized']).toBe(4);
    const z2m = await h.connect(Z2M);
    const reader = await h.connect();
    const got = heard(reader);
    await reader.subscribeAsync('hearth/local/reading/front-door');
    await z2m.publishAsync('zigbee2mqtt/front_door', '{"contact":true}', { qos: 1 });
    await h.until('the door reading', () => got.some((g) => g.topic.endsWith('/front-door')));
  });
});

describe('sign-in', () => {
  it('five wrong passwords for one account refuse that account with a CONNACK, not Zigbee2MQTT on the same address', async () => {
    const h = await home(withDashboard);
    for (let i = 0; i < 5; i++)
      expect((await signIn(h.port, { ...DASHBOARD, password: `guess-${i}` })).code).toBe(4);
    // The guessed account is refused for a while, with its right password too: with a refusal code.
    const refused = await signIn(h.port, DASHBOARD);
    expect(refused).toMatchObject({ code: 5 });
    // Zigbee2MQTT, on the same address (127.0.0.1), is not.
    const z2m = await signIn(h.port, Z2M);
    expect(z2m.code).toBe(0);
    expect((await counters(h))['broker.refused']).toBeGreaterThanOrEqual(1);
  });

  it('guessing many names from one address runs out of that address’s budget, and Zigbee2MQTT still signs in', async () => {
    const h = await home();
    expect((await signIn(h.port, Z2M)).code).toBe(0);
    const codes: number[] = [];
    for (let i = 0; i < 25; i++)
      codes.push((await signIn(h.port, { username: `name-${i}`, password: 'x' })).code);
    // Each name is tried once, under its own limit: the address's budget is what stops them.
    expect(codes.slice(0, 20).every((c) => c === 4)).toBe(true);
    expect(codes.slice(20).every((c) => c === 3)).toBe(true);
    expect((await signIn(h.port, Z2M)).code).toBe(0);
  });
});

describe('connection slots', () => {
  it('idle sockets that never send CONNECT cannot keep Zigbee2MQTT out', async () => {
    // A second to send CONNECT, not five: the same bound, sooner.
    const h = await home((t) => t.replace(/^( {2}users:\n)/m, '  limits: { connect_timeout: 1s }\n$1'));
    const idle: RawClient[] = [];
    for (let i = 0; i < 300; i++) idle.push(await rawSocket(h.port));
    expect((await signIn(h.port, Z2M)).code).toBe(0);
    // And none is kept for long: each is closed when newer ones come, or when its time to send CONNECT is up.
    await h.until('every idle socket closed', () => idle.every((c) => c.closed()));
  });

  it('one account holding many connections cannot take every slot, nor Zigbee2MQTT’s client id', async () => {
    const h = await home(withDashboard);
    const z2m = await signIn(h.port, Z2M, 'zigbee2mqtt-bridge');
    expect(z2m.code).toBe(0);
    const codes: number[] = [];
    for (let i = 0; i < 20; i++) codes.push((await signIn(h.port, DASHBOARD)).code);
    expect(codes.filter((c) => c === 0)).toHaveLength(8);
    expect(codes.filter((c) => c === 3)).toHaveLength(12);
    // Another account may not take over Zigbee2MQTT's session by using its client id.
    expect((await signIn(h.port, DASHBOARD, 'zigbee2mqtt-bridge')).code).toBe(2);
    expect(z2m.client?.closed()).toBe(false);
    expect((await signIn(h.port, Z2M)).code).toBe(0);
  });
});

describe('retained messages', () => {
  it('one account’s retained messages are bounded: past the bound a message is delivered, not kept, and counted', async () => {
    const h = await home();
    const z2m = await h.connect(Z2M);
    const big = Buffer.alloc(512 * 1024, 0x61);
    // 20 MiB retained by one account (an attacker kept 300 MB this way until the gateway restarted).
    for (let i = 0; i < 40; i++) await z2m.publishAsync(`zigbee2mqtt/r/${i}`, big, { qos: 1, retain: true });
    const refused = (await counters(h))['broker.retained_refused'] ?? 0;
    const kept = 40 - refused;
    expect(kept).toBeGreaterThan(0);
    expect(kept * big.length).toBeLessThanOrEqual(4 * 1024 * 1024);
    // What was kept is still served to a new subscriber.
    const reader = await h.connect();
    const got = heard(reader);
    await reader.subscribeAsync('zigbee2mqtt/r/#');
    await h.until('the kept messages', () => got.length >= kept);
  });
});

describe('topic names', () => {
  it('a topic with NUL or invalid UTF-8 is refused, its connection closed, and the next reading arrives', async () => {
    const h = await home();
    const reader = await h.connect();
    const got = heard(reader);
    await reader.subscribeAsync(['zigbee2mqtt/#', 'hearth/local/reading/#']);
    const withNul = await rawSession(h.port, Z2M);
    withNul.send({
      cmd: 'publish',
      topic: 'zigbee2mqtt/hall\u0000motion',
      payload: '{}',
      qos: 0,
      retain: false,
      dup: false,
    });
    const notUtf8 = await rawSession(h.port, Z2M);
    notUtf8.socket.write(
      publishWithTopicBytes(Buffer.from([0x7a, 0x32, 0x6d, 0x2f, 0xff, 0xfe]), Buffer.from('{}')),
    );
    const filter = await rawSession(h.port, ownUser(h));
    filter.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: 'zigbee2mqtt/\u0000/#', qos: 0 }],
    });
    await h.until('the three connections closed', () => [withNul, notUtf8, filter].every((c) => c.closed()));
    const z2m = await h.connect(Z2M);
    await z2m.publishAsync('zigbee2mqtt/front_door', '{"contact":true}', { qos: 1 });
    await h.until('the door reading', () => got.some((g) => g.topic === 'hearth/local/reading/front-door'));
    // Delivered in the order the broker took them: had the bad ones gone through, they came first.
    expect(got.filter((g) => g.topic.includes('\u0000') || g.topic.includes('\ufffd'))).toEqual([]);
    expect((await counters(h))['broker.topic_refused']).toBe(3);
  });
});
