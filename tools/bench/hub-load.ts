// The hub's figures for `npm run bench`: start time and idle memory of a real `hearth hub`
// process; alerts and heartbeats stored per second; and the latency from a home's publish to the
// committed row with ten thousand simulated homes connected and heartbeating. Each on the
// embedded database and on a PostgreSQL server that syncs its commits, through a local Mosquitto
// (plain TCP, loopback).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startConsole } from '../../cloud-relay/hub/console/app.ts';
import { startHub } from '../../cloud-relay/hub/hub.ts';
import { alertPayload, envelope, topics } from '../../cloud-relay/protocol/messages.ts';
import { type HubConfigInput, hubConfigSchema } from '../../config/hub-schema.ts';
import { createLogger } from '../../core/log.ts';
import { heartbeat } from '../sim/homes.ts';
import { startPostgres } from '../testbed/pg-cluster.ts';
import { type PlainMosquitto, plainMosquitto } from '../testbed/plain-mosquitto.ts';
import { measureProcess, startHearthUntil } from './hearth-process.ts';

export const broker = (dir: string): Promise<PlainMosquitto> =>
  plainMosquitto(dir, ['set_tcp_nodelay true', 'max_inflight_messages 0', 'max_queued_messages 0']);

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

/** A real `hearth hub` on the embedded database: start and memory. */
async function processFigures(url: string, dir: string) {
  const file = join(dir, 'hub.json');
  writeFileSync(file, JSON.stringify(hubInput(url, dir, 'bench-proc')));
  const p = await measureProcess(['hub', '--config', file], 'hub running');
  return {
    hub_start_ms: Number(p.ready.start_ms ?? 0),
    hub_process_start_ms: p.startMs,
    hub_ready_rss_mb: p.readyRssMb,
    hub_idle_rss_mb: p.idleRssMb,
    hub_idle_private_mb: p.idlePrivateMb,
    node_alone_rss_mb: p.nodeAloneRssMb,
  };
}

const alertMsg = (gw: string, n: number) =>
  JSON.stringify(
    alertPayload({
      ...envelope({
        type: 'alert',
        id: `${gw}-${n}`,
        gateway: gw,
        resident: `r-${gw}`,
        at: new Date().toISOString(),
      }),
      alert_id: `${gw}-a${n}`,
      rule: 'inactivity',
      state: 'raised',
      severity: 'urgent',
      reason: 'No movement seen since 10:42 (3 h 10 m).',
    }),
  );

/** Counts what a hub stores, by topic, and wakes whoever waits for a count. */
function storedCounter() {
  const counts = new Map<string, number>();
  const waiters: { topic: string; n: number; resolve: () => void }[] = [];
  const count = (topic: string) => counts.get(topic) ?? 0;
  return {
    onStored(topic: string) {
      counts.set(topic, count(topic) + 1);
      for (const w of [...waiters])
        if (w.topic === topic && count(topic) >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
    },
    until: (topic: string, n: number) =>
      count(topic) >= n
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ topic, n, resolve })),
  };
}

type Backend = { name: string; database: HubConfigInput['database'] };

async function benchHub(url: string, dir: string, b: Backend) {
  const stored = storedCounter();
  const input = { ...hubInput(url, dir, `bench-${b.name}`), database: b.database };
  const hub = await startHub({
    config: hubConfigSchema.parse(input),
    configFile: join(dir, 'hub.json'),
    log: createLogger({ level: 'silent' }),
    supervisionTimer: false,
    onStored: (topic) => stored.onStored(topic),
    web: startConsole,
  });
  return { hub, stored };
}

const heartbeatMsg = (gw: string, n: number) =>
  JSON.stringify(heartbeat(gw, `r-${gw}`, Date.now() + n, n % 5));

const publisher = async (url: string, gw: string, leaf: 'alert' | 'heartbeat' = 'alert') => {
  const c = await mqtt.connectAsync(url, { clientId: `bench-${gw}`, protocolVersion: 5 });
  return { gw, c, topic: topics[leaf](gw) };
};

/**
 * Messages stored per second while twenty homes publish as fast as the hub takes them: alerts
 * (the most work each) or heartbeats (most of what a hub receives).
 */
