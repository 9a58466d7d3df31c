// The hub's store as one contract, run against both backends: the embedded SQLite file and a
// real PostgreSQL. What the care team relies on: each message takes effect once, an alert never
// goes back a state, its history is whole, one summary per resident and day, each supervision
// alert raised once however many instances look, refused messages kept with their reason.
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../cloud-relay/hub/ack.ts';
import { parseIncoming, rejectKey } from '../cloud-relay/hub/incoming.ts';
import { alertHistory, hubAlerts, listAlerts, nights, summaries } from '../cloud-relay/hub/queries.ts';
import type { HubStore } from '../cloud-relay/hub/store.ts';
import { type Pass, startSupervisor, supervisionPass } from '../cloud-relay/hub/supervision-pass.ts';
import { envelope } from '../cloud-relay/protocol/messages.ts';
import { createLogger } from '../core/log.ts';
import { hubBackends, received as receivedAs, SUPERVISION_LIMITS } from './helpers/hub-backends.ts';
import { alert, heartbeat, night, status, summary } from './helpers/hub-messages.ts';

const GW = 'gw-1';
const R = 'r-1';
const T0 = Date.parse('2026-03-02T10:00:00Z');
const MIN = 60_000;

const BACKENDS = hubBackends();
const received = (topic: string, m: object, receivedAt: number, instance = 'hub-a') =>
  receivedAs(topic, m, receivedAt, { instance, heartbeatMs: MIN });
const alertIn = (id: string, state: Parameters<typeof alert>[3], at: number) =>
  received(`hearth/v1/${GW}/alert`, alert(GW, R, id, state, at), at + 1000);

const silentLimits = SUPERVISION_LIMITS;

/** One supervision pass by `instance` at `now`. */
const pass = (s: HubStore, instance: string, now: number) =>
  supervisionPass({
    store: s,
    log: createLogger({ level: 'silent' }),
    now: () => now,
    instance,
    limits: silentLimits,
    commandTimeoutMs: MIN,
  });

