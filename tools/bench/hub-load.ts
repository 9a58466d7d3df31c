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

import { measureHubDaySize } from './hub-day-size.ts';
import { type HubProcess, startHubProcess } from './hub-process.ts';

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

/** Connects `n` homes' publishers, a hundred at a time. */
async function publishers(url: string, prefix: string, n: number, leaf: 'alert' | 'heartbeat') {
  const out: Awaited<ReturnType<typeof publisher>>[] = [];
  for (let i = 0; i < n; i += 100)
    out.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(100, n - i) }, (_, k) => publisher(url, `${prefix}-${i + k}`, leaf)),
      )),
    );
  return out;
}

/** Messages each simulated home has published and not yet had acknowledged, at most. */
const IN_FLIGHT = 8;

export type Throughput = { perSecond: number; cpuUsPerMessage: number; perBatch: number };

/**
 * Messages stored per second while `homes` homes each publish as fast as the broker takes them:
 * alerts (the most work each) or heartbeats (most of what a hub receives). The hub is a process
 * of its own, as a trust runs it; its CPU time per message is read from /proc, so that what one
 * core can take is known apart from this machine's other work (the broker, the database, the
 * load itself all share its two cores).
 */
export async function throughput(
  url: string,
  dir: string,
  b: Backend,
  count: number,
  leaf: 'alert' | 'heartbeat',
  homes: number,
  instances = 1,
): Promise<Throughput> {
  // More than one: they share the homes' messages (broker.share).
  const hubs: HubProcess[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      const input = hubInput(url, dir, `bench-${b.name}-${leaf}-${instances}-${i}`);
      hubs.push(
        await startHubProcess(dir, {
          ...input,
          broker: { ...input.broker, share: instances > 1 },
          database: b.database,
        }),
      );
    }
    return await load(hubs, url, `${b.name}-${leaf}-${instances}`, count, leaf, homes);
  } finally {
    for (const h of hubs) await h.stop();
  }
}

