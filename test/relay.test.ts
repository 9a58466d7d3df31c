// The relay's logic against an in-process aedes broker playing the trust (interop and faults
// against a real Mosquitto are in relay-mosquitto.test.ts).

import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../cloud-relay/uplink/command-table.ts';
import { parseCommand } from '../cloud-relay/uplink/commands.ts';
import { PUSH_QUEUE, Pusher, pushRowFor } from '../cloud-relay/uplink/push.ts';
import { type DeliveryState, Relay } from '../cloud-relay/uplink/relay.ts';
import { RealClock, SimClock } from '../core/clock.ts';
import { Counters } from '../core/counters.ts';
import { createLogger } from '../core/log.ts';
import { Zone } from '../core/zone.ts';
import { startGateway } from '../gateway/main.ts';
import { Store } from '../gateway/store/store.ts';
import { freePort } from './helpers/net.ts';
import { homeConfig } from './helpers/simulate.ts';
import { tempDir } from './helpers/tmp.ts';
import { trustBroker, trustObserver } from './helpers/trust-broker.ts';
import { until } from './helpers/until.ts';

const log = createLogger({ level: 'silent' });
const closers: (() => Promise<void> | void)[] = [];
const relays: Relay[] = [];
afterEach(async () => {
  // Relays first: a trust broker closing waits for clients that would otherwise keep coming back.
  for (const r of relays.splice(0)) await r.stop();
  for (const c of closers.splice(0).reverse()) await c();
});

async function observer(port: number) {
  const obs = await trustObserver(port);
  closers.push(() => obs.client.endAsync());
  return obs;
}

function gatewayStore(port: number) {
  const base = homeConfig('help_button: {}');
  const config = { ...base, gateway: { ...base.gateway, id: 'gw-relay' }, relay: parseRelay(port) };
  const store = Store.open(join(tempDir(), 'h.db'));
  closers.push(() => store.close());
  return { config, store };
}

function parseRelay(port: number) {
  return {
    url: `mqtt://127.0.0.1:${port}`,
    queue: { max_rows: 500_000, max_bytes: 268_435_456 },
    summary_format: 'json' as const,
    alert_undelivered_after: 120_000,
    receipts: false,
    alert_unconfirmed_after: 600_000,
  };
}

const alertRow = (i: number, state: string) => ({
  id: `gw-relay-a${i}:${state}`,
  topic: 'hearth/v1/gw-relay/alert',
  type: 'alert',
  payload: JSON.stringify({ v: 1, id: `gw-relay-a${i}:${state}`, alert_id: `a${i}`, state }),
  created_at: Date.now(),
});

function relayFor(
  config: ReturnType<typeof gatewayStore>['config'],
  store: Store,
  extra: Partial<ConstructorParameters<typeof Relay>[0]> = {},
) {
  const relay = new Relay({
    config,
    outbox: store.outbox,
    commandLog: store.commands,
    clock: new RealClock(),
    zone: new Zone('Europe/London'),
    log,
    counters: new Counters(),
    version: 'test',
    commands: { ack: (id) => ({ ok: id === 'a1', detail: id === 'a1' ? 'acknowledged' : 'no such alert' }) },
    ...extra,
  });
  relays.push(relay);
  return relay;
}