describe.each(BACKENDS)('hub store on $name', (backend) => {
  it('drops a repeated message id: its effect happens once', async () => {
    const { store } = await backend.open();
    expect(await store.receive(alertIn('a1', 'raised', T0))).toEqual({
      duplicate: false,
      alert: expect.objectContaining({ moved: true }),
    });
    expect(await store.receive(alertIn('a1', 'raised', T0))).toEqual({ duplicate: true });
    const [a] = await listAlerts(store.db);
    expect(a).toMatchObject({ alert_id: 'a1', state: 'raised' });
    expect(await alertHistory(store.db, GW, 'a1')).toHaveLength(1);
  });

  it('never moves an alert back, and keeps every state in its history', async () => {
    const { store } = await backend.open();
    await store.receive(alertIn('a1', 'raised', T0));
    await store.receive(alertIn('a1', 'acknowledged', T0 + 5 * MIN));
    // Late and out of order: an escalation that was overtaken by the acknowledgement.
    const late = await store.receive(alertIn('a1', 'escalated', T0 + 3 * MIN));
    expect(late).toMatchObject({ alert: { moved: false } });
    expect((await listAlerts(store.db))[0]).toMatchObject({ state: 'acknowledged' });
    await store.receive(alertIn('a1', 'resolved', T0 + 9 * MIN));
    expect((await listAlerts(store.db))[0]).toMatchObject({ state: 'resolved' });
    expect((await listAlerts(store.db, { open: true })).map((a) => a.alert_id)).toEqual([]);
    const states = (await alertHistory(store.db, GW, 'a1')).map((h) => h.state);
    expect(states).toEqual(['raised', 'escalated', 'acknowledged', 'resolved']);
  });

  it('keeps one summary per resident and day, as JSON and as FHIR; a newer one for the day replaces it', async () => {
    const { store } = await backend.open();
    const topic = `hearth/v1/${GW}/summary`;
    await store.receive(received(topic, summary(GW, R, '2026-03-01', T0 - 86_400_000), T0));
    await store.receive(received(topic, summary(GW, R, '2026-03-02', T0), T0));
    await store.receive(received(topic, summary(GW, R, '2026-03-02', T0 + MIN, 'again'), T0 + MIN));
    await store.receive(received(topic, summary(GW, R, '2026-03-02', T0 - MIN, 'older'), T0 + 2 * MIN));
    const rows = await summaries(store.db, R);
    expect(rows.map((r) => [r.date, r.message_id])).toEqual([
      ['2026-03-01', `${GW}-summary-2026-03-01`],
      ['2026-03-02', 'again'],
    ]);
    const fhir = JSON.parse(rows[1]?.fhir ?? '{}');
    expect(fhir).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(fhir.entry.length).toBeGreaterThan(5);
  });

  it('keeps the night sent the morning it ended beside the day summaries, one per resident and morning', async () => {
    const { store } = await backend.open();
    const topic = `hearth/v1/${GW}/night`;
    const first = night(GW, R, '2026-03-02', T0 - 2 * 3_600_000, { wake: null, over: false });
    await store.receive(received(topic, first, T0 - 2 * 3_600_000));
    expect(await store.receive(received(topic, first, T0))).toEqual({ duplicate: true });
    // Sent again (the home restarted and knew more): the newer replaces it; an older one does not.
    const again = night(GW, R, '2026-03-02', T0, { wake: '07:30' });
    await store.receive(received(topic, again, T0 + 1000));
    await store.receive(received(topic, night(GW, R, '2026-03-02', T0 - 3_600_000), T0 + 2000));
    // An older gateway's combined summary is kept as before, beside the nights.
    await store.receive(received(`hearth/v1/${GW}/summary`, summary(GW, R, '2026-03-01', T0), T0));
    const rows = await nights(store.db, R);
    expect(rows.map((r) => [r.date, r.message_id, r.gateway])).toEqual([['2026-03-02', again.id, GW]]);
    expect(JSON.parse(rows[0]?.json ?? '{}')).toMatchObject({
      over: true,
      sleep: { wake: '2026-03-02T07:30:00+00:00' },
    });
    expect((await summaries(store.db, R)).map((r) => r.date)).toEqual(['2026-03-01']);
  });

  it('raises "gateway silent" once however many instances look, and resolves it when the gateway is back', async () => {
    const { store, another } = await backend.open();
    const second = await another();
    await store.expectHomes([{ gateway: GW, resident: R, heartbeatMs: MIN }], T0);
    await store.receive(received(`hearth/v1/${GW}/heartbeat`, heartbeat(GW, R, T0), T0));
    expect((await pass(store, 'a', T0 + 2 * MIN)).raised).toEqual([]);
    const [one, two] = await Promise.all([pass(store, 'a', T0 + 4 * MIN), pass(second, 'b', T0 + 4 * MIN)]);
    expect([...one.raised, ...two.raised]).toHaveLength(1);
    const open = await hubAlerts(store.db, { open: true });
    expect(open).toHaveLength(1);
    // 10:00 UTC is 10:00 in London in March: daytime, so high rather than urgent.
    expect(open[0]).toMatchObject({
      kind: 'gateway_silent',
      severity: 'high',
      reason: expect.stringContaining('silent since 10:00'),
    });
    await store.receive(received(`hearth/v1/${GW}/heartbeat`, heartbeat(GW, R, T0 + 5 * MIN), T0 + 5 * MIN));
    expect((await pass(second, 'b', T0 + 5 * MIN)).resolved).toBe(1);
    expect(await hubAlerts(store.db, { open: true })).toEqual([]);
  });

  it('keeps each daily test call (sent, stored, acknowledged, confirmed), and raises "daily test missing" once when none completes in time', async () => {
    const { store, another } = await backend.open();
    const second = await another();
    const alertId = `${GW}-test-2026-03-02`;
    const call = { ...alert(GW, R, alertId, 'raised', T0), rule: 'test', severity: 'info' };
    await store.receive(received(`hearth/v1/${GW}/alert`, call, T0 + 1000));
    const acked = await acknowledge(
      { store, now: () => T0 + 2000, publish: async () => {} },
      { alertId, by: 'hub' },
    );
    expect(acked.ok).toBe(true);
    const commandId = acked.ok ? acked.commandId : '';
    const result = {
      ...envelope({
        type: 'cmd_result',
        id: `${commandId}:result`,
        gateway: GW,
        resident: R,
        at: '2026-03-02T10:00:03Z',
      }),
      command_id: commandId,
      command: 'ack',
      ok: true,
      detail: 'confirmed',
    };
    await store.receive(received(`hearth/v1/${GW}/cmd-result`, result, T0 + 3000));
    expect(await store.db.selectFrom('test_calls').selectAll().execute()).toEqual([
      {
        gateway: GW,
        alert_id: alertId,
        resident: R,
        sent_at: call.at,
        sent_at_ms: T0,
        stored_at: T0 + 1000,
        acked_at: T0 + 2000,
        acked_by: 'hub',
        confirmed_at: T0 + 3000,
      },
    ]);
    const missing = async () =>
      (await hubAlerts(store.db, { open: true })).filter((a) => a.kind === 'test_missing');
    await pass(store, 'a', T0 + 25 * 60 * MIN);
    expect(await missing()).toEqual([]);
    await Promise.all([pass(store, 'a', T0 + 27 * 60 * MIN), pass(second, 'b', T0 + 27 * 60 * MIN)]);
    expect(await missing()).toEqual([
      expect.objectContaining({
        gateway: GW,
        severity: 'high',
        reason: expect.stringContaining('Daily test call missing'),
      }),
    ]);
  });

  it('takes a last will (status offline) as silence at once, urgent at night, told to the pages at once; the will is not the home heard', async () => {
    const { store } = await backend.open();
    const night = Date.parse('2026-03-03T02:10:00Z');
    await store.receive(received(`hearth/v1/${GW}/heartbeat`, heartbeat(GW, R, night), night));
    // The broker publishes the will ten minutes on, when the connection is found dead.
    await store.receive(
      received(`hearth/v1/${GW}/status`, status(GW, R, 'offline', night), night + 10 * MIN),
    );
    const row = await store.db
      .selectFrom('homes')
      .selectAll()
      .where('gateway', '=', GW)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'offline', status_at: night + 10 * MIN, last_seen_at: night });
    const log = createLogger({ level: 'silent' });
    const told: Pass[] = [];
    const supervisor = startSupervisor(
      {
        store,
        log,
        now: () => night + 10 * MIN + 1000,
        instance: 'a',
        limits: silentLimits,
        commandTimeoutMs: MIN,
        onChange: (p) => told.push(p),
      },
      2 ** 31 - 1,
    );
    await supervisor.runNow();
    await supervisor.stop();
    expect(told).toEqual([expect.objectContaining({ raised: [expect.stringContaining('gateway_silent/')] })]);
    expect(await hubAlerts(store.db, { open: true })).toEqual([
      expect.objectContaining({
        kind: 'gateway_silent',
        severity: 'urgent',
        reason: expect.stringContaining('silent since 02:10'),
      }),
    ]);
  });

  it('keeps what heartbeats and statuses say of a home: queue depth and its growth, status, version, clock', async () => {
    const { store } = await backend.open();
    const hb = (i: number, depth: number) =>
      store.receive(
        received(`hearth/v1/${GW}/heartbeat`, heartbeat(GW, R, T0 + i * MIN, depth), T0 + i * MIN),
      );
    const home = () =>
      store.db.selectFrom('homes').selectAll().where('gateway', '=', GW).executeTakeFirstOrThrow();
    await hb(0, 0);
    await hb(1, 2);
    await hb(2, 5);
    await hb(3, 9);
    expect(await home()).toMatchObject({ queue_depth: 9, queue_growth: 3, last_heartbeat_at: T0 + 3 * MIN });
    await hb(4, 9);
    expect(await home()).toMatchObject({ queue_depth: 9, queue_growth: 0 });
    // A status sent 2 minutes after its stamp says nothing of the clock (it may have waited in a
    // queue); only heartbeats do.
    const at = T0 + 5 * MIN;
    await store.receive(
      received(
        `hearth/v1/${GW}/status`,
        status(GW, R, 'online', at, { queue_depth: 4, storage_fault: 'disk_full' }),
        at + 2 * MIN,
      ),
    );
    expect(await home()).toMatchObject({
      status: 'online',
      status_at: at + 2 * MIN,
      hearth_version: '0.1.0',
      queue_depth: 4,
      queue_growth: 0,
      storage_fault: 'disk_full',
      last_heartbeat_at: T0 + 4 * MIN,
      last_seen_at: at + 2 * MIN,
      clock_skew_ms: 0,
    });
    // A heartbeat stamped 2 minutes before it arrives: the home's clock is 2 minutes behind.
    await store.receive(
      received(`hearth/v1/${GW}/heartbeat`, heartbeat(GW, R, T0 + 6 * MIN, 0), T0 + 8 * MIN),
    );
    expect(await home()).toMatchObject({ clock_skew_ms: -2 * MIN });
  });

  it('keeps a refused message once, with its reason', async () => {
    const { store } = await backend.open();
    const payload = Buffer.from('{"v":1,"type":"alert"}');
    const bad = parseIncoming(`hearth/v1/${GW}/alert`, payload);
    expect(bad.ok).toBe(false);
    const row = {
      key: rejectKey(`hearth/v1/${GW}/alert`, payload),
      topic: `hearth/v1/${GW}/alert`,
      gateway: GW,
      payload: payload.toString(),
      reason: bad.ok ? '' : bad.reason,
      receivedAt: T0,
      instance: 'a',
    };
    expect(await store.reject(row)).toBe(true);
    expect(await store.reject({ ...row, instance: 'b' })).toBe(false);
    const rows = await store.db.selectFrom('rejected').selectAll().execute();
    expect(rows).toEqual([
      expect.objectContaining({ gateway: GW, reason: expect.stringContaining('not a valid alert message') }),
    ]);
  });

  it('migrates once: a second instance finds the schema up to date', async () => {
    const { another } = await backend.open();
    const s = await another();
    expect(await s.migrate()).toEqual([]);
  });

  it('two instances storing the same messages at once: each takes effect exactly once', async () => {
    const { store, another } = await backend.open();
    const second = await another();
    const msgs = Array.from({ length: 60 }, (_, i) =>
      alertIn(
        `a${i % 20}`,
        (['raised', 'acknowledged', 'resolved'] as const)[Math.floor(i / 20)] ?? 'raised',
        T0 + i * MIN,
      ),
    );
    const results = await Promise.all([
      Promise.all(msgs.map((m) => store.receive(m))),
      Promise.all(msgs.map((m) => second.receive({ ...m, instance: 'hub-b' }))),
    ]);
    const effects = results.flat().filter((r) => !r.duplicate);
    expect(effects).toHaveLength(60);
    const alerts = await listAlerts(store.db);
    expect(alerts).toHaveLength(20);
    expect(alerts.every((a) => a.state === 'resolved')).toBe(true);
  });
});
