// The care console's figures for `npm run bench`, on the embedded SQLite store with a trust's
// worth of history (console-history.ts): the server time of the alert queue and the homes page, and
// the time from a home's alert reaching the trust broker to that alert being on an open page.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, type ClientRequest, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import mqtt from 'mqtt';
import { putStaff } from '../../cloud-relay/hub/console/accounts.ts';
import { buildConsole, startConsole } from '../../cloud-relay/hub/console/app.ts';
import { consoleDb } from '../../cloud-relay/hub/console-tables.ts';
import { openDb, sqliteTarget } from '../../cloud-relay/hub/db.ts';
import { startHub } from '../../cloud-relay/hub/hub.ts';
import { LiveFeed } from '../../cloud-relay/hub/live-feed.ts';
import { HubStore } from '../../cloud-relay/hub/store.ts';
import { topics } from '../../cloud-relay/protocol/messages.ts';
import { hubConfigSchema } from '../../config/hub-schema.ts';
import { createLogger } from '../../core/log.ts';
import { alertOf, put, seed } from './console-history.ts';
import { broker } from './hub-load.ts';

const PASSWORD = 'bench-only-password';
/** LiveFeed's default gap: alerts closer than this share one notice, which is not what is timed. */
const NOTICE_GAP_MS = 300;
const SIGNIN = { 'content-type': 'application/x-www-form-urlencoded' };
const signinBody = `name=olive&password=${encodeURIComponent(PASSWORD)}&next=%2F`;

function percentiles(name: string, xs: number[]): Record<string, number> {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return { [`${name}_p50_ms`]: at(0.5), [`${name}_p99_ms`]: at(0.99) };
}

const cookieOf = (set: string | string[] | undefined) =>
  ((Array.isArray(set) ? set[0] : set) ?? '').split(';')[0] ?? '';

/** Server time of a page through Fastify's injection (routes, hooks, queries, rendering; no socket). */
async function pageTimes(app: FastifyInstance, cookie: string, url: string, n: number) {
  const times: number[] = [];
  for (let i = -3; i < n; i++) {
    const t = performance.now();
    const r = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (r.statusCode !== 200) throw new Error(`GET ${url}: ${r.statusCode}`);
    if (i >= 0) times.push(performance.now() - t);
  }
  return times;
}

async function pageFigures(dataDir: string, requests: number) {
  const store = new HubStore(openDb(sqliteTarget(dataDir)).db);
  const live = new LiveFeed();
  const app = await buildConsole({
    store,
    live,
    now: Date.now,
    timezone: 'Europe/London',
    health: () => ({ ok: true }),
    ack: async () => ({ ok: false, status: 409, reason: 'not in the benchmark' }),
    mode: async () => ({ ok: false, status: 404, reason: 'not in the benchmark' }),
  });
  try {
    const r = await app.inject({ method: 'POST', url: '/signin', headers: SIGNIN, payload: signinBody });
    const cookie = cookieOf(r.headers['set-cookie']);
    return {
      ...percentiles('console_queue_page', await pageTimes(app, cookie, '/', requests)),
      ...percentiles('console_homes_page', await pageTimes(app, cookie, '/homes', requests)),
    };
  } finally {
    live.close();
    await app.close();
    await store.close();
  }
}

type Reply = { status: number; cookie: string; body: string };

function call(port: number, agent: Agent, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent, method: body ? 'POST' : 'GET', headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, cookie: cookieOf(res.headers['set-cookie']), body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The /events stream over a real connection; `onChange` for each notice, as the page's script. */
function events(port: number, cookie: string, onChange: () => void) {
  return new Promise<ClientRequest>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/events', headers: { cookie } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`/events: ${res.statusCode}`));
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          if (buf.startsWith('event: change')) onChange();
          buf = buf.slice(i + 2);
        }
      });
      resolve(req);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Publish to alert shown, without a browser: a home publishes an alert to the trust's Mosquitto;
 * a real `startHub` (receiver, store, live feed, console on a socket) takes it; a client plays the
 * page's script (console/client.ts): on each notice on /events it fetches the queue fragment, and
 * the time stops when the fragment holds the new alert's sentence. DOM work is not included.
 */
