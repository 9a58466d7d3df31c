// A call closed at the hub reaches a real home: `hearth run` with a help pendant, relayed through
// a real Mosquitto to a real hub. The pendant is pressed; the operator closes the call with an
// outcome before anyone acknowledged it; the home takes the ack and the close the hub sends, keeps
// the outcome in its own words, and confirms; the hub stores the closure once. A call
// acknowledged first and closed later reaches the home as well.

import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledge } from '../cloud-relay/hub/ack.ts';
import { closeCall, closuresOf } from '../cloud-relay/hub/calls.ts';
import { alertHistory } from '../cloud-relay/hub/queries.ts';
import { DEFAULT_OUTCOMES } from '../config/calls-schema.ts';
import { eventually, type TestHub, testHub } from './helpers/hub-rig.ts';
import { makePki, mosquitto } from './helpers/mosquitto.ts';
import { freePort } from './helpers/net.ts';
import { pendantHomeFile, startPendantHome } from './helpers/pendant-home.ts';
import { tempDir } from './helpers/tmp.ts';

const GW = 'gw-close';
const R = 'r-close';
const Z2M = 'z2m-password-for-tests';

const cleanups: (() => unknown)[] = [];
const later = (fn: () => unknown) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

let hub: TestHub;
let press: () => Promise<unknown>;
let z2m: MqttClient;

beforeAll(async () => {
  const dir = tempDir('hearth-calls-home-');
  const pki = makePki(GW);
  later(() => pki.remove());
  const broker = await mosquitto(pki, GW);
  later(() => broker.remove());
  await broker.start();
  hub = await testHub(broker, pki, later, {
    edit: (c) => ({ ...c, homes: { expected: [{ gateway: GW, resident: R }] } }),
  });
  const port = await freePort();
  const relay = { url: broker.url, ca: pki.ca, cert: pki.gateway.cert, key: pki.gateway.key };
  const file = pendantHomeFile(dir, { gateway: GW, resident: R, port, relay, dbDir: dir });
  ({ z2m } = await startPendantHome(file, {
    port,
    env: { HEARTH_TEST_Z2M: Z2M },
    ready: /relay: connected to mqtts:\/\/localhost/,
    cleanup: later,
  }));
  press = () => z2m.publishAsync('zigbee2mqtt/pendant', JSON.stringify({ action: 'single' }), { qos: 1 });
}, 120_000);

describe('a call closed with an outcome, at a real home', () => {
  const d = () => ({
    store: hub.h.store,
    now: () => Date.now(),
    publish: (t: string, p: string) => hub.h.receiver.publish(t, p),
    outcomes: DEFAULT_OUTCOMES.map((o) => ({ ...o })),
  });
  const raisedAlert = (not?: string) =>
    eventually('the help alert at the hub', () =>
      hub.h.store.db
        .selectFrom('alerts')
        .selectAll()
        .where('gateway', '=', GW)
        .where('state', '=', 'raised')
        .$if(not !== undefined, (q) => q.where('alert_id', '!=', not ?? ''))
        .executeTakeFirst(),
    );
  const confirmed = (id: string) =>
    eventually(`the home's answer to ${id}`, () =>
      hub.h.store.db
        .selectFrom('commands')
        .selectAll()
        .where('id', '=', id)
        .where('state', '=', 'confirmed')
        .executeTakeFirst(),
    );
  const historyOnceItHas = (alertId: string, n: number) =>
    eventually(`${n} steps in the history of ${alertId}`, async () => {
      const h = await alertHistory(hub.h.store.db, GW, alertId);
      return h.length >= n ? h : undefined;
    });
  let first = '';

  it('unacknowledged: the home takes the ack and the close, keeps the outcome in its words, confirms both; closed once', async () => {
    await press();
    const raised = await raisedAlert();
    first = raised.alert_id;
    const ref = { gateway: GW, alertId: raised.alert_id };
    const r = await closeCall(d(), { ref, outcome: 'responder_sent', note: 'Warden went.', by: 'anna' });
    expect(r).toEqual({ ok: true, commandId: expect.stringMatching(/^close-/) });
    const close = await confirmed(r.ok ? (r.commandId ?? '') : '');
    expect(close.detail).toBe(`${raised.alert_id} closed by anna: Responder sent`);
    const acked = await eventually('the ack confirmed', () =>
      hub.h.store.db
        .selectFrom('alerts')
        .selectAll()
        .where('alert_id', '=', raised.alert_id)
        .where('ack_confirmed_at', 'is not', null)
        .executeTakeFirst(),
    );
    expect(acked.ack_by).toBe('anna (closed: Responder sent)');
    const history = await historyOnceItHas(raised.alert_id, 3);
    expect(history.map((h) => h.state)).toEqual(['raised', 'acknowledged', 'acknowledged']);
    // The home's own words, written by its rule engine from the ack and the close it took.
    expect(history[1]?.reason).toMatch(/^Acknowledged by anna \(closed: Responder sent\) at \d\d:\d\d\.$/);
    expect(history[2]?.reason).toMatch(/^Closed by anna at \d\d:\d\d: Responder sent\.$/);
    expect((await closuresOf(hub.h.store, [ref])).get(`${GW}/${raised.alert_id}`)).toMatchObject({
      outcome: 'responder_sent',
      note: 'Warden went.',
      staff: 'anna',
    });
    expect(await closeCall(d(), { ref, outcome: 'false_alarm', by: 'ben' })).toMatchObject({
      ok: false,
      status: 409,
    });
  });

  it('acknowledged first, then closed: the home is told of the close and keeps it', async () => {
    // She moves: the first call's alert is over at the home. Then she presses again.
    await z2m.publishAsync('zigbee2mqtt/hall_motion', JSON.stringify({ occupancy: true }), { qos: 1 });
    await historyOnceItHas(first, 4);
    await press();
    const raised = await raisedAlert(first);
    const ack = await acknowledge(d(), { gateway: GW, alertId: raised.alert_id, by: 'ben' });
    expect(ack.ok).toBe(true);
    await confirmed(ack.ok ? ack.commandId : '');
    const ref = { gateway: GW, alertId: raised.alert_id };
    const r = await closeCall(d(), { ref, outcome: 'false_alarm', by: 'anna' });
    expect(r).toEqual({ ok: true, commandId: expect.stringMatching(/^close-/) });
    await confirmed(r.ok ? (r.commandId ?? '') : '');
    const history = await historyOnceItHas(raised.alert_id, 3);
    expect(history.map((h) => [h.state, h.reason.replace(/\d\d:\d\d/, 'hh:mm')])).toEqual([
      ['raised', expect.any(String)],
      ['acknowledged', 'Acknowledged by ben at hh:mm.'],
      ['acknowledged', 'Closed by anna at hh:mm: False alarm.'],
    ]);
    const row = await hub.h.store.db
      .selectFrom('alerts')
      .selectAll()
      .where('alert_id', '=', raised.alert_id)
      .executeTakeFirstOrThrow();
    // Who acknowledged stays who acknowledged.
    expect(row.ack_by).toBe('ben');
  });
});
