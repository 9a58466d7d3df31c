// A running `hearth hub` (a child process) whose PostgreSQL goes away while homes send alerts
// through a real Mosquitto, and comes back: the hub must hold what it has not stored (no PUBACK
// without the row), reconnect by itself, store every alert state exactly once, and never exit.
//
// 1. The server is stopped (a fast shutdown, then its postmaster killed with SIGKILL) and a new
//    postmaster is started on the same data directory and port.
// 2. A streaming replica takes over from a primary killed with SIGKILL (`pg_ctl promote`). The
//    hub's URL names one address that the new primary takes over, as a DNS name or a floating
//    address does in production: here a TCP relay whose target moves to the replica. node-postgres
//    (pg 8.x) has no multi-host URLs (`postgresql://h1:p1,h2:p2/db?target_session_attrs=...`): its
//    URL parser throws "Invalid URL" on them, so that way cannot be offered to operators. The
//    replica is synchronous (synchronous_standby_names = '*'): with asynchronous replication a
//    commit the hub had acknowledged to a home can be missing on the promoted replica.
//
// A server going away while a client was checked out between two queries ended the hub (pg's
// unhandled 'error' event: the pool listens on idle clients only); cloud-relay/hub/db.ts now
// listens on every client.
//
// Figures (time from the new server accepting connections to the hub's next stored row, and the
// length of each outage) are printed, not asserted: the machine may be busy.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { HubConfigInput } from '../config/hub-schema.ts';
import { type Running, startHearth } from './helpers/cli.ts';
import { type Fleet, startFleet } from './helpers/gateway-fleet.ts';
import { alert } from './helpers/hub-messages.ts';
import { type Postgres, type StopMode, startPostgres } from './helpers/postgres.ts';
import { tcpProxy } from './helpers/proxy.ts';
import { tempDir } from './helpers/tmp.ts';
import { trustRig } from './helpers/trust-rig.ts';
import { until } from './helpers/until.ts';

const HOMES = 10;
/** Between one home's messages: a steady stream, not a flood a busy machine takes minutes over. */
const PACE_MS = 150;
/** Messages sent while the database is away, before it comes back. */
const SENT_WHILE_DOWN = 60;

const rig = trustRig('gw-unused', { postgres: false });
const figures: string[] = [];
afterAll(() => {
  if (figures.length) console.log(`hub-pg-failover figures:\n  ${figures.join('\n  ')}`);
});

/** Polls an async probe until `ok`; fails with the last value seen. */
async function eventually<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 90_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every home sends alert after alert (raised, then resolved) until stopped; each one noted once sent. */
function alertStream(fleet: Fleet) {
  const sent: string[] = [];
  let stopping = false;
  const t0 = Date.now();
  const loops = fleet.homes.map(async (h) => {
    for (let k = 0; !stopping; k++)
      for (const [i, state] of (['raised', 'resolved'] as const).entries()) {
        await h.send('alert', alert(h.gw, h.resident, `a${k}`, state, t0 + k * 60_000 + i));
        sent.push(`${h.gw}/a${k}/${state}`);
        await new Promise((r) => setTimeout(r, PACE_MS));
      }
  });
  return {
    sent,
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

type Scene = {
  hub: Running;
  sql: pg.Pool;
  health: () => Promise<{ ok: boolean; held_because?: string }>;
  stored: () => Promise<number>;
};

let scenes = 0;

async function startScene(url: string, cleanup: (fn: () => Promise<void>) => void): Promise<Scene> {
  const { pki, broker } = rig;
  const dir = tempDir('hearth-hub-pg-failover-');
  const input: HubConfigInput = {
    version: 1,
    hub: { timezone: 'Europe/London' },
    broker: { url: broker.url, ca: pki.ca, cert: pki.trust.cert, key: pki.trust.key },
    database: { url },
    web: { host: '127.0.0.1', port: 0 },
    // The fleet shares one certificate, so its homes cannot sign as themselves (see hub-kill).
    homes: { accept_any: true, heartbeat: '60s', signatures: 'off' },
  };
  const file = join(dir, 'hub.json');
  writeFileSync(file, JSON.stringify(input));
  // An instance of its own: a persistent session another test's hub left would bring its messages.
  const hub = startHearth(['hub', '--config', file, '--instance', `failover${++scenes}`]);
  cleanup(async () => {
    hub.child.kill('SIGTERM');
    const { code, signal } = await hub.exited;
    if (code !== 0) console.log(`hub exited (${code ?? signal}):\n${hub.output().slice(-6000)}`);
  });
  const running = await hub.waitFor(/"web":"http:\/\/[^"]+"[^\n]*hub running/);
  const web = /"web":"(http:\/\/[^"]+)"/.exec(running)?.[1] ?? '';
  // The test's own reads go to a pool that forgets clients of a server that went away.
  const sql = new pg.Pool({ connectionString: url, max: 1 });
  sql.on('error', () => {});
  cleanup(() => sql.end());
  return {
    hub,
    sql,
    health: async () =>
      (await fetch(`${web}/healthz`)).json() as Promise<{ ok: boolean; held_because?: string }>,
    stored: async () => {
      try {
        return Number((await sql.query('select count(*) as n from alert_history')).rows[0].n);
      } catch {
        return -1;
      }
    },
  };
}

