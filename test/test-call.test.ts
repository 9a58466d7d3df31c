import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { homeRows, homesContent } from '../cloud-relay/hub/console/pages/homes.ts';
import { type Hub, startHub } from '../cloud-relay/hub/hub.ts';
import { homes, hubAlerts, listAlerts } from '../cloud-relay/hub/queries.ts';
import { testCallSummaries } from '../cloud-relay/hub/test-calls.ts';
import type { Config } from '../config/schema.ts';
import { SimClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import type { OutputEvent } from '../firmware-bridge/driver.ts';
import { render } from '../gateway/cli/status.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { statusReport } from '../gateway/status-report.ts';
import { eventually } from './helpers/hub-rig.ts';
import { linkedHomeConfig, linkedHubConfig } from './helpers/linked-home.ts';
import { tempDir } from './helpers/tmp.ts';
import { trustRig } from './helpers/trust-rig.ts';
import { until } from './helpers/until.ts';

const GW = 'gw-test-call';
const R = 'r-test-call';
const T0 = Date.parse('2026-03-02T10:29:00Z'); // 10:29 in London (GMT in March)
const MIN = 60_000;
const HOUR = 60 * MIN;

const rig = trustRig(GW, { postgres: false });
const HOME = { gateway: GW, resident: R };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

let instances = 0;
async function hubAt(dir: string, clock: SimClock, ack: 'hub' | 'operator'): Promise<Hub> {
  const { config, file } = linkedHubConfig(dir, rig, HOME, {
    database: { dir: join(dir, 'hub-data') },
    test_calls: { ack },
  });
  const h = await startHub({
    config,
    configFile: file,
    instance: `test-call-${++instances}`,
    now: () => clock.now(),
    log: createLogger({ level: 'silent' }),
    supervisionTimer: false,
  });
  cleanups.push(() => h.stop());
  return h;
}

type Home = Gateway & { outputs: OutputEvent[]; config: Config; stop: () => Promise<void> };

async function homeAt(dir: string, clock: SimClock): Promise<Home> {
  const config = await linkedHomeConfig(dir, rig, HOME, {
    schedules: { test_call: '10:30', test_call_ack_within: '15m' },
  });
  const gw = await startGateway({
    config,
    log: createLogger({ level: 'silent' }),
    clock,
    bluetoothSysfs: dir,
  });
  const outputs: OutputEvent[] = [];
  gw.bus.on('output', (o) => outputs.push(o));
  const stopGateway = gw.stop;
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= stopGateway();
    return stopping;
  };
  cleanups.push(stop);
  return Object.assign(gw, { outputs, stop, config });
}

/** What `hearth status` and the local status say of the home. */
const reportOf = (gw: Home, dir: string, clock: SimClock) =>
  statusReport({
    reader: gw.store.status,
    path: join(dir, 'hearth.db'),
    config: gw.config,
    zone: gw.engine.zone,
    now: clock.now(),
  });

const testCalls = (h: Hub) => h.store.db.selectFrom('test_calls').selectAll().execute();
const homeRecord = (gw: Gateway) => JSON.parse(gw.store.meta.get('test_call') ?? 'null');

