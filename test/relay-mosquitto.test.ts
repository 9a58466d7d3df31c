// The relay against a real Mosquitto, as the trust runs it (DESIGN.md sections 5 and 6): TLS with
// client certificates, the certificate's CN as the user, an ACL per user, a persistent session
// for the trust; then the faults a home meets: the broker killed mid-drain, the gateway killed
// mid-drain, the broker down while alerts keep coming, a wrong CA, a missing client certificate.
// Every scenario ends with the same check of what the trust saw (`checkDelivery`).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  alertMessage,
  alertPayload,
  cmdResultMessage,
  heartbeatMessage,
  LOCAL_ONLY_STATES,
  statusMessage,
  topics,
} from '../cloud-relay/protocol/messages.ts';
import type { RelayLimits } from '../cloud-relay/uplink/relay.ts';
import { parseConfigText } from '../config/parse.ts';
import type { Config } from '../config/schema.ts';
import { RealClock } from '../core/clock.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { Zone } from '../core/zone.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { type NewOutboxRow, Store } from '../gateway/store/store.ts';
import { type Running, startHearth } from './helpers/cli.ts';
import { type Mosquitto, makePki, mosquitto, type Pki } from './helpers/mosquitto.ts';
import { freePort } from './helpers/net.ts';
import { tcpProxy } from './helpers/proxy.ts';

const GW = 'gw-relay';
const RESIDENT = 'r-relay';
const zone = new Zone('Europe/London');
const PREFIX = `hearth/v1/${GW}/`;

let pki: Pki;
beforeAll(() => {
  pki = makePki(GW);
});
afterAll(() => pki?.remove());

