// The hub's figures for `npm run bench`: start time and idle memory of a real `hearth hub`
// process, messages stored per second, and the latency from a home's publish to the committed
// row, on the embedded database and a local Mosquitto (plain TCP, loopback).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { type HubConfigInput, hubConfigSchema } from '../../config/hub-schema.ts';
import { alertPayload } from '../protocol/messages.ts';
import { startHub } from './hub.ts';
import { hubLogger } from './log.ts';

const HEARTH = fileURLToPath(new URL('../../gateway/cli/hearth.js', import.meta.url));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export async function broker(dir: string): Promise<{ url: string; proc: ChildProcess }> {
  if (spawnSync('sh', ['-c', 'command -v mosquitto']).status !== 0)
    throw new Error("mosquitto is not installed (Debian's mosquitto; test/setup-system.sh)");
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\nmax_inflight_messages 0\nmax_queued_messages 0\n`,
  );
  const proc = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const url = `mqtt://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 500 });
    const ok = await new Promise<boolean>((r) => {
      c.once('connect', () => r(true));
      c.once('error', () => r(false));
      c.once('close', () => r(false));
    });
    c.end(true);
    if (ok) return { url, proc };
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill();
  throw new Error('mosquitto did not start');
}

function hubInput(url: string, dir: string, instance: string): HubConfigInput {
  return {
    version: 1,
    hub: { instance, timezone: 'Europe/London' },
    broker: { url },
    database: { dir: join(dir, instance) },
    web: { host: '127.0.0.1', port: 0 },
    homes: { accept_any: true },
  };
}

/** A real `hearth hub`: ms from its own start to ready, and resident memory after idling. */
async function processFigures(url: string, dir: string) {
  const file = join(dir, 'hub.json');
  writeFileSync(file, JSON.stringify(hubInput(url, dir, 'bench-proc')));
  const t0 = performance.now();
  const child = spawn(process.execPath, [HEARTH, 'hub', '--config', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  const ready = await new Promise<Record<string, number>>((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => {
      text += c.toString();
      const line = text.split('\n').find((l) => l.includes('"hub running"'));
      if (line) resolve(JSON.parse(line));
    });
    child.once('close', (code) => reject(new Error(`hearth hub exited (${code}):\n${text}`)));
  });
  const wall = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 3_000));
  let rss = ready.rss_mb ?? 0;
  try {
    rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;
  } catch {
    // Not Linux: the figure the hub logged when it was ready.
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
  return { hub_start_ms: ready.start_ms ?? 0, hub_process_start_ms: wall, hub_idle_rss_mb: rss };
}

const alertMsg = (gw: string, n: number) =>
  JSON.stringify(
    alertPayload({
      v: 1,
      id: `${gw}-${n}`,
      type: 'alert',
      gateway: gw,
      resident: `r-${gw}`,
      at: new Date().toISOString(),
      alert_id: `${gw}-a${n}`,
      rule: 'inactivity',
      state: 'raised',
      severity: 'urgent',
      reason: 'No movement seen since 10:42 (3 h 10 m).',
    }),
  );

/** Stored per second with many homes publishing at once, and one-at-a-time latency. */
async function flowFigures(url: string, dir: string, count: number, samples: number) {
  let stored = 0;
  const input = hubInput(url, dir, 'bench-flow');
  const hub = await startHub({
    config: hubConfigSchema.parse(input),
    configFile: join(dir, 'hub.json'),
    log: hubLogger({ level: 'silent' }),
    supervisionTimer: false,
    onStored: () => void stored++,
  });
  const homes = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const c = mqtt.connect(url, { clientId: `bench-gw-${i}`, protocolVersion: 5 });
      await new Promise((r) => c.once('connect', r));
      return { gw: `gw-${i}`, c };
    }),
  );
  const waitStored = async (n: number) => {
    while (stored < n) await new Promise((r) => setImmediate(r));
  };
  try {
    const t0 = performance.now();
    await Promise.all(
      homes.map(async ({ gw, c }) => {
        for (let n = 0; n < count / homes.length; n++)
          await c.publishAsync(`hearth/v1/${gw}/alert`, alertMsg(gw, n), { qos: 1 });
      }),
    );
    await waitStored(count);
    const perSecond = count / ((performance.now() - t0) / 1000);
    const lat: number[] = [];
    const { gw, c } = homes[0] as (typeof homes)[number];
    for (let n = 0; n < samples; n++) {
      const before = stored;
      const t = performance.now();
      await c.publishAsync(`hearth/v1/${gw}/alert`, alertMsg(gw, count + n), { qos: 1 });
      await waitStored(before + 1);
      lat.push(performance.now() - t);
    }
    lat.sort((a, b) => a - b);
    const at = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? 0;
    return {
      hub_msgs_per_s: perSecond,
      hub_alert_latency_p50_ms: at(0.5),
      hub_alert_latency_p99_ms: at(0.99),
    };
  } finally {
    for (const { c } of homes) c.end(true);
    await hub.stop();
  }
}

export async function measureHub(opts: { quick?: boolean } = {}): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-hub-bench-'));
  const b = await broker(dir);
  try {
    return {
      ...(await processFigures(b.url, dir)),
      ...(await flowFigures(b.url, dir, opts.quick ? 1_000 : 10_000, opts.quick ? 50 : 300)),
    };
  } finally {
    b.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