describe('the daily test call', () => {
  it('completes for a live home at its time: acknowledged by the hub, confirmed by the home, recorded at both ends; a missing one raises the hub alert', async () => {
    const dir = tempDir('hearth-test-call-');
    const clock = new SimClock(T0);
    const h = await hubAt(dir, clock, 'hub');
    const gw = await homeAt(dir, clock);
    await until('the home connected', () => gw.relay?.connected === true);
    expect(await testCalls(h)).toEqual([]);

    clock.advanceTo(Date.parse('2026-03-02T10:30:00Z'));
    const alertId = `${GW}-test-2026-03-02`;
    const rows = await eventually('the test call confirmed at the hub', async () => {
      const r = await testCalls(h);
      return r[0]?.confirmed_at != null && r;
    });
    const sent = Date.parse('2026-03-02T10:30:00Z');
    expect(rows).toEqual([
      {
        gateway: GW,
        alert_id: alertId,
        resident: R,
        sent_at: '2026-03-02T10:30:00+00:00',
        sent_at_ms: sent,
        stored_at: sent,
        acked_at: sent,
        acked_by: 'hub',
        confirmed_at: sent,
      },
    ]);
    // The home recorded it, and closed it at the trust; it is nobody's emergency there.
    expect(homeRecord(gw)).toEqual({ alert_id: alertId, sent_at: sent, acked_at: sent, acked_by: 'hub' });
    const alert = await eventually('the test call resolved at the hub', async () =>
      (await listAlerts(h.store.db)).find((a) => a.alert_id === alertId && a.state === 'resolved'),
    );
    expect(alert).toMatchObject({ rule: 'test', severity: 'info', state: 'resolved', ack_by: 'hub' });
    expect(reportOf(gw, dir, clock).test_call).toMatchObject({
      alert_id: alertId,
      acked_by: 'hub',
      fault: null,
    });

    // The homes page shows the last good test.
    const summaries = await testCallSummaries(h.store.db);
    const page = homesContent(
      homeRows(await homes(h.store.db), [], new Map(), summaries),
      1,
      clock.now(),
      'Europe/London',
    ).toString();
    expect(page).toMatch(/<td data-test="ok">[^<]*10:30<\/td>/);

    // The home stops; a day and more later, no test call: the hub raises "daily test missing".
    await gw.stop();
    clock.advance(26 * HOUR);
    await h.supervise();
    const missing = (await hubAlerts(h.store.db, { open: true })).filter((a) => a.kind === 'test_missing');
    expect(missing).toEqual([
      expect.objectContaining({
        gateway: GW,
        severity: 'high',
        reason: expect.stringContaining(`Daily test call missing from gateway ${GW} (resident ${R})`),
      }),
    ]);
    const after = homesContent(
      homeRows(await homes(h.store.db), await hubAlerts(h.store.db, { open: true }), new Map(), summaries),
      1,
      clock.now(),
      'Europe/London',
    ).toString();
    expect(after).toMatch(/data-test="missing"/);
  });

  it('left to an operator: unacknowledged in time is a fault in the home, cleared when an operator acknowledges', async () => {
    const dir = tempDir('hearth-test-call-');
    const clock = new SimClock(T0);
    const h = await hubAt(dir, clock, 'operator');
    const gw = await homeAt(dir, clock);
    await until('the home connected', () => gw.relay?.connected === true);
    clock.advanceTo(Date.parse('2026-03-02T10:30:00Z'));
    const alertId = `${GW}-test-2026-03-02`;
    const rows = await eventually('the test call stored', async () => {
      const r = await testCalls(h);
      return r.length > 0 && r;
    });
    expect(rows).toEqual([
      expect.objectContaining({ alert_id: alertId, acked_at: null, confirmed_at: null }),
    ]);
    // The hub's receipt first: a home still waiting for it would show link-down for that too.
    await until('the receipt at the home', () => gw.store.outbox.receipts().awaiting === 0);
    // Nobody acknowledges it within 15 minutes: the home says so on site.
    clock.advance(15 * MIN);
    expect(gw.outputs.map((o) => o.pattern)).toContain('link-down');
    expect(homeRecord(gw)).toMatchObject({ alert_id: alertId, acked_at: null });
    const report = reportOf(gw, dir, clock);
    expect(report.test_call?.fault).toMatch(/has not been acknowledged by the trust/);
    expect(render({ running: true, note: null, sources: [], delivery: null, report })).toMatch(
      /test call {4}\S+ sent 2026-03-02 10:30 NOT ACKNOWLEDGED \(the daily test call sent 15 min ago/,
    );
    const r = await h.ack({ alertId, by: 'nurse-jo' });
    expect(r).toMatchObject({ ok: true, gateway: GW });
    await until('the home confirmed', () => homeRecord(gw)?.acked_by === 'nurse-jo');
    // The confirmation is itself a message to the trust: link-ok once the hub's receipt is back.
    await until('the home shows the link well', () => gw.outputs.at(-1)?.pattern === 'link-ok');
    const done = await eventually('the test call confirmed at the hub', async () => {
      const r = await testCalls(h);
      return r[0]?.confirmed_at != null && r[0];
    });
    expect(done).toMatchObject({ acked_by: 'nurse-jo', confirmed_at: clock.now() });
  });
});
