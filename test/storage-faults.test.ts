// A full or failing disk under a running gateway, faults injected into its real system calls
// (fiu-run/fiu-ctrl): alerts keep reaching a real Mosquitto, the status says storage is failing,
// and the gateway recovers by itself, with no restart, once the fault is lifted.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../cloud-relay/protocol/messages.ts';
import { runHearth, startHearth } from './helpers/cli.ts';
import { EIO, ENOSPC, fiuDisable, fiuEnable, fiuRun } from './helpers/fiu.ts';
import { makePki, mosquitto } from './helpers/mosquitto.ts';
import { freePort } from './helpers/net.ts';
import { pendantHomeFile } from './helpers/pendant-home.ts';
import { tempDir } from './helpers/tmp.ts';
import { until } from './helpers/until.ts';

const GW = 'gw-disk';
const Z2M = 'z2m-password-for-tests';
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Msg = { alert_id?: string; state?: string; type?: string; storage_fault?: string | null };

/** The trust's broker (a real Mosquitto) and an observer of the home's alerts and status on it. */
async function trustSide() {
  const pki = makePki(GW);
  cleanups.push(() => pki.remove());
  const broker = await mosquitto(pki, GW);
  cleanups.push(() => broker.remove());
  await broker.start();
  const got: Msg[] = [];
  const clients: mqtt.MqttClient[] = [];
  const observe = async () => {
    const c = await mqtt.connectAsync(broker.url, {
      ca: readFileSync(pki.ca),
      cert: readFileSync(pki.trust.cert),
      key: readFileSync(pki.trust.key),
      reconnectPeriod: 0,
    });
    cleanups.push(() => c.endAsync(true));
    c.on('error', () => {});
    c.on('message', (_t, p) => got.push(JSON.parse(p.toString()) as Msg));
    await c.subscribeAsync([topics.alert(GW), topics.status(GW)], { qos: 1 });
    clients.unshift(c);
    return c;
  };
  return { pki, broker, got, observe, clients };
}

type Trust = Awaited<ReturnType<typeof trustSide>>;

/** The pendant home, its database in `dbDir`, relayed to `t`'s broker. */
async function homeFile(dir: string, dbDir: string, t: Trust): Promise<string> {
  // No hub here, so no receipts: a message is done at the broker's PUBACK.
  const relay = {
    url: t.broker.url,
    receipts: false,
    ca: t.pki.ca,
    cert: t.pki.gateway.cert,
    key: t.pki.gateway.key,
  };
  return pendantHomeFile(dir, { gateway: GW, resident: 'r-disk', port: await freePort(), relay, dbDir });
}

async function runHome(file: string, wrap: string[] = []) {
  const gw = startHearth(['run', '--config', file], { HEARTH_TEST_Z2M: Z2M }, wrap);
  cleanups.push(async () => {
    if (gw.child.exitCode === null) gw.child.kill('SIGKILL');
    await gw.exited;
  });
  await gw.waitFor(/gateway running/);
  const port = Number(/port: (\d+)/.exec(readFileSync(file, 'utf8'))?.[1]);
  const z2m = await mqtt.connectAsync({ host: '127.0.0.1', port, username: 'z2m', password: Z2M });
  cleanups.push(() => z2m.endAsync(true));
  const press = () => z2m.publishAsync('zigbee2mqtt/pendant', JSON.stringify({ action: 'single' }));
  const stop = async () => {
    gw.child.kill('SIGTERM');
    return (await gw.exited).code;
  };
  return { gw, z2m, press, stop, pid: gw.child.pid as number };
}

async function scene(dir: string) {
  const wrap = fiuRun();
  const t = await trustSide();
  const trust = await t.observe();
  const got = t.got;
  const file = await homeFile(dir, dir, t);
  const { gw, z2m } = await runHome(file, wrap);
  const states = (id: string) => got.filter((m) => m.alert_id === id).map((m) => m.state);
  let n = 0;
  /** A press, the care team's ack and the resident moving: raised, acknowledged, resolved. */
  const callAndAnswer = async (): Promise<string> => {
    const before = got.length;
    await z2m.publishAsync('zigbee2mqtt/pendant', JSON.stringify({ action: 'single' }));
    await until('the alert raised at the trust', () => got.slice(before).some((m) => m.state === 'raised'));
    const id = String(got.slice(before).find((m) => m.state === 'raised')?.alert_id);
    await trust.publishAsync(
      topics.command(GW, 'ack'),
      JSON.stringify({ v: 1, id: `ack-${++n}`, alert_id: id, by: 'Sam' }),
      { qos: 1 },
    );
    await until('the acknowledgement at the trust', () => states(id).includes('acknowledged'));
    await z2m.publishAsync('zigbee2mqtt/hall_motion', JSON.stringify({ occupancy: true }));
    await until('the alert resolved at the trust', () => states(id).includes('resolved'));
    await z2m.publishAsync('zigbee2mqtt/hall_motion', JSON.stringify({ occupancy: false }));
    return id;
  };
  const status = async () => JSON.parse((await runHearth(['status', '--config', file, '--json'])).output);
  return {
    gw,
    file,
    db: join(dir, 'hearth.db'),
    callAndAnswer,
    states,
    status,
    got,
    pid: gw.child.pid as number,
  };
}

