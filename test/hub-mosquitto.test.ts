// The hub against a real Mosquitto, as a trust runs it (mutual TLS, an ACL per user): a home's
// messages arrive in the database, a bad payload is refused and kept, a message whose commit
// failed is not acknowledged and comes again, and the ack goes round: recorded, sent on the
// home's command topic, pending until the home says acknowledged; and a care mode goes the same way.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startConsole } from '../cloud-relay/hub/console/app.ts';
import type { Hub } from '../cloud-relay/hub/hub.ts';
import { startHub } from '../cloud-relay/hub/hub.ts';
import { listAlerts, summaries } from '../cloud-relay/hub/queries.ts';
import { type HubConfigInput, hubConfigSchema } from '../config/hub-schema.ts';
import { createLogger } from '../core/log.ts';
import { runHearth } from './helpers/cli.ts';
import { alert, heartbeat, status, summary } from './helpers/hub-messages.ts';
import { type Mosquitto, makePki, mosquitto, type Pki } from './helpers/mosquitto.ts';
import { signedAs } from './helpers/signed.ts';
import { tempDir } from './helpers/tmp.ts';
import { until } from './helpers/until.ts';

const GW = 'gw-hub';
const R = 'r-hub';
const T0 = Date.parse('2026-03-02T10:00:00Z');