describe('relay', () => {
  it('drains the outbox in order and removes each row only after its PUBACK', async () => {
    const port = await freePort();
    const t = await trustBroker(port);
    closers.push(t.close);
    const obs = await observer(port);
    const { config, store } = gatewayStore(port);
    for (let i = 0; i < 500; i++)
      for (const s of ['raised', 'acknowledged', 'resolved']) store.outbox.add(alertRow(i, s));
    const relay = relayFor(config, store);
    relay.start();
    await until('the condition', () => obs.got.filter((g) => g.topic.endsWith('/alert')).length === 1500);
    await until('the condition', () => store.outbox.depth() === 0);
    const ids = obs.got.filter((g) => g.topic.endsWith('/alert')).map((g) => g.msg.id);
    expect(ids).toEqual(
      Array.from({ length: 500 }, (_, i) =>
        ['raised', 'acknowledged', 'resolved'].map((s) => `gw-relay-a${i}:${s}`),
      ).flat(),
    );
    const status = obs.got.find((g) => g.topic === 'hearth/v1/gw-relay/status');
    expect(status?.msg).toMatchObject({
      v: 1,
      type: 'status',
      state: 'online',
      gateway: 'gw-relay',
      versions: { hearth: 'test', protocol: 1 },
    });
  });

  it('keeps what the broker never acknowledged, and sends it when the link is back', async () => {
    const port = await freePort();
    const { config, store } = gatewayStore(port);
    for (let i = 0; i < 20; i++) store.outbox.add(alertRow(i, 'raised'));
    const states: DeliveryState[] = [];
    const relay = relayFor(config, store, {
      limits: { undeliveredAfterMs: 0, watchEveryMs: 50, reconnectCapMs: 300 },
      onDelivery: (s) => states.push(s),
    });
    relay.start();
    await until('the condition', () => states.length === 1);
    expect(states[0]).toMatchObject({ undelivered: true });
    expect(states[0]?.reason).toMatch(/refused the connection|ECONNREFUSED/);
    expect(store.outbox.depth()).toBe(20);
    const t = await trustBroker(port);
    closers.push(t.close);
    await until('the condition', () => store.outbox.depth() === 0, 20_000);
    await until('the condition', () => states.length === 2);
    expect(states[1]).toMatchObject({ undelivered: false });
  });

  it('answers commands once per id, and refuses bad ones with a reason', async () => {
    const port = await freePort();
    const t = await trustBroker(port);
    closers.push(t.close);
    const obs = await observer(port);
    const { config, store } = gatewayStore(port);
    const relay = relayFor(config, store);
    relay.start();
    await until('the condition', () => relay.connected);
    await until('the condition', () => obs.got.some((g) => g.topic.endsWith('/status')));
    const send = (name: string, body: string) =>
      obs.client.publishAsync(`hearth/v1/gw-relay/cmd/${name}`, body, { qos: 1 });
    await send('ack', '{"v":1,"id":"c1","alert_id":"a1","by":"Sam"}');
    await send('ack', '{"v":1,"id":"c1","alert_id":"a1","by":"Sam"}');
    await send('ack', '{"v":1,"id":"c2","by":"Sam"}');
    await send('reboot', '{"v":1,"id":"c3"}');
    await send('ping', 'not json');
    await send('ping', '{"v":1,"id":"c4"}');
    await until('the condition', () => obs.got.filter((g) => g.topic.endsWith('/cmd-result')).length >= 5);
    const results = obs.got
      .filter((g) => g.topic.endsWith('/cmd-result'))
      .map((g) => [g.msg.command_id, g.msg.ok, g.msg.detail]);
    expect(results).toEqual([
      ['c1', true, 'acknowledged'],
      ['c1', true, 'acknowledged'],
      ['c2', false, 'alert_id: Invalid input: expected string, received undefined'],
      ['c3', false, 'unknown command "reboot"; known: ack, close, request-summary, ping, mode'],
      ['c4', true, 'pong'],
    ]);
    expect(new Set(obs.got.filter((g) => g.msg.command_id === 'c1').map((g) => g.msg.id)).size).toBe(1);
  });
});

describe('bounded queue', () => {
  it('drops heartbeats first, then the oldest summaries, never alerts', () => {
    const store = Store.open(join(tempDir(), 'h.db'));
    closers.push(() => store.close());
    const row = (type: string, i: number) => ({
      id: `${type}-${i}`,
      topic: `t/${type}`,
      type,
      payload: 'x'.repeat(100),
      created_at: i,
    });
    for (let i = 0; i < 50; i++) {
      store.outbox.add(row('alert', i));
      store.outbox.add(row('heartbeat', i));
      store.outbox.add(row('summary', i));
    }
    expect(store.outbox.enforceLimit(90, 1e9)).toEqual({ heartbeat: 50, summary: 10 });
    const left = store.outbox.peek(1000);
    expect(left.filter((r) => r.type === 'alert')).toHaveLength(50);
    expect(left.filter((r) => r.type === 'summary').map((r) => r.id)[0]).toBe('summary-10');
    expect(store.outbox.enforceLimit(10, 1e9)).toEqual({ summary: 40 });
    expect(store.outbox.depth()).toBe(50);
  });
});

