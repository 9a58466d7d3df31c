// Power cuts under load, by the method of SQLite's own crash tests: a preload library of ours
// (test/powercut/durable-images.c) keeps an image of each database file as of its last fsync;
// after a SIGKILL only those images are put back, as the disk would be when the power returns.
// Every alert the trust saw must be in the database that comes back (nothing published that
// was not durable), every alert in it must reach the trust, none may be invented, a rule's state
// never outlives the reading that caused it, and the database always passes integrity_check.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../cloud-relay/protocol/messages.ts';
import { makePki, mosquitto } from './helpers/mosquitto.ts';
import { freePort } from './helpers/net.ts';
import { pendantHomeFile, startPendantHome } from './helpers/pendant-home.ts';
import { tempDir } from './helpers/tmp.ts';
import { requireTool } from './helpers/tools.ts';
import { until } from './helpers/until.ts';

const GW = 'gw-power';
const Z2M = 'z2m-password-for-tests';
const CUTS = Number(process.env.HEARTH_TEST_CUTS ?? 20);
const SOURCE = new URL('./powercut/durable-images.c', import.meta.url).pathname;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Msg = { alert_id: string; state: string; rule: string };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const key = (m: { alert_id: string; state: string }) => `${m.alert_id}:${m.state}`;

function buildPreload(dir: string): string {
  const cc = requireTool('cc', 'gcc');
  const out = join(dir, 'durable-images.so');
  execFileSync(cc, ['-shared', '-fPIC', '-O2', '-o', out, SOURCE, '-ldl']);
  return out;
}

/** The database as it comes back after the power cut: a copy checked on the side. */
function inspect(dbDir: string, scratch: string) {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch);
  for (const f of readdirSync(dbDir).filter((f) => f.startsWith('hearth.db')))
    copyFileSync(join(dbDir, f), join(scratch, f));
  const db = new Database(join(scratch, 'hearth.db'));
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'alert_log'").pluck().get();
    if (!tables)
      return { integrity, alerts: new Set<string>(), raisedWithoutPress: [], ruleWithoutReading: [] };
    const log = db.prepare('SELECT alert_id, state, rule, at FROM alert_log').all() as (Msg & {
      at: number;
    })[];
    const press = db.prepare(
      "SELECT count(*) FROM events WHERE device = 'pendant' AND at <= ? AND at >= ? - 5000",
    );
    const raisedWithoutPress = log
      .filter((a) => a.rule === 'help_button' && a.state === 'raised' && press.pluck().get(a.at, a.at) === 0)
      .map(key);
    // The help button's state names its open alert and its last press: both must be on disk too.
    const ruleWithoutReading: string[] = [];
    const row = db.prepare("SELECT state FROM rule_state WHERE rule = 'help_button'").pluck().get() as
      | string
      | undefined;
    if (row) {
      const s = JSON.parse(row) as { alert: { id?: string; alertId?: string } | null; lastAt: number | null };
      const lastPress = db
        .prepare("SELECT count(*) FROM events WHERE device = 'pendant' AND at <= ? AND at >= ? - 5000")
        .pluck()
        .get(s.lastAt ?? -1, s.lastAt ?? -1);
      if (s.lastAt !== null && lastPress === 0) ruleWithoutReading.push(`press at ${s.lastAt}`);
    }
    return { integrity, alerts: new Set(log.map(key)), raisedWithoutPress, ruleWithoutReading };
  } finally {
    db.close();
  }
}