/**
 * Waits until the hub holds a message for want of its database and `SENT_WHILE_DOWN` more were
 * sent; then `bringBack` and measures until the hub stores again.
 */
async function outage(
  s: Scene,
  stream: ReturnType<typeof alertStream>,
  what: string,
  takeAway: () => Promise<void>,
  bringBack: () => Promise<void>,
) {
  const before = await s.stored();
  await eventually('the stream to be stored', s.stored, (n) => n >= before + 20);
  const down = Date.now();
  await takeAway();
  await eventually('/healthz to say a message is held', s.health, (h) => h.held_because !== undefined);
  const sentAtDown = stream.sent.length;
  await until(
    'homes to send while the database is away',
    () => stream.sent.length >= sentAtDown + SENT_WHILE_DOWN,
    60_000,
  );
  await bringBack();
  const up = Date.now();
  const atUp = await eventually('the new server to answer the test', s.stored, (n) => n >= 0);
  await eventually('the hub to store again', s.stored, (n) => n > atUp);
  const back = Date.now() - up;
  figures.push(
    `${what}: away ${((up - down) / 1000).toFixed(1)} s; stored again ${back} ms after the new server answered`,
  );
  expect(s.hub.child.exitCode).toBeNull();
}

async function finish(s: Scene, stream: ReturnType<typeof alertStream>) {
  await stream.stop();
  const want = [...stream.sent].sort();
  await eventually('every alert state sent to be stored', s.stored, (n) => n >= want.length);
  await eventually('/healthz to be well again', s.health, (h) => h.ok);
  const rows = await s.sql.query(
    "select gateway || '/' || alert_id || '/' || state as k, count(*) as n from alert_history group by 1 order by 1",
  );
  expect(rows.rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
  expect(rows.rows.map((r) => r.k as string).sort()).toEqual(want);
  // One id for each alert state (statuses keep theirs too; heartbeats none).
  const ids = await s.sql.query("select count(*) as n from message_ids where id not like '%-status-%'");
  expect(Number(ids.rows[0].n)).toBe(want.length);
  expect(s.hub.child.exitCode).toBeNull();
}

async function homes(): Promise<Fleet> {
  const { pki, broker } = rig;
  return startFleet({
    url: broker.url,
    ca: pki.ca,
    cert: pki.trust.cert,
    key: pki.trust.key,
    count: HOMES,
    heartbeatMs: 60_000,
  });
}

describe('the hub when its PostgreSQL is replaced', () => {
  it('rides out a server stopped (fast, then killed) and started again on the same data and port', async ({
    onTestFinished,
  }) => {
    const db: Postgres = await startPostgres();
    onTestFinished(() => db.stop());
    const scene = await startScene(await db.createDatabase('failover_restart'), onTestFinished);
    const fleet = await homes();
    onTestFinished(() => fleet.stop());
    const stream = alertStream(fleet);
    onTestFinished(() => stream.stop().catch(() => {}));
    for (const mode of ['fast', 'kill'] as StopMode[])
      await outage(
        scene,
        stream,
        `server ${mode === 'fast' ? 'stopped (fast)' : 'killed (SIGKILL)'}, restarted`,
        () => db.halt(mode),
        () => db.restart(),
      );
    await finish(scene, stream);
  }, 240_000);

  it('moves to a synchronous replica promoted after its primary is killed', async ({ onTestFinished }) => {
    const db: Postgres = await startPostgres();
    onTestFinished(() => db.stop());
    const url = await db.createDatabase('failover_promote');
    const replica = await db.replica({ synchronous: true });
    // The address the hub knows: its target moves to the new primary, as a floating address does.
    const target = { host: '127.0.0.1', port: db.port };
    const front = await tcpProxy(target);
    const scene = await startScene(url.replace(`:${db.port}/`, `:${front.port}/`), onTestFinished);
    const fleet = await homes();
    onTestFinished(() => fleet.stop());
    const stream = alertStream(fleet);
    onTestFinished(() => stream.stop().catch(() => {}));
    await outage(
      scene,
      stream,
      'primary killed (SIGKILL), synchronous replica promoted',
      () => db.halt('kill'),
      async () => {
        await replica.promote();
        target.port = replica.port;
      },
    );
    await finish(scene, stream);
  }, 240_000);
});