describe('commands', () => {
  it('never throws, whatever the bytes', () => {
    for (const b of [
      Buffer.from([0xff, 0x00]),
      Buffer.from('[]'),
      Buffer.from('{"v":2,"id":"x"}'),
      Buffer.from('null'),
    ])
      expect(parseCommand('gw', 'hearth/v1/gw/cmd/ping', b).ok).toBe(false);
    expect(
      parseCommand(
        'gw',
        'hearth/v1/gw/cmd/request-summary',
        Buffer.from('{"v":1,"id":"r","date":"2026-03-02"}'),
      ),
    ).toMatchObject({ ok: true });
  });

  it('refuses a close that is not one, naming the problem', () => {
    const close = (body: object) =>
      parseCommand('gw', 'hearth/v1/gw/cmd/close', Buffer.from(JSON.stringify({ v: 1, id: 'k', ...body })));
    expect(close({ alert_id: 'a', by: 'anna', outcome: 'Responder sent' })).toMatchObject({
      ok: true,
      command: { name: 'close', alert_id: 'a', by: 'anna', outcome: 'Responder sent' },
    });
    const refusals = [
      { alert_id: 'a', by: 'anna' },
      { alert_id: 'a', by: 'anna', outcome: '' },
      { alert_id: 'a', by: 'anna', outcome: 'x'.repeat(129) },
      { alert_id: 'a', by: 'anna', outcome: 7 },
      { alert_id: 'a', by: 'anna', outcome: 'Responder sent', note: 'a field no home knows' },
    ].map((b) => close(b));
    expect(refusals.map((r) => (r.ok ? 'taken' : r.reason))).toEqual([
      'outcome: Invalid input: expected string, received undefined',
      'outcome: Too small: expected string to have >=1 characters',
      'outcome: Too big: expected string to have <=128 characters',
      'outcome: Invalid input: expected string, received number',
      'payload: Unrecognized key: "note"',
    ]);
    // The command table without a close (a home that cannot keep one) answers so, by name.
    const parsed = close({ alert_id: 'a', by: 'anna', outcome: 'False alarm' });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(runCommand(parsed.command, { ack: () => ({ ok: true, detail: '' }) })).toEqual({
      ok: false,
      detail: 'closing a call is not available in this version',
    });
  });
});