describe('a full or failing disk', () => {
  for (const fault of [
    { name: 'ENOSPC on every write', point: 'posix/io/rw/pwrite', errno: ENOSPC, code: /SQLITE_FULL/ },
    { name: 'EIO on every fsync', point: 'posix/io/sync/fsync', errno: EIO, code: /SQLITE_IOERR/ },
  ])
    it(`${fault.name}: alerts still reach the trust, the status says storage is failing, and it recovers without a restart`, async () => {
      const s = await scene(tempDir());
      const first = await s.callAndAnswer();
      expect(s.states(first)).toEqual(['raised', 'acknowledged', 'resolved']);

      fiuEnable(s.pid, fault.point, fault.errno);
      const during: string[] = [];
      for (let i = 0; i < 3; i++) during.push(await s.callAndAnswer());
      for (const id of during) expect(s.states(id)).toEqual(['raised', 'acknowledged', 'resolved']);
      await s.gw.waitFor(new RegExp(`storage failing \\(${fault.code.source}`));
      const failing = await s.status();
      expect(failing.report.storage.failing).toMatch(fault.code);
      expect(failing.report.storage.failing).toMatch(/readings and \d+ messages held in memory/);
      // The trust is told too, on the gateway's retained status.
      const statuses = () => s.got.filter((m) => m.type === 'status');
      await until('the failing disk in the status at the trust', () =>
        statuses().some((m) => fault.code.test(String(m.storage_fault))),
      );

      fiuDisable(s.pid, fault.point);
      await s.gw.waitFor(/storage recovered: every held write is on disk/);
      expect((await s.status()).report.storage.failing).toBeNull();
      await until('the recovery in the status at the trust', () => statuses().at(-1)?.storage_fault === null);
      const after = await s.callAndAnswer();
      expect(s.states(after)).toEqual(['raised', 'acknowledged', 'resolved']);
      expect(s.gw.child.exitCode).toBeNull();
      expect(s.gw.output()).not.toMatch(/"level":(50|60).*uncaught|FATAL/i);

      s.gw.child.kill('SIGTERM');
      expect((await s.gw.exited).code).toBe(0);
      const db = new Database(s.db, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      // Every reading made while the disk failed was written once it came back, none twice.
      expect(db.prepare("SELECT count(*) FROM events WHERE device = 'pendant'").pluck().get()).toBe(5);
      expect(db.prepare("SELECT count(*) FROM events WHERE device = 'hall-motion'").pluck().get()).toBe(10);
      expect(db.prepare("SELECT count(*) FROM alert_log WHERE state = 'raised'").pluck().get()).toBe(5);
      expect(db.prepare("SELECT count(*) FROM outbox WHERE type = 'alert'").pluck().get()).toBe(0);
      db.close();
    });
});

describe('a disk that is already full', () => {
  it('starts, sends the alert it held and the new ones, says storage is failing, and recovers once there is room', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test mounts a 2 MB tmpfs: run it as root');
    const dir = tempDir();
    const disk = join(dir, 'disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk]);
    cleanups.push(() => execFileSync('umount', ['-l', disk]));
    const t = await trustSide();
    const file = await homeFile(dir, disk, t);

    // The trust is unreachable when the button is pressed: the alert waits in the outbox on disk.
    await t.broker.kill();
    let home = await runHome(file);
    await home.press();
    await home.gw.waitFor(/The help button \(pendant\) was pressed/);
    expect(await home.stop()).toBe(0);

    // The card fills up while the gateway is down.
    const filler = join(disk, 'filler');
    const fd = openSync(filler, 'w');
    for (const size of [65_536, 4_096, 512, 1]) {
      try {
        for (;;) writeSync(fd, Buffer.alloc(size, 1));
      } catch (err) {
        expect((err as { code?: string }).code).toBe('ENOSPC');
      }
    }
    closeSync(fd);

    await t.broker.start();
    await t.observe();
    home = await runHome(file);
    await until('the held alert at the trust', () => t.got.some((m) => m.state === 'raised'));
    const first = t.got.find((m) => m.state === 'raised')?.alert_id;
    await home.gw.waitFor(/storage failing \(SQLITE_FULL/);
    const failing = JSON.parse((await runHearth(['status', '--config', file, '--json'])).output);
    expect(failing.report.storage.failing).toMatch(/SQLITE_FULL/);

    // The care team's acknowledgement and the resident moving: new messages, sent from memory.
    const trust = t.clients[0];
    await trust?.publishAsync(
      topics.command(GW, 'ack'),
      JSON.stringify({ v: 1, id: 'ack-full', alert_id: first, by: 'Sam' }),
      { qos: 1 },
    );
    await until('the acknowledgement at the trust', () => t.got.some((m) => m.state === 'acknowledged'));
    await home.z2m.publishAsync('zigbee2mqtt/hall_motion', JSON.stringify({ occupancy: true }));
    await until('the alert resolved at the trust', () => t.got.some((m) => m.state === 'resolved'));

    rmSync(filler);
    await home.gw.waitFor(/storage recovered: every held write is on disk/);
    expect(home.gw.child.exitCode).toBeNull();
    expect(await home.stop()).toBe(0);
    const db = new Database(join(disk, 'hearth.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("SELECT count(*) FROM outbox WHERE type = 'alert'").pluck().get()).toBe(0);
    expect(db.prepare("SELECT count(*) FROM events WHERE device = 'hall-motion'").pluck().get()).toBe(1);
    db.close();
  });
});