let pki: Pki;
let broker: Mosquitto;
beforeAll(async () => {
  pki = makePki(GW);
  broker = await mosquitto(pki, GW);
  await broker.start();
});
afterAll(async () => {
  await broker?.remove();
  pki?.remove();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function hubFile(dir: string, extra: Partial<HubConfigInput> = {}) {
  const input: HubConfigInput = {
    version: 1,
    hub: { instance: 'test', timezone: 'Europe/London' },
    broker: { url: broker.url, ca: pki.ca, cert: pki.trust.cert, key: pki.trust.key },
    database: { dir: join(dir, 'db') },
    web: { host: '127.0.0.1', port: 0 },
    homes: { expected: [{ gateway: GW, resident: R }] },
    ...extra,
  };
  const file = join(dir, 'hub.yaml');
  writeFileSync(file, JSON.stringify(input));
  return { config: hubConfigSchema.parse(input), file };
}

// Each test its own instance name: a persistent session left by one test would feed the next.
let instances = 0;
async function hub(dir: string, instance = `t${++instances}`, patch?: (h: Hub) => void): Promise<Hub> {
  const { config, file } = hubFile(dir);
  const h = await startHub({
    config,
    configFile: file,
    instance,
    log: createLogger({ level: 'silent' }),
    supervisionTimer: false,
    web: startConsole,
  });
  patch?.(h);
  cleanups.push(() => h.stop());
  return h;
}

/** The home: a plain mqtt.js client with the gateway's certificate, as the relay would connect. */
async function home(
  url = broker.url,
): Promise<MqttClient & { got: { topic: string; json: Record<string, unknown> }[] }> {
  const c = mqtt.connect(url, {
    clientId: `home-${GW}-${Date.now()}`,
    ca: readFileSync(pki.ca),
    cert: readFileSync(pki.gateway.cert),
    key: readFileSync(pki.gateway.key),
    protocolVersion: 5,
    reconnectPeriod: 200,
  });
  const got: { topic: string; json: Record<string, unknown> }[] = [];
  c.on('message', (topic, payload) => got.push({ topic, json: JSON.parse(payload.toString()) }));
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  cleanups.push(() => new Promise<void>((r) => c.end(true, {}, () => r())));
  return Object.assign(c, { got });
}

// Signed as the gateway signs what it sends (its certificate's key), or the hub refuses it.
const signed = (topic: string, payload: string) => signedAs(pki.gateway)(topic, payload);
const publishSigned = (c: MqttClient, topic: string, payload: string) =>
  c.publishAsync(topic, payload, signed(topic, payload));
const send = (c: MqttClient, leaf: string, m: object) =>
  publishSigned(c, `hearth/v1/${GW}/${leaf}`, JSON.stringify(m));

describe('hub with a real Mosquitto', () => {
  it("stores a home's alerts, summary, status and heartbeat; drops repeats; refuses and keeps a bad payload", async () => {
    const dir = tempDir('hearth-hub-');
    const h = await hub(dir);
    const gw = await home();
    await send(gw, 'status', status(GW, R, 'online', T0));
    await send(gw, 'heartbeat', heartbeat(GW, R, T0, 3));
    await send(gw, 'alert', alert(GW, R, 'a1', 'raised', T0));
    await send(gw, 'alert', alert(GW, R, 'a1', 'raised', T0)); // a retry: same id
    await send(gw, 'summary', summary(GW, R, '2026-03-01', T0));
    await publishSigned(gw, `hearth/v1/${GW}/alert`, '{"v":1,"type":"alert","id":"x"}');
    await publishSigned(gw, `hearth/v1/${GW}/heartbeat`, 'not json');
    await until('every message handled', () => h.receiver.counters.handled >= 7);
    expect(h.receiver.counters).toMatchObject({ stored: 4, duplicates: 1, rejected: 2 });
    expect((await listAlerts(h.store.db)).map((a) => [a.alert_id, a.state])).toEqual([['a1', 'raised']]);
    expect((await summaries(h.store.db, R)).map((s) => s.date)).toEqual(['2026-03-01']);
    const homeRow = await h.store.db
      .selectFrom('homes')
      .selectAll()
      .where('gateway', '=', GW)
      .executeTakeFirstOrThrow();
    expect(homeRow).toMatchObject({ status: 'online', queue_depth: 3, hearth_version: '0.1.0' });
    const rejected = await h.store.db
      .selectFrom('rejected')
      .select(['reason', 'gateway'])
      .orderBy('reason')
      .execute();
    expect(rejected).toEqual([
      { gateway: GW, reason: expect.stringContaining('not a valid alert message') },
      { gateway: GW, reason: 'payload is not JSON' },
    ]);
  });

  it('starts while its broker is down, serves, and connects and receives once the broker is up', async () => {
    const dir = tempDir('hearth-hub-');
    const down = await mosquitto(pki, GW); // made, not started: nothing listens on its port yet
    cleanups.push(() => down.remove());
    const input = JSON.parse(readFileSync(hubFile(dir).file, 'utf8')) as HubConfigInput;
    const config = hubConfigSchema.parse({ ...input, broker: { ...input.broker, url: down.url } });
    const h = await startHub({
      config,
      configFile: join(dir, 'hub.yaml'),
      instance: `t${++instances}`,
      log: createLogger({ level: 'silent' }),
      supervisionTimer: false,
      web: startConsole,
    });
    cleanups.push(() => h.stop());
    expect(h.receiver.connected).toBe(false);
    await down.start();
    await until('connected', () => h.receiver.connected, 10_000);
    const gw = await home(down.url);
    await send(gw, 'alert', alert(GW, R, 'late', 'raised', T0));
    await until('the alert stored', () => h.receiver.counters.stored >= 1);
  });

  it('refuses a message naming another resident than the hub file lists for the gateway', async () => {
    const dir = tempDir('hearth-hub-');
    const h = await hub(dir);
    const gw = await home();
    await send(gw, 'alert', { ...alert(GW, 'r-someone-else', 'a1', 'raised', T0) });
    await until('the message handled', () => h.receiver.counters.handled >= 1);
    expect(h.receiver.counters.rejected).toBe(1);
    expect(await listAlerts(h.store.db)).toEqual([]);
  });

  it('does not acknowledge a message it could not commit: it comes again to the restarted hub', async () => {
    const dir = tempDir('hearth-hub-');
    // The database refuses every write: the PUBACK must not leave.
    const first = await hub(dir, 'pubacktest', (h) => {
      h.store.receiveBatch = async () => {
        throw Object.assign(new Error('database is down'), { code: 'ECONNREFUSED' });
      };
    });
    const gw = await home();
    await send(gw, 'alert', alert(GW, R, 'a9', 'raised', T0));
    await until('the failed commit', () => first.receiver.counters.dbErrors >= 1);
    await first.stop();
    expect(await listAlerts(first.store.db).catch(() => [])).toEqual([]);
    const second = await hub(dir, 'pubacktest');
    await until('the message delivered again', () => second.receiver.counters.stored >= 1);
    expect((await listAlerts(second.store.db)).map((a) => a.alert_id)).toEqual(['a9']);
  });

  it('refuses only the message the database refuses; the rest of its batch is stored', async () => {
    const dir = tempDir('hearth-hub-');
    // Three alerts wait for the hub together, so that they come in one batch.
    const before = await hub(dir, 'poisontest');
    await before.stop();
    const gw = await home();
    for (const id of ['ok-1', 'poison', 'ok-2']) await send(gw, 'alert', alert(GW, R, id, 'raised', T0));
    const batches: number[] = [];
    const h = await hub(dir, 'poisontest', (x) => {
      const receive = x.store.receiveBatch.bind(x.store);
      // The database refuses any transaction holding the poison (as PostgreSQL refuses a value).
      x.store.receiveBatch = async (batch) => {
        batches.push(batch.length);
        if (batch.some((r) => r.incoming.type === 'alert' && r.incoming.msg.alert_id === 'poison'))
          throw Object.assign(new Error('invalid input syntax'), { code: '22P02' });
        return receive(batch);
      };
    });
    await until('all three handled', () => h.receiver.counters.handled >= 3);
    expect(batches[0]).toBe(3);
    expect((await listAlerts(h.store.db)).map((a) => a.alert_id).sort()).toEqual(['ok-1', 'ok-2']);
    const rejected = await h.store.db.selectFrom('rejected').select(['reason']).execute();
    expect(rejected).toEqual([
      { reason: expect.stringContaining('the store refused it: invalid input syntax') },
    ]);
  });

  it("acknowledges: the command reaches the home's topic, pending until the home says acknowledged", async () => {
    const dir = tempDir('hearth-hub-');
    const h = await hub(dir);
    const gw = await home();
    await gw.subscribeAsync(`hearth/v1/${GW}/cmd/#`, { qos: 1 });
    await send(gw, 'alert', alert(GW, R, 'a2', 'raised', T0));
    await until('the alert stored', () => h.receiver.counters.stored >= 1);
    const r = await h.ack({ alertId: 'a2', by: 'nurse-jo' });
    expect(r).toMatchObject({ ok: true, gateway: GW });
    await until('the ack command at the home', () => gw.got.length > 0);
    const cmd = gw.got[0];
    expect(cmd?.topic).toBe(`hearth/v1/${GW}/cmd/ack`);
    expect(cmd?.json).toMatchObject({ v: 1, alert_id: 'a2', by: 'nurse-jo', id: r.ok ? r.commandId : '' });
    expect((await listAlerts(h.store.db))[0]).toMatchObject({ ack_by: 'nurse-jo', ack_pending: true });
    await send(gw, 'alert', alert(GW, R, 'a2', 'acknowledged', T0 + 60_000));
    await until('the acknowledgement stored', () => h.receiver.counters.stored >= 2);
    expect((await listAlerts(h.store.db))[0]).toMatchObject({ state: 'acknowledged', ack_pending: false });
  });

  it('flags an ack command the home never confirms', async () => {
    const dir = tempDir('hearth-hub-');
    let now = T0;
    const { config, file } = hubFile(dir);
    const h = await startHub({
      config,
      configFile: file,
      instance: `t${++instances}`,
      log: createLogger({ level: 'silent' }),
      supervisionTimer: false,
      web: startConsole,
      now: () => now,
    });
    cleanups.push(() => h.stop());
    const gw = await home();
    await send(gw, 'alert', alert(GW, R, 'a3', 'raised', T0));
    await until('the alert stored', () => h.receiver.counters.stored >= 1);
    const sent = await h.ack({ alertId: 'a3', by: 'nurse-jo' });
    now = T0 + 30_000;
    expect((await h.supervise()).flagged).toBe(0);
    now = T0 + 61_000;
    expect((await h.supervise()).flagged).toBe(1);
    const flagged = await h.store.db
      .selectFrom('hub_alerts')
      .selectAll()
      .where('kind', '=', 'command_unconfirmed')
      .execute();
    expect(flagged).toEqual([
      expect.objectContaining({ gateway: GW, reason: expect.stringContaining('alert a3') }),
    ]);
    // The home's answer comes late: the command is settled and the flag resolved.
    await send(gw, 'cmd-result', {
      v: 1,
      id: `${GW}-result-1`,
      type: 'cmd_result',
      gateway: GW,
      resident: R,
      at: new Date(T0 + 62_000).toISOString(),
      command_id: sent.ok ? sent.commandId : '',
      command: 'ack',
      ok: true,
      detail: 'acknowledged',
    });
    await until('the result stored', () => h.receiver.counters.stored >= 2);
    expect(await h.store.db.selectFrom('hub_alerts').select('resolved_at').execute()).toEqual([
      { resolved_at: T0 + 61_000 },
    ]);
    expect((await listAlerts(h.store.db))[0]).toMatchObject({ ack_pending: false });
  });

  it("sends a care mode to a home named by its resident: recorded, on the home's cmd/mode topic, settled by its answer", async () => {
    const dir = tempDir('hearth-hub-');
    let now = T0;
    const { config, file } = hubFile(dir);
    const h = await startHub({
      config,
      configFile: file,
      instance: `t${++instances}`,
      log: createLogger({ level: 'silent' }),
      supervisionTimer: false,
      now: () => now,
    });
    cleanups.push(() => h.stop());
    const gw = await home();
    await gw.subscribeAsync(`hearth/v1/${GW}/cmd/#`, { qos: 1 });
    const end = '2026-03-02T18:00:00+00:00';
    const r = await h.mode({ home: R, mode: 'visitor', until: end, by: 'nurse-jo' });
    expect(r).toMatchObject({ ok: true, gateway: GW });
    await until('the mode command at the home', () => gw.got.length > 0);
    expect(gw.got[0]).toMatchObject({
      topic: `hearth/v1/${GW}/cmd/mode`,
      json: { v: 1, mode: 'visitor', until: end, by: 'nurse-jo', id: r.ok ? r.commandId : '' },
    });
    const sent = () => h.store.db.selectFrom('commands').select(['name', 'by', 'state']).execute();
    expect(await sent()).toEqual([{ name: 'mode', by: 'nurse-jo', state: 'sent' }]);
    await send(gw, 'cmd-result', {
      v: 1,
      id: `${GW}-result-mode`,
      type: 'cmd_result',
      gateway: GW,
      resident: R,
      at: new Date(T0 + 1_000).toISOString(),
      command_id: r.ok ? r.commandId : '',
      command: 'mode',
      ok: true,
      detail: 'visitor mode until 18:00 (2026-03-02T18:00:00+00:00)',
    });
    await until('the result stored', () => h.receiver.counters.stored >= 1);
    expect(await sent()).toEqual([{ name: 'mode', by: 'nurse-jo', state: 'confirmed' }]);
    // What the home would refuse is refused here first, and nothing is sent.
    now = T0;
    for (const [ask, reason] of [
      [{ mode: 'visitor', until: '2026-03-02T09:00:00+00:00' }, /is not ahead/],
      [
        { mode: 'paused', until: '2026-03-20T09:00:00+00:00' },
        /too far: paused mode may be set for 7 days at most/,
      ],
      [{ mode: 'holiday', until: end }, /not a valid mode: mode: /],
      [{ mode: 'away' }, /away mode needs an until/],
    ] as const)
      expect(await h.mode({ home: GW, by: 'nurse-jo', ...ask })).toMatchObject({
        ok: false,
        status: 400,
        reason,
      });
    expect(await h.mode({ home: 'r-nobody', mode: 'off', by: 'nurse-jo' })).toMatchObject({
      ok: false,
      status: 404,
    });
    expect(await sent()).toHaveLength(1);
  });

  it('hearth hub mode: sends the mode to the home, or refuses with a reason', async () => {
    const dir = tempDir('hearth-hub-');
    await hub(dir);
    const gw = await home();
    await gw.subscribeAsync(`hearth/v1/${GW}/cmd/#`, { qos: 1 });
    const hubMode = (...args: string[]) =>
      runHearth(['hub', 'mode', ...args, '--config', join(dir, 'hub.yaml')]);
    const r = await hubMode(GW, 'away', '--for', '3d', '--by', 'nurse-sam');
    expect(r.output).toMatch(
      /^away mode until \S+ by nurse-sam sent to gw-hub as command mode-\S+; pending until the home confirms$/m,
    );
    expect(r.code).toBe(0);
    await until('the mode command at the home', () => gw.got.length > 0);
    expect(gw.got[0]?.json).toMatchObject({ mode: 'away', by: 'nurse-sam' });
    expect(await hubMode(GW, 'paused', '--for', '8d', '--by', 'nurse-sam')).toMatchObject({
      code: 2,
      output: expect.stringMatching(/^hearth hub mode: until .+ is too far/m),
    });
    expect(await hubMode(GW, 'visitor', '--by', 'nurse-sam')).toMatchObject({
      code: 2,
      output: expect.stringMatching(/^hearth hub mode: visitor needs --until/m),
    });
  });

  it('hearth hub ack: records the ack and sends it to the home', async () => {
    const dir = tempDir('hearth-hub-');
    const h = await hub(dir);
    const gw = await home();
    await gw.subscribeAsync(`hearth/v1/${GW}/cmd/#`, { qos: 1 });
    await send(gw, 'alert', alert(GW, R, 'a4', 'raised', T0));
    await until('the alert stored', () => h.receiver.counters.stored >= 1);
    const r = await runHearth(['hub', 'ack', 'a4', '--by', 'nurse-sam', '--config', join(dir, 'hub.yaml')]);
    expect(r.output).toContain('pending until the home confirms');
    expect(r.code).toBe(0);
    await until('the ack command at the home', () => gw.got.length > 0);
    expect(gw.got[0]?.json).toMatchObject({ alert_id: 'a4', by: 'nurse-sam' });
    expect((await listAlerts(h.store.db))[0]).toMatchObject({ ack_by: 'nurse-sam', ack_pending: true });
    const missing = await runHearth([
      'hub',
      'ack',
      'no-such-alert',
      '--by',
      'nurse-sam',
      '--config',
      join(dir, 'hub.yaml'),
    ]);
    expect(missing).toMatchObject({ code: 2, output: expect.stringContaining('no alert no-such-alert') });
  });
});