describe('push to carers', () => {
  const alert = {
    v: 1 as const,
    id: 'a:raised',
    type: 'alert' as const,
    gateway: 'gw',
    resident: 'r',
    at: '2026-03-02T10:00:00+00:00',
    alert_id: 'a',
    rule: 'help_button',
    state: 'raised' as const,
    severity: 'urgent' as const,
    reason: 'The help button (pendant) was pressed at 10:00.',
  };
  it('queues urgent raised and escalated alerts only', () => {
    const push = { url: 'https://ntfy.example/care', severity: 'urgent' as const };
    expect(pushRowFor(alert, push, 0)).toMatchObject({ id: 'a:raised:push', type: 'push' });
    expect(pushRowFor({ ...alert, severity: 'warning' }, push, 0)).toBeUndefined();
    expect(pushRowFor({ ...alert, state: 'resolved' }, push, 0)).toBeUndefined();
  });
  it('retries until the server takes it, then removes it', async () => {
    let calls = 0;
    const bodies: string[] = [];
    const server = createHttpServer((req, res) => {
      let b = '';
      req.on('data', (d) => (b += d));
      req.on('end', () => {
        calls++;
        bodies.push(`${req.headers.authorization} ${req.headers.priority} ${b}`);
        res.statusCode = calls < 3 ? 503 : 200;
        res.end();
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    process.env.HEARTH_TEST_PUSH_TOKEN = 'tk_test';
    const store = Store.open(join(tempDir(), 'h.db'));
    closers.push(() => store.close());
    const push = {
      url: `http://127.0.0.1:${port}/care`,
      token: '${env:HEARTH_TEST_PUSH_TOKEN}',
      severity: 'urgent' as const,
    };
    const queue = store.outbox.queue(PUSH_QUEUE);
    queue.add(pushRowFor(alert, push, 0) as never);
    const p = new Pusher({ push, queue, clock: new RealClock(), log, counters: new Counters() });
    closers.push(() => p.stop());
    p.kick();
    await until('the condition', () => store.outbox.depth() === 0, 15_000);
    expect(calls).toBe(3);
    expect(bodies[2]).toBe('Bearer tk_test 5 The help button (pendant) was pressed at 10:00.');
  });
});

describe('push to carers, in a running gateway', () => {
  it("queues an urgent alert's push in a queue of its own and posts it; the relay publishes the alert, never the push", async () => {
    const posted: string[] = [];
    const server = createHttpServer((req, res) => {
      let b = '';
      req.on('data', (d) => (b += d));
      req.on('end', () => {
        posted.push(b);
        res.end();
      });
    });
    const httpPort = await freePort();
    await new Promise<void>((r) => server.listen(httpPort, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = await freePort();
    const t = await trustBroker(port);
    closers.push(t.close);
    const published: string[] = [];
    t.broker.on('publish', (packet, client) => client && published.push(packet.topic));
    const { config } = gatewayStore(port);
    const push = { url: `http://127.0.0.1:${httpPort}/care`, severity: 'urgent' as const };
    const gw = await startGateway({
      config: { ...config, relay: { ...config.relay, push } },
      log,
      clock: new RealClock(),
      storePath: join(tempDir(), 'gw.db'),
      bluetoothSysfs: tempDir(),
      listen: [{ host: '127.0.0.1', port: 0 }],
    });
    closers.push(() => gw.stop());
    expect(gw.submit({ device: 'pendant', at: Date.now(), kind: 'button', value: 'single' }).ok).toBe(true);
    await until('the push posted', () => posted.length === 1);
    await until('the alert at the trust', () => published.some((p) => p.endsWith('/alert')));
    await until('every queue empty', () => gw.store.outbox.depth() === 0);
    expect(posted[0]).toMatch(/help button \(pendant\)/);
    expect(published.filter((p) => !p.startsWith('hearth/v1/gw-relay/'))).toEqual([]);
  });
});

describe('a week offline', () => {
  it('delivers a 7-day backlog (alerts, summaries) intact and in order after reconnecting; its stale heartbeats are dropped, not sent', async () => {
    const port = await freePort();
    const { config, store } = gatewayStore(port);
    const start = Date.parse('2026-03-02T00:00:00Z');
    const clock = new SimClock(start);
    const counters = new Counters();
    const relay = relayFor(config, store, { clock, counters, limits: { reconnectCapMs: 60_000 } });
    relay.start();
    // A week with the trust out of reach: heartbeats every minute from the relay itself, and the
    // alerts and summaries the home produced meanwhile, queued as the engine would.
    for (let day = 0; day < 7; day++) {
      for (let h = 0; h < 24; h++) {
        clock.advance(3_600_000);
        if (h % 6 === 3)
          for (const s of ['raised', 'acknowledged', 'resolved'])
            store.outbox.add({ ...alertRow(day * 24 + h, s), created_at: clock.now() });
      }
      store.outbox.add({
        id: `summary-${day}`,
        topic: 'hearth/v1/gw-relay/summary',
        type: 'summary',
        payload: JSON.stringify({ v: 1, id: `summary-${day}`, day }),
        created_at: clock.now(),
      });
    }
    const queued = store.outbox.peek(1_000_000);
    expect(queued.filter((r) => r.type === 'heartbeat').length).toBe(7 * 24 * 60);
    expect(queued.filter((r) => r.type === 'alert').length).toBe(7 * 4 * 3);
    const t = await trustBroker(port);
    closers.push(t.close);
    const obs = await observer(port);
    clock.advance(120_000); // the reconnect backoff runs on the gateway's clock
    for (let i = 0; i < 100 && !relay.connected; i++) {
      clock.advance(60_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    await until('the condition', () => store.outbox.depth() === 0, 60_000);
    const kept = queued.filter((r) => r.type !== 'heartbeat');
    await until(
      'the week at the trust',
      () => obs.got.filter((g) => !g.topic.endsWith('/status')).length >= kept.length,
      10_000,
    );
    // What was queued arrives first, whole and in order, but for heartbeats a week old: the
    // status sent on connecting says the home is alive, and so do the heartbeats that follow.
    const received = obs.got.filter((g) => !g.topic.endsWith('/status'));
    expect(received.filter((g) => g.msg.type !== 'heartbeat').map((g) => JSON.stringify(g.msg))).toEqual(
      kept.map((r) => JSON.stringify(JSON.parse(r.payload))),
    );
    // Only the last minutes' heartbeats go; the week's are counted as dropped.
    expect(received.filter((g) => g.msg.type === 'heartbeat').length).toBeLessThan(200);
    expect(counters.get('relay.stale_heartbeats')).toBeGreaterThan(7 * 24 * 60 - 200);
    await relay.stop();
  });
});
