// Hostile clients at the local broker's own doors, against a real `hearth run`: whatever they do,
// the gateway keeps running and Zigbee2MQTT's readings keep arriving.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { freePort } from '../helpers/net.ts';
import { rawSession } from '../helpers/raw-mqtt.ts';
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
  });
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