/** Undone after each test, last first, whatever happened: processes, clients, gateways. */
const cleanups: (() => unknown)[] = [];
const later = (fn: () => unknown) => cleanups.push(fn);
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Polls `probe` until it returns something truthy; fails after `limitMs` saying what it waited for. */
async function until<T>(what: string, probe: () => T, limitMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`waited ${limitMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A temporary folder, removed after the test once everything using it has stopped. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-relay-'));
  later(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// The trust's side: an observer with a persistent session, and the check of what it saw.

type Json = Record<string, unknown>;
type Got = { topic: string; raw: string; json: Json | null; retain: boolean; userId: unknown };

type Trust = {
  client: MqttClient;
  got: Got[];
  /** How many times it has connected (a restarted broker means one more). */
  connects: () => number;
  /** Messages from the gateway, status excepted. */
  mine: () => Got[];
  ids: () => Set<string>;
  command: (name: string, payload: string | Json) => Promise<void>;
};

async function trustObserver(b: Mosquitto): Promise<Trust> {
  const got: Got[] = [];
  let connects = 0;
  const client = mqtt.connect(b.url, {
    clientId: 'trust-observer',
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 3_600 },
    ca: readFileSync(pki.ca),
    cert: readFileSync(pki.trust.cert),
    key: readFileSync(pki.trust.key),
    reconnectPeriod: 100,
    connectTimeout: 5_000,
  });
  later(() => client.endAsync(true));
  client.on('connect', () => connects++);
  // While the broker is down the observer keeps trying; those errors are expected.
  client.on('error', () => {});
  client.on('message', (topic, payload, packet) => {
    const raw = payload.toString('utf8');
    let json: Json | null = null;
    try {
      json = JSON.parse(raw) as Json;
    } catch {}
    got.push({ topic, raw, json, retain: packet.retain, userId: packet.properties?.userProperties?.id });
  });
  await until('the trust observer to connect', () => connects > 0, 10_000);
  // No-local: the observer does not hear its own commands back.
  await client.subscribeAsync('hearth/v1/+/#', { qos: 1, nl: true });
  const mine = () => got.filter((g) => g.topic.startsWith(PREFIX) && g.topic !== topics.status(GW));
  return {
    client,
    got,
    connects: () => connects,
    mine,
    ids: () => new Set(mine().map((g) => String(g.json?.id))),
    command: async (name, payload) => {
      await client.publishAsync(
        topics.command(GW, name),
        typeof payload === 'string' ? payload : JSON.stringify(payload),
        { qos: 1 },
      );
    },
  };
}

/** What the gateway queued, in queue order: the yardstick for what the trust must see. */
type Sent = { id: string; topic: string; alertId?: string; state?: string };

const sentOf = (rows: Pick<NewOutboxRow, 'id' | 'topic' | 'payload'>[]): Sent[] =>
  rows.map((r) => {
    const p = JSON.parse(r.payload) as Json;
    return {
      id: r.id,
      topic: r.topic,
      ...(p.type === 'alert' ? { alertId: String(p.alert_id), state: String(p.state) } : {}),
    };
  });

/** The first place two lists differ, or null. */
function firstDifference(got: string[], want: string[]): string | null {
  for (let i = 0; i < Math.max(got.length, want.length); i++)
    if (got[i] !== want[i])
      return `at ${i}: got ${got[i]}, want ${want[i]} (${got.length} vs ${want.length})`;
  return null;
}

/**
 * The trust's view, whatever the faults: every message queued arrived; first arrivals are in
 * queue order per topic, so every alert's states are in order; a repeat carries an id already
 * seen and the same bytes; no alert state arrives under two ids; pre-alert and cancelled never
 * leave the home. Returns how many repeats there were.
 */
function checkDelivery(trust: Trust, sent: Sent[]): { duplicates: number } {
  const mine = trust.mine();
  expect(mine.filter((g) => g.json === null).map((g) => g.raw)).toEqual([]);
  expect(mine.filter((g) => LOCAL_ONLY_STATES.has(g.json?.state as never)).map((g) => g.json?.id)).toEqual(
    [],
  );
  const first = new Map<string, Got>();
  let duplicates = 0;
  for (const g of mine) {
    const id = String(g.json?.id);
    const seen = first.get(id);
    if (seen) {
      duplicates++;
      expect(g.raw, `repeat of ${id}`).toBe(seen.raw);
    } else first.set(id, g);
  }
  const stateIds = new Map<string, string>();
  for (const g of first.values()) {
    if (g.json?.type !== 'alert') continue;
    const key = `${g.json.alert_id} ${g.json.state}`;
    expect(stateIds.get(key), `${key} arrived under two ids`).toBeUndefined();
    stateIds.set(key, String(g.json.id));
  }
  expect(sent.filter((s) => !first.has(s.id)).map((s) => s.id)).toEqual([]);
  const order = [...first.values()];
  for (const topic of new Set(sent.map((s) => s.topic))) {
    const want = [...new Set(sent.filter((s) => s.topic === topic).map((s) => s.id))];
    const wanted = new Set(want);
    const got = order
      .filter((g) => g.topic === topic && wanted.has(String(g.json?.id)))
      .map((g) => String(g.json?.id));
    expect(firstDifference(got, want), `order on ${topic}`).toBeNull();
  }
  const perAlert = (list: { alertId?: string; state?: string }[]) => {
    const m = new Map<string, string[]>();
    for (const x of list) if (x.alertId) m.set(x.alertId, [...(m.get(x.alertId) ?? []), String(x.state)]);
    return m;
  };
  const arrived = perAlert(
    order
      .filter((g) => g.json?.type === 'alert')
      .map((g) => ({ alertId: String(g.json?.alert_id), state: String(g.json?.state) })),
  );
  for (const [alertId, states] of perAlert(sent)) expect(arrived.get(alertId), alertId).toEqual(states);
  return { duplicates };
}

// ---------------------------------------------------------------------------------------------
// The home's side: a gateway with a help button, in-process or as `hearth run`.

type RelayFiles = { url?: string; ca?: string; cert?: string; key?: string };

async function configObject(dir: string, b: Mosquitto, relay: RelayFiles): Promise<Json> {
  return {
    version: 1,
    gateway: { id: GW, resident: RESIDENT, timezone: 'Europe/London' },
    rooms: ['hall', 'lounge'],
    devices: [
      {
        id: 'pendant',
        source: 'zigbee2mqtt',
        topic: 'z/pendant',
        room: 'hall',
        kind: 'button',
        role: 'help-button',
      },
    ],
    rules: { help_button: {} },
    local_broker: { listen: [{ host: '127.0.0.1', port: await freePort() }] },
    // No hub here, so no receipts: a message is done at the broker's PUBACK, which is what these
    // tests hold the relay to (test/receipts-kill.test.ts runs it with a hub and receipts).
    relay: { url: b.url, receipts: false, ...relay },
    storage: { path: join(dir, 'hearth.db') },
  };
}

const goodRelay = (): RelayFiles => ({ ca: pki.ca, cert: pki.gateway.cert, key: pki.gateway.key });

function parsed(o: Json): Config {
  const r = parseConfigText(JSON.stringify(o));
  if (!r.config) throw new Error(r.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('\n'));
  return r.config;
}

/** A logger writing JSON lines into a string the test reads. */
function captured(): { log: Logger; text: () => string } {
  let text = '';
  const destination = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination }), text: () => text };
}

type Home = Gateway & { logs: () => string; relayed: Sent[]; stopOnce: () => Promise<void> };

async function startHome(
  dir: string,
  b: Mosquitto,
  relay: RelayFiles = goodRelay(),
  relayLimits?: Partial<RelayLimits>,
): Promise<Home> {
  const { log, text } = captured();
  const gw = await startGateway({
    config: parsed(await configObject(dir, b, relay)),
    log,
    clock: new RealClock(),
    bluetoothSysfs: dir,
    ...(relayLimits ? { relayLimits } : {}),
  });
  let stopping: Promise<void> | null = null;
  const stopOnce = () => {
    stopping ??= gw.stop();
    return stopping;
  };
  later(stopOnce);
  const relayed: Sent[] = [];
  gw.bus.on('message', (m) => {
    if (!m.local)
      relayed.push({ id: m.payload.id, topic: m.topic, alertId: m.payload.alert_id, state: m.payload.state });
  });
  return Object.assign(gw, { logs: text, relayed, stopOnce });
}

function press(gw: Gateway, value = 'single'): void {
  const r = gw.submit({ device: 'pendant', at: Date.now(), kind: 'button', value });
  expect(r.ok).toBe(true);
}

/** Rows of the outbox, in queue order (the open group commit included). */
function outbox(store: Store): NewOutboxRow[] {
  store.commit();
  return store.outbox.peek(1_000_000);
}

// ---------------------------------------------------------------------------------------------
// A backlog: many alerts, each raised -> acknowledged -> resolved, interleaved, with heartbeats.

function alertRow(i: number, state: 'raised' | 'acknowledged' | 'resolved', now: number, tag: string) {
  const alertId = `${GW}-help_button-${tag}-${i}`;
  const p = alertPayload({
    v: 1,
    id: `${alertId}:${state}`,
    type: 'alert',
    gateway: GW,
    resident: RESIDENT,
    at: zone.iso(now),
    alert_id: alertId,
    rule: 'help_button',
    state,
    severity: 'urgent',
    device: 'pendant',
    room: 'hall',
    reason: `The help button (pendant) was pressed (${tag} ${i}, ${state}).`,
  });
  return { id: p.id, topic: topics.alert(GW), type: 'alert', payload: JSON.stringify(p), created_at: now };
}

function heartbeatRow(j: number, now: number, tag: string) {
  const p = heartbeatMessage.parse({
    v: 1,
    id: `${GW}-heartbeat-${tag}-${j}`,
    type: 'heartbeat',
    gateway: GW,
    resident: RESIDENT,
    at: zone.iso(now),
    queue_depth: j,
    uptime_s: j,
  });
  return {
    id: p.id,
    topic: topics.heartbeat(GW),
    type: 'heartbeat',
    payload: JSON.stringify(p),
    created_at: now,
  };
}

/** `alerts` alerts (3 rows each) and one heartbeat per 3 alerts, in an order a day might produce. */
function backlog(alerts: number, tag: string, from = 0): NewOutboxRow[] {
  const now = Date.now();
  const rows: NewOutboxRow[] = [];
  for (let i = from; i < from + alerts + 2; i++) {
    if (i < from + alerts) rows.push(alertRow(i, 'raised', now, tag));
    if (i - 1 >= from && i - 1 < from + alerts) rows.push(alertRow(i - 1, 'acknowledged', now, tag));
    if (i - 2 >= from && i - 2 < from + alerts) rows.push(alertRow(i - 2, 'resolved', now, tag));
    if (i < from + alerts && (i - from) % 3 === 0) rows.push(heartbeatRow(i, now, tag));
  }
  return rows;
}

/** Writes rows into a gateway's database while no gateway has it open (it is locked when one has). */
function prefill(dbPath: string, rows: NewOutboxRow[]): void {
  const store = Store.open(dbPath);
  try {
    store.transaction(() => {
      for (const r of rows) store.outbox.add(r);
    });
  } finally {
    store.close();
  }
}

/** What is left in a database no process has open. */
function leftIn(dbPath: string): NewOutboxRow[] {
  const store = Store.open(dbPath);
  try {
    return store.outbox.peek(1_000_000);
  } finally {
    store.close();
  }
}

async function brokerFor(): Promise<Mosquitto> {
  const b = await mosquitto(pki, GW);
  later(() => b.remove());
  await b.start();
  return b;
}

/**
 * A clean stop and start, once the observer has subscribed: Mosquitto writes its persistence file
 * on a clean stop, so from here the trust's session (its subscription, its queue) outlives even a
 * SIGKILL, as on a trust broker that has run for a while.
 */
async function saveTrustSession(b: Mosquitto, trust: Trust): Promise<void> {
  const n = trust.connects();
  await b.stop();
  await b.start();
  await until('the trust observer to reconnect', () => trust.connects() > n, 10_000);
}

/** The fault scenarios wait up to 30 s for delivery; beyond that something is wrong, not slow. */
const FAULT_MS = 45_000;
const BACKLOG_ALERTS = 900; // 2,700 alert rows + 300 heartbeats = 3,000 messages

// ---------------------------------------------------------------------------------------------

describe('relay -> Mosquitto: delivery and commands', () => {
  it('delivers a help-button alert end to end, with the retained status; an ack comes back once', async () => {
    const b = await brokerFor();
    const trust = await trustObserver(b);
    const gw = await startHome(tempDir(), b);
    await until('the relay to connect', () => gw.relay?.connected);

    press(gw);
    const raised = await until('raised at the trust', () =>
      trust.mine().find((g) => g.json?.type === 'alert' && g.json.state === 'raised'),
    );
    expect(raised.topic).toBe(`hearth/v1/${GW}/alert`);
    const alert = alertMessage.parse(raised.json);
    expect(alert).toMatchObject({
      v: 1,
      type: 'alert',
      gateway: GW,
      resident: RESIDENT,
      rule: 'help_button',
      state: 'raised',
      severity: 'urgent',
      device: 'pendant',
      room: 'hall',
    });
    expect(alert.id).toBe(`${alert.alert_id}:raised`);
    expect(alert.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/);
    expect(alert.reason).toMatch(/help button \(pendant\) was pressed at \d\d:\d\d/);
    // MQTT 5: the id rides along as a user property too, for brokers' own dedup rules.
    expect(raised.userId).toBe(alert.id);

    // The status a newcomer finds: retained, online.
    const late = await mqtt.connectAsync(b.url, {
      clientId: 'trust-late',
      ca: readFileSync(pki.ca),
      cert: readFileSync(pki.trust.cert),
      key: readFileSync(pki.trust.key),
      reconnectPeriod: 0,
    });
    later(() => late.endAsync(true));
    const retained = new Promise<{ retain: boolean; json: Json }>((resolve) =>
      late.on('message', (_t, payload, packet) =>
        resolve({ retain: packet.retain, json: JSON.parse(payload.toString()) as Json }),
      ),
    );
    await late.subscribeAsync(topics.status(GW), { qos: 1 });
    const status = await retained;
    expect(status.retain).toBe(true);
    expect(statusMessage.parse(status.json)).toMatchObject({ state: 'online', gateway: GW });

    const ack = { v: 1, id: 'cmd-1', alert_id: alert.alert_id, by: 'Sam' };
    await trust.command('ack', ack);
    const result = (n: number) => () =>
      trust.mine().filter((g) => g.json?.type === 'cmd_result' && g.json.command_id === 'cmd-1').length >= n;
    await until('the ack result', result(1));
    const acked = trust.mine().filter((g) => g.json?.state === 'acknowledged');
    expect(acked).toHaveLength(1);
    expect(acked[0]?.json).toMatchObject({ alert_id: alert.alert_id, acknowledged_by: 'Sam' });
    const first = trust.mine().find((g) => g.json?.type === 'cmd_result');
    expect(cmdResultMessage.parse(first?.json)).toMatchObject({
      id: 'cmd-1:result',
      command_id: 'cmd-1',
      command: 'ack',
      ok: true,
    });

    // The same command again (the trust retrying): the same answer, no second effect. Once the
    // first answer has left the outbox, so that it is sent again rather than merged with it.
    await until('the outbox to empty', () => gw.store.outbox.depth() === 0);
    await trust.command('ack', ack);
    await until('the repeated ack result', result(2));
    const results = trust.mine().filter((g) => g.json?.type === 'cmd_result');
    expect(results.map((g) => g.json?.id)).toEqual(['cmd-1:result', 'cmd-1:result']);
    expect(trust.mine().filter((g) => g.json?.state === 'acknowledged')).toHaveLength(1);
    expect(gw.relayed.map((s) => s.state)).toEqual(['raised', 'acknowledged']);

    const { duplicates } = checkDelivery(trust, gw.relayed);
    expect(duplicates).toBe(1); // the repeated cmd_result, by design
  });

  it('refuses bad commands, answering those that carry an id, and keeps running', async () => {
    const b = await brokerFor();
    const trust = await trustObserver(b);
    const gw = await startHome(tempDir(), b);
    await until('the relay to connect', () => gw.relay?.connected);
    press(gw);
    const raised = await until('raised at the trust', () =>
      trust.mine().find((g) => g.json?.state === 'raised'),
    );

    await trust.command('ack', 'this is not JSON');
    await trust.command('ack', { v: 1, id: 'cmd-no-alert', by: 'Sam' });
    await trust.command('reboot', { v: 1, id: 'cmd-unknown' });
    await trust.command('ack', { v: 1, id: 'cmd-extra', alert_id: raised.json?.alert_id, by: 'Sam', x: 1 });
    await trust.command('ack', { v: 1, id: 'cmd-no-such-alert', alert_id: 'gw-relay-nothing', by: 'Sam' });
    await trust.command('ping', { v: 1, id: 'cmd-ping' });

    const results = await until('every answer, the ping last', () => {
      const r = trust.mine().filter((g) => g.json?.type === 'cmd_result');
      return r.some((g) => g.json?.command_id === 'cmd-ping') ? r : null;
    });
    // Commands arrive in order: the ping's answer came last, so nothing is still on its way.
    expect(
      results.map((g) => [g.json?.command_id, g.json?.command, g.json?.ok, String(g.json?.detail)]),
    ).toEqual([
      ['cmd-no-alert', 'ack', false, expect.stringMatching(/alert_id/)],
      ['cmd-unknown', 'reboot', false, expect.stringMatching(/unknown command "reboot"; known: ack/)],
      ['cmd-extra', 'ack', false, expect.stringMatching(/x|unrecognized/i)],
      ['cmd-no-such-alert', 'ack', false, expect.stringMatching(/no raised or escalated alert/)],
      ['cmd-ping', 'ping', true, 'pong'],
    ]);
    for (const r of results) cmdResultMessage.parse(r.json);
    expect(gw.logs()).toMatch(/relay: command refused: payload is not JSON/);
    expect(gw.relay?.connected).toBe(true);
    expect(gw.counters.get('relay.command_refused')).toBe(4);
    // The alert was not acknowledged by any of them.
    expect(trust.mine().filter((g) => g.json?.state === 'acknowledged')).toEqual([]);
    checkDelivery(trust, gw.relayed);
  });

  it('answers a command the trust sent while the gateway was offline, once it is back', async () => {
    const dir = tempDir();
    const b = await brokerFor();
    const trust = await trustObserver(b);
    const gw = await startHome(dir, b);
    press(gw);
    const raised = await until('raised at the trust', () =>
      trust.mine().find((g) => g.json?.state === 'raised'),
    );
    await gw.stopOnce();
    await until('the offline status', () =>
      trust.got.some((g) => g.topic === topics.status(GW) && g.json?.state === 'offline'),
    );
    // The broker keeps it in the gateway's session (clean: false) until the gateway is back.
    await trust.command('ack', { v: 1, id: 'cmd-while-away', alert_id: raised.json?.alert_id, by: 'Sam' });
    for (let i = 0; i < 20; i++) await trust.command('ping', { v: 1, id: `ping-while-away-${i}` });

    const again = await startHome(dir, b);
    await until('the answers', () => {
      const ids = trust.ids();
      return ids.has('cmd-while-away:result') && ids.has('ping-while-away-19:result');
    });
    for (let i = 0; i < 20; i++)
      expect(trust.ids().has(`ping-while-away-${i}:result`), `ping ${i}`).toBe(true);
    expect(trust.mine().find((g) => g.json?.id === 'cmd-while-away:result')?.json).toMatchObject({
      ok: true,
    });
    expect(trust.mine().filter((g) => g.json?.state === 'acknowledged')).toHaveLength(1);
    checkDelivery(trust, [...gw.relayed, ...again.relayed]);
  });
});

describe('relay -> Mosquitto: faults', () => {
  it(
    'notices a link that answers nothing (a dead router), keeps what it sent, and delivers it once the path is back',
    async () => {
      const dir = tempDir();
      const b = await brokerFor();
      const trust = await trustObserver(b);
      const proxy = await tcpProxy({ host: '127.0.0.1', port: Number(new URL(b.url).port) });
      // Short keep-alive and connect timeout so the test sees in seconds what takes a minute live.
      const gw = await startHome(
        dir,
        b,
        { ...goodRelay(), url: `mqtts://localhost:${proxy.port}` },
        { keepaliveS: 1, connectTimeoutMs: 1_500, reconnectCapMs: 1_000 },
      );
      press(gw);
      const raised = await until('raised at the trust', () =>
        trust.mine().find((g) => g.json?.state === 'raised'),
      );
      await trust.command('ack', { v: 1, id: 'cmd-before', alert_id: raised.json?.alert_id, by: 'Sam' });
      await until('acknowledged at the trust', () =>
        trust.mine().some((g) => g.json?.state === 'acknowledged'),
      );

      proxy.drop(true);
      // The resident is fine (resolves the first call), then presses again: a new call.
      expect(gw.submit({ device: 'pendant', at: Date.now(), kind: 'button', value: 'ok' }).ok).toBe(true);
      press(gw);
      await until('the dead link noticed', () => !gw.relay?.connected, 15_000);
      const held = outbox(gw.store)
        .filter((r) => r.type === 'alert')
        .map((r) => r.id.replace(/^.*:/, ''));
      expect(held).toEqual(['resolved', 'raised']);
      expect(trust.mine().filter((g) => g.json?.state === 'resolved')).toEqual([]);

      proxy.drop(false);
      await until('both delivered once the path is back', () => gw.store.outbox.depth() === 0, 20_000);
      await until('at the trust', () => trust.mine().filter((g) => g.json?.state === 'raised').length === 2);
      expect(trust.mine().filter((g) => g.json?.state === 'resolved')).toHaveLength(1);
      expect(gw.logs()).toMatch(/relay: connection to mqtts:\/\/localhost:\d+ lost; reconnecting/);
      checkDelivery(trust, gw.relayed);
    },
    FAULT_MS,
  );

  it(
    'survives the broker killed (SIGKILL) and restarted mid-drain',
    async () => {
      const dir = tempDir();
      const b = await brokerFor();
      const trust = await trustObserver(b);
      await saveTrustSession(b, trust);
      const rows = backlog(BACKLOG_ALERTS, 'c');
      expect(rows).toHaveLength(3_000);
      prefill(join(dir, 'hearth.db'), rows);
      const sent = sentOf(rows);
      const backlogIds = new Set(rows.map((r) => r.id));
      const arrived = () => [...trust.ids()].filter((id) => backlogIds.has(id)).length;

      const gw = await startHome(dir, b);
      await until('a third of the backlog at the trust', () => arrived() >= 1_000);
      await b.kill();
      const atKill = arrived();
      const leftAtKill = gw.store.outbox.depth();
      const unacked = new Set(outbox(gw.store).map((r) => r.id));
      // Mid-drain indeed: the broker died with part of the backlog still in the home.
      expect(leftAtKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(3_000);
      await until('the relay to notice', () => !gw.relay?.connected);

      await b.start();
      await until('the outbox to empty', () => gw.store.outbox.depth() === 0, 30_000);
      // Whatever is missing after this is lost: say by whom.
      await until('the whole backlog at the trust', () => arrived() === 3_000, 5_000).catch(() => {});
      const ids = trust.ids();
      const lost = rows.filter((r) => !ids.has(r.id)).map((r) => r.id);
      expect(
        lost.filter((id) => unacked.has(id)),
        'not acknowledged by the broker when it died: the relay should have sent them again',
      ).toEqual([]);
      // The relay's promise ends at the PUBACK. Mosquitto acknowledges from memory: what it had
      // acknowledged and not yet got to the subscriber (its socket buffer, reset by the kill) dies
      // with it. Those are counted and printed, not blamed on the relay; the README says so.
      const brokerLost = lost.filter((id) => !unacked.has(id));
      const delivered = new Set([...ids].filter((id) => backlogIds.has(id)));
      const { duplicates } = checkDelivery(
        trust,
        sent.filter((s) => delivered.has(s.id)),
      );
      expect(gw.logs()).toMatch(/relay: connection to mqtts:\/\/localhost:\d+ lost; reconnecting/);
      expect(gw.counters.get('relay.disconnects')).toBeGreaterThanOrEqual(1);
      console.info(
        `broker kill: ${atKill}/3000 at the trust and ${leftAtKill} rows in the outbox at the kill; ${duplicates} repeats; ${brokerLost.length} acknowledged by Mosquitto and lost with it`,
      );
    },
    FAULT_MS,
  );

  it(
    'survives the gateway (hearth run) killed with SIGKILL mid-drain and started again',
    async () => {
      const dir = tempDir();
      const b = await brokerFor();
      const trust = await trustObserver(b);
      const file = join(dir, 'home.json');
      writeFileSync(file, JSON.stringify(await configObject(dir, b, goodRelay())));
      const db = join(dir, 'hearth.db');
      const rows = backlog(BACKLOG_ALERTS, 'd');
      prefill(db, rows);
      const sent = sentOf(rows);
      const backlogIds = new Set(rows.map((r) => r.id));
      const arrived = () => [...trust.ids()].filter((id) => backlogIds.has(id)).length;

      const run = (): Running => {
        const p = startHearth(['run', '--config', file]);
        later(async () => {
          if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
          await p.exited;
        });
        return p;
      };
      const first = run();
      await until('a third of the backlog at the trust', () => arrived() >= 1_000, 20_000);
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      const atKill = arrived();
      // Nobody has the database now: what the killed gateway left is there to see.
      const leftAtKill = leftIn(db).length;
      expect(leftAtKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(3_000);
      // The broker saw it go without a goodbye: its last will says offline.
      await until('the last will', () =>
        trust.got.some((g) => g.topic === topics.status(GW) && g.json?.state === 'offline'),
      );

      const second = run();
      await until('the whole backlog at the trust', () => arrived() === 3_000, 30_000);
      // A ping answered means every PUBACK before it has reached the gateway (one connection, in order).
      await trust.command('ping', { v: 1, id: 'cmd-after-restart' });
      await until('the ping result', () => trust.ids().has('cmd-after-restart:result'));
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
      expect(leftIn(db).filter((r) => backlogIds.has(r.id))).toEqual([]);
      expect(second.output()).toMatch(/relay: connected to mqtts:\/\/localhost/);
      const { duplicates } = checkDelivery(trust, sent);
      console.info(
        `gateway kill: ${atKill}/3000 at the trust and ${leftAtKill} rows in the outbox at the kill; ${duplicates} repeats`,
      );
    },
    FAULT_MS,
  );

  it(
    'delivers, in order, every alert raised while the broker was down',
    async () => {
      const dir = tempDir();
      const b = await brokerFor();
      const trust = await trustObserver(b);
      // A clean stop saves the trust's session: the broker, when back, queues for it at once.
      await b.stop();

      const gw = await startHome(dir, b);
      await until('the relay to find the broker down', () =>
        /relay: cannot reach mqtts:\/\/localhost:\d+: the trust broker refused the connection/.test(
          gw.logs(),
        ),
      );
      press(gw);
      const raised = gw.relayed.find((s) => s.state === 'raised');
      expect(raised?.alertId).toBeDefined();
      expect(gw.engine.ack(String(raised?.alertId), 'Sam')).toBe(true);
      // More alerts keep coming while the broker stays down (two failed attempts: a few seconds).
      let batch = 0;
      do {
        const rows = backlog(20, 'e', batch * 20);
        gw.store.unit(() => {
          for (const r of rows) gw.store.outbox.add(r);
        }, true);
        gw.relay?.kick();
        batch++;
        await pause(100);
      } while (gw.counters.get('relay.connect_failed') < 2);
      const queued = outbox(gw.store);
      expect(queued.length).toBe(2 + batch * 67);
      expect(trust.mine()).toEqual([]);

      await b.start();
      await until('the outbox to empty', () => gw.store.outbox.depth() === 0, 20_000);
      const sent = sentOf(queued);
      await until('everything at the trust', () => sent.every((s) => trust.ids().has(s.id)));
      checkDelivery(trust, sent);
      expect(
        trust
          .mine()
          .filter((g) => g.json?.alert_id === raised?.alertId)
          .map((g) => g.json?.state),
      ).toEqual(['raised', 'acknowledged']);
    },
    FAULT_MS,
  );

  describe('refused connections, each with a reason a technician can act on', () => {
    async function refused(relay: RelayFiles, reason: RegExp, brokerSays: RegExp) {
      const b = await brokerFor();
      const trust = await trustObserver(b);
      const gw = await startHome(tempDir(), b, relay);
      const line = await until('the reason in the log', () =>
        gw
          .logs()
          .split('\n')
          .find((l) => /relay: cannot reach/.test(l)),
      );
      expect(JSON.parse(line).msg).toMatch(reason);
      await b.waitForLog(brokerSays);
      press(gw);
      // It keeps trying, with backoff, and keeps failing; the reason is logged once, not per try.
      await until('a second attempt', () => gw.counters.get('relay.connect_failed') >= 2, 10_000);
      expect(gw.logs().match(/relay: cannot reach/g)).toHaveLength(1);
      expect(gw.store.outbox.depth()).toBe(1);
      expect(gw.relay?.connected).toBe(false);
      expect(gw.counters.get('relay.delivered')).toBe(0);
      expect(b.log()).not.toMatch(new RegExp(`New client connected .* as hearth-${GW}`));
      expect(trust.mine()).toEqual([]);
      expect(trust.got.filter((g) => g.topic === topics.status(GW))).toEqual([]);
    }

    it('a broker certificate from another CA than relay.ca', async () => {
      await refused(
        { ca: pki.otherCa, cert: pki.gateway.cert, key: pki.gateway.key },
        /cannot reach mqtts:\/\/localhost:\d+: the trust broker certificate is (signed by a CA that is not trusted: check relay\.ca|not signed by relay\.ca)/,
        /OpenSSL Error\[0\]: .*(unknown ca|alert bad certificate|unexpected eof)/i,
      );
    });

    it('no client certificate', async () => {
      await refused(
        { ca: pki.ca },
        /cannot reach mqtts:\/\/localhost:\d+: the trust broker wants a client certificate: set relay\.cert and relay\.key/,
        /peer did not return a certificate/,
      );
    });

    it('a client certificate from another CA', async () => {
      await refused(
        { ca: pki.ca, cert: pki.stranger.cert, key: pki.stranger.key },
        /cannot reach mqtts:\/\/localhost:\d+: the trust broker does not trust this gateway's certificate/,
        /certificate verify failed/,
      );
    });
  });
});
