// A call closed at the hub reaches a real home: `hearth run` with a help pendant, relayed through
// a real Mosquitto to a real hub. The pendant is pressed; the operator closes the call with an
// outcome before anyone acknowledged it; the home takes the ack the close sends, keeps the
// outcome in its own sentence, and confirms; the hub stores the closure once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  const { z2m } = await startPendantHome(file, {
    port,
    env: { HEARTH_TEST_Z2M: Z2M },
    ready: /relay: connected to mqtts:\/\/localhost/,
    cleanup: later,
  });
  press = () => z2m.publishAsync('zigbee2mqtt/pendant', JSON.stringify({ action: 'single' }), { qos: 1 });
}, 120_000);

describe('a call closed with an outcome, at a real home', () => {
  it('is acknowledged by the home with the outcome in its sentence, confirmed, and closed once at the hub', async () => {
    await press();
    const raised = await eventually('the help alert at the hub', () =>
      hub.h.store.db.selectFrom('alerts').selectAll().where('gateway', '=', GW).executeTakeFirst(),
    );
    expect(raised.state).toBe('raised');
    const d = {
      store: hub.h.store,
      now: () => Date.now(),
      publish: (t: string, p: string) => hub.h.receiver.publish(t, p),
      outcomes: DEFAULT_OUTCOMES.map((o) => ({ ...o })),
    };
    const ref = { gateway: GW, alertId: raised.alert_id };
    const r = await closeCall(d, { ref, outcome: 'responder_sent', note: 'Warden went.', by: 'anna' });
    expect(r).toEqual({ ok: true, commandId: expect.stringMatching(/^ack-/) });

    const acked = await eventually('the home confirming', () =>
      hub.h.store.db
        .selectFrom('alerts')
        .selectAll()
        .where('gateway', '=', GW)
        .where('state', '=', 'acknowledged')
        .where('ack_confirmed_at', 'is not', null)
        .executeTakeFirst(),
    );
    expect(acked.ack_by).toBe('anna (closed: Responder sent)');
    const history = await alertHistory(hub.h.store.db, GW, raised.alert_id);
    expect(history.map((h) => h.state)).toEqual(['raised', 'acknowledged']);
    // The home's own words, written by its rule engine from the ack it took.
    expect(history[1]?.reason).toMatch(/^Acknowledged by anna \(closed: Responder sent\) at \d\d:\d\d\.$/);
    const command = await hub.h.store.db
      .selectFrom('commands')
      .selectAll()
      .where('id', '=', r.ok ? (r.commandId ?? '') : '')
      .executeTakeFirstOrThrow();
    expect(command.state).not.toBe('sent');
    expect((await closuresOf(hub.h.store, [ref])).get(`${GW}/${raised.alert_id}`)).toMatchObject({
      outcome: 'responder_sent',
      note: 'Warden went.',
      staff: 'anna',
    });
    expect(await closeCall(d, { ref, outcome: 'false_alarm', by: 'ben' })).toMatchObject({
      ok: false,
      status: 409,
    });
  });
});