describe('power cuts', () => {
  it(`${CUTS} power cuts under load lose no alert or rule state whose reading was committed, and invent none`, async () => {
    const dir = tempDir();
    const preload = buildPreload(dir);
    const dbDir = join(dir, 'disk');
    const images = join(dir, 'images');
    mkdirSync(dbDir);
    mkdirSync(images);

    const pki = makePki(GW);
    cleanups.push(() => pki.remove());
    const broker = await mosquitto(pki, GW);
    cleanups.push(() => broker.remove());
    await broker.start();
    const got: Msg[] = [];
    const trust = await mqtt.connectAsync(broker.url, {
      ca: readFileSync(pki.ca),
      cert: readFileSync(pki.trust.cert),
      key: readFileSync(pki.trust.key),
    });
    cleanups.push(() => trust.endAsync(true));
    trust.on('message', (_t, p) => got.push(JSON.parse(p.toString()) as Msg));
    await trust.subscribeAsync(topics.alert(GW), { qos: 1 });

    const port = await freePort();
    const file = pendantHomeFile(dir, {
      gateway: GW,
      resident: 'r-power',
      port,
      relay: { url: broker.url, ca: pki.ca, cert: pki.gateway.cert, key: pki.gateway.key },
      dbDir,
    });
    const env = {
      HEARTH_TEST_Z2M: Z2M,
      LD_PRELOAD: preload,
      HEARTH_DURABLE_FILES: join(dbDir, 'hearth.db'),
      HEARTH_DURABLE_IMAGES: images,
    };
    const start = () =>
      startPendantHome(file, { port, env, ready: /gateway running/, cleanup: (fn) => cleanups.push(fn) });
    let cutting = false;
    const waitMsg = async (ok: (m: Msg) => boolean, from: number, ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end && !cutting) {
        const m = got.slice(from).find(ok);
        if (m) return m;
        await sleep(10);
      }
      return null;
    };
    const open = () => {
      const last = new Map<string, string>();
      for (const m of got) last.set(m.alert_id, m.state);
      return [...last].find(([, s]) => s === 'raised' || s === 'acknowledged')?.[0];
    };

    let acks = 0;
    const problems: string[] = [];
    for (let cut = 1; cut <= CUTS; cut++) {
      const { gw, z2m } = await start();
      expect(gw.output()).not.toMatch(/corrupt/);
      let stop = false;
      cutting = false;
      // A publish to a gateway that has just been cut never completes: it is not waited for long.
      const publish = (topic: string, payload: unknown) =>
        Promise.race([z2m.publishAsync(topic, JSON.stringify(payload)).catch(() => {}), sleep(200)]);
      // Plain readings as fast as the broker takes them, and help calls answered by the trust.
      const readings = (async () => {
        for (let v = false; !stop; v = !v) {
          await publish('zigbee2mqtt/hall_motion', { occupancy: v, battery: 90 });
          await sleep(2);
        }
      })();
      const calls = (async () => {
        while (!stop) {
          const from = got.length;
          await publish('zigbee2mqtt/pendant', { action: 'single' });
          const id = (await waitMsg((m) => m.state === 'raised', from, 1_500))?.alert_id ?? open();
          if (!id || stop) continue;
          await trust.publishAsync(
            topics.command(GW, 'ack'),
            JSON.stringify({ v: 1, id: `ack-${++acks}`, alert_id: id, by: 'Sam' }),
            { qos: 1 },
          );
          await waitMsg((m) => m.alert_id === id && m.state === 'acknowledged', from, 1_500);
          await publish('zigbee2mqtt/hall_motion', { occupancy: true });
          await waitMsg((m) => m.alert_id === id && m.state === 'resolved', from, 1_500);
        }
      })();
      // The cut comes at a random instant; the test asserts what survives it, never how long.
      await sleep(150 + Math.random() * 1_200);
      gw.child.kill('SIGKILL');
      await gw.exited;
      stop = true;
      cutting = true;
      await Promise.all([readings, calls]);
      z2m.end(true);
      const seen = got.slice();

      // The power comes back: only what was synced is on the disk.
      for (const f of readdirSync(dbDir).filter((f) => f.startsWith('hearth.db'))) rmSync(join(dbDir, f));
      for (const f of readdirSync(images).filter((f) => f.startsWith('hearth.db')))
        copyFileSync(join(images, f), join(dbDir, f));
      const back = inspect(dbDir, join(dir, 'scratch'));
      if (back.integrity !== 'ok') problems.push(`cut ${cut}: integrity_check says ${back.integrity}`);
      for (const m of seen)
        if (!back.alerts.has(key(m)))
          problems.push(`cut ${cut}: ${key(m)} reached the trust but is not on disk`);
      for (const a of back.raisedWithoutPress) problems.push(`cut ${cut}: ${a} without its press on disk`);
      for (const r of back.ruleWithoutReading)
        problems.push(`cut ${cut}: rule state kept a ${r} not on disk`);
    }
    expect(problems).toEqual([]);

    // One last start with the power on: everything that came back reaches the trust, once.
    const { gw } = await start();
    const final = inspect(dbDir, join(dir, 'scratch'));
    const trustBound = [...final.alerts].filter(
      (k) => !k.endsWith(':pre-alert') && !k.endsWith(':cancelled'),
    );
    await until(
      'every alert on disk at the trust',
      () => trustBound.every((k) => got.some((m) => key(m) === k)),
      20_000,
    );
    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
    const after = inspect(dbDir, join(dir, 'scratch'));
    expect(after.integrity).toBe('ok');
    const invented = got.filter((m) => !after.alerts.has(key(m))).map(key);
    expect(invented).toEqual([]);
    expect(got.filter((m) => m.state === 'raised').length).toBeGreaterThan(CUTS / 2);
    expect(existsSync(join(images, 'hearth.db'))).toBe(true);
  }, 240_000);
});