async function alertToPage(dir: string, dataDir: string, homes: number, samples: number) {
  const b = await broker(dir);
  const input = {
    version: 1,
    hub: { instance: 'bench-console', timezone: 'Europe/London' },
    broker: { url: b.url },
    database: { dir: dataDir },
    web: { host: '127.0.0.1', port: 0 },
    homes: { accept_any: true },
  };
  const hub = await startHub({
    config: hubConfigSchema.parse(input),
    configFile: join(dir, 'hub.json'),
    log: createLogger({ level: 'silent' }),
    supervisionTimer: false,
    web: startConsole,
  }).catch((e) => {
    b.proc.kill();
    throw e;
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const home = await mqtt.connectAsync(b.url, { clientId: 'bench-console-home', protocolVersion: 5 });
  let stream: ClientRequest | null = null;
  try {
    const port = hub.webPort;
    const { cookie } = await call(port, agent, '/signin', SIGNIN, signinBody);
    let want: { reason: string; shown: (at: number) => void } | null = null;
    let busy = false;
    let again = false;
    // The page's refresh: one fetch at a time, one more if a notice came during it.
    const refresh = async (): Promise<void> => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      const r = await call(port, agent, '/', { cookie, 'x-fragment': '1' });
      busy = false;
      if (want && r.status === 200 && r.body.includes(want.reason)) want.shown(performance.now());
      if (again) {
        again = false;
        await refresh();
      }
    };
    stream = await events(port, cookie, () => void refresh());
    const lat: number[] = [];
    for (let n = -2; n < samples; n++) {
      await new Promise((r) => setTimeout(r, NOTICE_GAP_MS + 20));
      const id = `live${n + 2}`;
      const reason = `No movement seen for 3 h (bench alert ${n + 2}).`;
      const shown = new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`alert ${id} not on the page after 10 s`)), 10_000);
        want = {
          reason,
          shown: (at) => {
            clearTimeout(t);
            resolve(at);
          },
        };
      });
      const h = (n + 2) % homes;
      const msg = alertOf(h, id, 'raised', Date.now(), reason);
      const t0 = performance.now();
      const sent = home.publishAsync(topics.alert(msg.gateway), JSON.stringify(msg), { qos: 1 });
      const at = await shown;
      await sent;
      if (n >= 0) lat.push(at - t0);
      // Closed behind the page's back (no notice), so the queue stays at its size for the next.
      await put(hub.store, alertOf(h, id, 'resolved', Date.now(), 'Movement again.'), Date.now());
    }
    return percentiles('console_alert_to_page', lat);
  } finally {
    stream?.destroy();
    agent.destroy();
    home.end(true);
    await hub.stop();
    b.proc.kill();
  }
}

export async function measureConsole(opts: { quick?: boolean } = {}): Promise<Record<string, number>> {
  const size = opts.quick ? { homes: 100, alerts: 1_000 } : { homes: 1_000, alerts: 10_000 };
  const dir = mkdtempSync(join(tmpdir(), 'hearth-console-bench-'));
  const dataDir = join(dir, 'hub-data');
  try {
    const store = new HubStore(openDb(sqliteTarget(dataDir)).db);
    await store.migrate();
    await seed(store, { ...size, now: Date.now() });
    await putStaff(
      consoleDb(store.db),
      { name: 'olive', role: 'operator', password: PASSWORD, residents: [] },
      Date.now(),
    );
    await store.close();
    return {
      ...(await pageFigures(dataDir, opts.quick ? 20 : 50)),
      ...(await alertToPage(dir, dataDir, size.homes, opts.quick ? 20 : 100)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