async function load(
  hubs: HubProcess[],
  url: string,
  prefix: string,
  count: number,
  leaf: 'alert' | 'heartbeat',
  homes: number,
): Promise<Throughput> {
  const clients = await publishers(url, prefix, homes, leaf);
  const message = leaf === 'alert' ? alertMsg : heartbeatMsg;
  const sum = async () => {
    const all = await Promise.all(hubs.map((h) => h.counters()));
    return {
      handled: all.reduce((n, c) => n + c.handled, 0),
      stored: all.reduce((n, c) => n + c.stored, 0),
      batches: all.reduce((n, c) => n + c.batches, 0),
    };
  };
  const cpu = () => hubs.reduce((ms, h) => ms + h.cpuMs(), 0);
  try {
    const each = Math.ceil(count / homes);
    const total = each * homes;
    // Made before the clock starts: the load's own work is not the hub's.
    const payloads = clients.map(({ gw }) => Array.from({ length: each }, (_, n) => message(gw, n)));
    const before = await sum();
    const cpu0 = cpu();
    const t0 = performance.now();
    // Each home keeps a few messages in flight, as a relay draining its outbox does.
    const sending = Promise.all(
      clients.map(
        ({ c, topic }, i) =>
          new Promise<void>((resolve, reject) => {
            const mine = payloads[i] as string[];
            let next = 0;
            let done = 0;
            const send = () => {
              const n = next++;
              c.publish(topic, mine[n] as string, { qos: 1 }, (err) => {
                if (err) return reject(err);
                if (++done === mine.length) return resolve();
                if (next < mine.length) send();
              });
            };
            for (let k = 0; k < Math.min(IN_FLIGHT, mine.length); k++) send();
          }),
      ),
    );
    while ((await sum()).handled - before.handled < total) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - t0) / 1000;
    const cpuMs = cpu() - cpu0;
    await sending;
    const after = await sum();
    if (after.stored - before.stored !== total)
      throw new Error(`the hub stored ${after.stored - before.stored} of ${total} ${leaf}s`);
    return {
      perSecond: total / seconds,
      cpuUsPerMessage: (cpuMs * 1000) / total,
      perBatch: total / Math.max(1, after.batches - before.batches),
    };
  } finally {
    for (const { c } of clients) c.end(true);
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

/**
 * Publish to committed row for live alerts, one after another, while a town's power comes back:
 * every simulated home drops and returns within `withinS` seconds with an hour's outbox
 * (`hearth simulate homes --burst`, its own process). Sampled from the burst's start until the
 * last home is back and the hub has caught up.
 */
async function townBurst(url: string, dir: string, b: Backend, homes: number, withinS: number) {
  const { hub, stored } = await benchHub(url, dir, b);
  const { gw, c, topic } = await publisher(url, `town-${b.name}`);
  let sim: ChildProcess | undefined;
  try {
    await c.publishAsync(topic, alertMsg(gw, 0), { qos: 1 });
    await stored.until(topic, 1);
    const started = await startHearthUntil(
      [
        'simulate',
        'homes',
        '--broker',
        url,
        '--count',
        String(homes),
        '--heartbeat',
        '60s',
        '--alerts-per-day',
        '0',
        '--burst',
        String(homes),
        '--burst-within',
        `${withinS}s`,
        '--burst-offline',
        '1h',
      ],
      /"event":"burst"/,
    );
    sim = started.child;
    let done = false;
    sim.stdout?.on('data', (d: Buffer) => {
      if (d.includes('"event":"burst-done"')) done = true;
    });
    const lat: number[] = [];
    const before = hub.receiver.counters.stored;
    for (let n = 1; !done || n < 20; n++) {
      const t = performance.now();
      await c.publishAsync(topic, alertMsg(gw, n), { qos: 1 });
      await stored.until(topic, n + 1);
      lat.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
    lat.sort((x, y) => x - y);
    const at = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? 0;
    return { p50: at(0.5), p99: at(0.99), stored: hub.receiver.counters.stored - before };
  } finally {
    if (sim?.exitCode === null) {
      const closed = new Promise((r) => sim?.once('close', r));
      sim.kill('SIGTERM');
      await closed;
    }
    c.end(true);
    await hub.stop();
  }
}

async function stopFleet(fleet: ChildProcess | undefined): Promise<void> {
  if (fleet?.exitCode !== null) return;
  const closed = new Promise((r) => fleet.once('close', r));
  fleet.kill('SIGTERM');
  await closed;
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
    // Alerts from 200 homes; heartbeats from 2,000, a batch's worth of different homes as a
    // real fleet's are (a few homes' heartbeats would fold into a few rows).
    for (const [backend, prefix] of [
      [embedded, 'hub'],
      [postgres, 'hub_pg'],
    ] as const) {
      const a = await throughput(b.url, dir, backend, burst * 2, 'alert', 200);
      f[`${prefix}_msgs_per_s`] = a.perSecond;
      f[`${prefix}_cpu_us_per_alert`] = a.cpuUsPerMessage;
      const h = await throughput(b.url, dir, backend, burst * 4, 'heartbeat', opts.quick ? 500 : 2_000);
      f[`${prefix}_heartbeats_per_s`] = h.perSecond;
      f[`${prefix}_cpu_us_per_heartbeat`] = h.cpuUsPerMessage;
      f[`${prefix}_heartbeats_per_batch`] = h.perBatch;
    }
    // Two instances sharing the homes' messages, on the same two cores.
    const shared = await throughput(
      b.url,
      dir,
      postgres,
      burst * 4,
      'heartbeat',
      opts.quick ? 500 : 2_000,
      2,
    );
    f.hub_pg_2_instances_heartbeats_per_s = shared.perSecond;
    f.hub_pg_2_instances_cpu_us_per_heartbeat = shared.cpuUsPerMessage;
    fleet = await simulatedHomes(b.url, homes);
    f.hub_homes_connected = homes;
    const e = await latency(b.url, dir, embedded, samples);
    f.hub_alert_latency_p50_ms = e.p50;
    f.hub_alert_latency_p99_ms = e.p99;
    const p = await latency(b.url, dir, postgres, samples);
    f.hub_pg_alert_latency_p50_ms = p.p50;
    f.hub_pg_alert_latency_p99_ms = p.p99;
    await stopFleet(fleet);
    const town = await townBurst(b.url, dir, postgres, homes, opts.quick ? 10 : 60);
    f.hub_pg_town_burst_homes = homes;
    f.hub_pg_town_burst_stored = town.stored;
    f.hub_pg_town_burst_alert_latency_p50_ms = town.p50;
    f.hub_pg_town_burst_alert_latency_p99_ms = town.p99;
    Object.assign(
      f,
      await measureHubDaySize({ quick: opts.quick, url: await pg.createDatabase('hub_day_size') }),
    );
    return f;
  } finally {
    await stopFleet(fleet);
    b.proc.kill();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