export async function throughputFor(
  url: string,
  dir: string,
  b: Backend,
  count: number,
  leaf: 'alert' | 'heartbeat' = 'alert',
): Promise<number> {
  const { hub, stored } = await benchHub(url, dir, b);
  const homes = await Promise.all(
    Array.from({ length: 20 }, (_, i) => publisher(url, `burst-${leaf}-${i}`, leaf)),
  );
  const message = leaf === 'alert' ? alertMsg : heartbeatMsg;
  try {
    const each = Math.ceil(count / homes.length);
    const t0 = performance.now();
    await Promise.all(
      homes.map(async ({ gw, c, topic }) => {
        for (let n = 0; n < each; n++) await c.publishAsync(topic, message(gw, n), { qos: 1 });
        await stored.until(topic, each);
      }),
    );
    return (each * homes.length) / ((performance.now() - t0) / 1000);
  } finally {
    for (const { c } of homes) c.end(true);
    await hub.stop();
  }
}

/**
 * Publish to committed row, one alert at a time, while the simulated homes keep their
 * connections and heartbeats. The hub first takes what queued for it while it was away: the
 * first alert is stored only after all of that, since a session's messages come in order.
 */
async function latency(url: string, dir: string, b: Backend, samples: number) {
  const { hub, stored } = await benchHub(url, dir, b);
  const { gw, c, topic } = await publisher(url, 'latency');
  try {
    await c.publishAsync(topic, alertMsg(gw, 0), { qos: 1 });
    await stored.until(topic, 1);
    const lat: number[] = [];
    for (let n = 1; n <= samples; n++) {
      const t = performance.now();
      await c.publishAsync(topic, alertMsg(gw, n), { qos: 1 });
      await stored.until(topic, n + 1);
      lat.push(performance.now() - t);
    }
    lat.sort((x, y) => x - y);
    const at = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? 0;
    return { p50: at(0.5), p99: at(0.99) };
  } finally {
    c.end(true);
    await hub.stop();
  }
}

/** `hearth simulate homes` as its own process, so its ten thousand clients are not the hub's load. */
const simulatedHomes = async (url: string, count: number): Promise<ChildProcess> =>
  (
    await startHearthUntil(
      ['simulate', 'homes', '--broker', url, '--count', String(count), '--heartbeat', '60s'],
      /homes connected/,
    )
  ).child;

export async function measureHub(opts: { quick?: boolean } = {}): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-hub-bench-'));
  const b = await broker(dir);
  const pg = await startPostgres({ durable: true });
  const homes = opts.quick ? 1_000 : 10_000;
  const burst = opts.quick ? 1_000 : 10_000;
  const samples = opts.quick ? 50 : 300;
  const embedded: Backend = { name: 'sqlite', database: { dir: join(dir, 'sqlite') } };
  const postgres: Backend = { name: 'pg', database: { url: await pg.createDatabase('hub_bench') } };
  let fleet: ChildProcess | undefined;
  try {
    const f: Record<string, number> = { ...(await processFigures(b.url, dir)) };
    f.hub_msgs_per_s = await throughputFor(b.url, dir, embedded, burst);
    f.hub_pg_msgs_per_s = await throughputFor(b.url, dir, postgres, burst);
    f.hub_heartbeats_per_s = await throughputFor(b.url, dir, embedded, burst, 'heartbeat');
    f.hub_pg_heartbeats_per_s = await throughputFor(b.url, dir, postgres, burst, 'heartbeat');
    fleet = await simulatedHomes(b.url, homes);
    f.hub_homes_connected = homes;
    const e = await latency(b.url, dir, embedded, samples);
    f.hub_alert_latency_p50_ms = e.p50;
    f.hub_alert_latency_p99_ms = e.p99;
    const p = await latency(b.url, dir, postgres, samples);
    f.hub_pg_alert_latency_p50_ms = p.p50;
    f.hub_pg_alert_latency_p99_ms = p.p99;
    return f;
  } finally {
    if (fleet?.exitCode === null) {
      const closed = new Promise((r) => fleet?.once('close', r));
      fleet.kill('SIGTERM');
      await closed;
    }
    b.proc.kill();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
