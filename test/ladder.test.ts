// The escalation ladder in simulated time. Pure: which rungs are due, given the rungs pushed,
// the claims and the time. Then with the hub's store, console and sender on SQLite, and a push
// service and an ntfy server on this machine: an admin sets r-1's ladder (daughter 3 min,
// neighbour 3 min, then the centre); nobody answers the daughter in 3 minutes, so the neighbour
// is told; nobody in 3 more, so the centre; the daughter's late "I'm on my way", from her
// notification, still claims it: the console shows it and the others are told. An alert she
// claims in time goes no further. Time is the test's clock; the hub's timer pass is called.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { putStaff } from '../cloud-relay/hub/console/accounts.ts';
import { buildConsole } from '../cloud-relay/hub/console/app.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { openDb, sqliteTarget } from '../cloud-relay/hub/db.ts';
import { ladderStep, type Rung } from '../cloud-relay/hub/ladder.ts';
import { ladderPass } from '../cloud-relay/hub/ladder-pass.ts';
import { enqueueAlertsPushes, enqueueHubPushes } from '../cloud-relay/hub/push-causes.ts';
import { pushDb, pushTx } from '../cloud-relay/hub/push-tables.ts';
import { HubStore } from '../cloud-relay/hub/store.ts';
import { createLogger } from '../core/log.ts';
import { addStaff, consoleDeps, T0, TEST_COST } from './helpers/console-rig.ts';
import { received } from './helpers/hub-backends.ts';
import { alert } from './helpers/hub-messages.ts';
import { ntfyServer } from './helpers/ntfy-server.ts';
import { decrypt, hubSender, phone, pushService } from './helpers/push-service.ts';
import { tempDir } from './helpers/tmp.ts';

const MIN = 60_000;
const GW = 'gw-1';
const R = 'r-1';
const BASE = 'https://care.example.org';
const PASSWORD = 'correct horse battery';
const log = createLogger({ level: 'silent' });

describe('the ladder, as a pure step', () => {
  const rungs: Rung[] = [
    { kind: 'staff', target: 'daisy', waitMin: 3 },
    { kind: 'staff', target: 'nell', waitMin: 3 },
  ];
  const open = { state: 'raised', severity: 'urgent', ackBy: null };
  const at = (pushed: number[]) => ({
    pushed: pushed.map((rung) => ({ rung, at: T0 + rung * 3 * MIN })),
    claims: 0,
  });

  it('starts at the first rung, climbs one wait at a time, and ends at the centre', () => {
    expect(ladderStep(open, rungs, { pushed: [], claims: 0 }, T0)).toEqual({ push: [0], wakeAt: null });
    expect(ladderStep(open, rungs, at([0]), T0 + 3 * MIN - 1)).toEqual({ push: [], wakeAt: T0 + 3 * MIN });
    expect(ladderStep(open, rungs, at([0]), T0 + 3 * MIN)).toEqual({ push: [1], wakeAt: T0 + 6 * MIN });
    expect(ladderStep(open, rungs, at([0, 1]), T0 + 6 * MIN)).toEqual({ push: [2], wakeAt: null });
    expect(ladderStep(open, rungs, at([0, 1, 2]), T0 + 60 * MIN)).toEqual({ push: [], wakeAt: null });
  });

  it('catches up on every overdue rung at once (a hub that was down), and stops for a claim or an ack', () => {
    expect(ladderStep(open, rungs, at([0]), T0 + 7 * MIN)).toEqual({ push: [1, 2], wakeAt: null });
    expect(ladderStep(open, rungs, { ...at([0]), claims: 1 }, T0 + 7 * MIN).push).toEqual([]);
    expect(ladderStep({ ...open, ackBy: 'olive' }, rungs, at([0]), T0 + 7 * MIN).push).toEqual([]);
    expect(ladderStep({ ...open, state: 'resolved' }, rungs, at([0]), T0 + 7 * MIN).push).toEqual([]);
  });
});

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function world() {
  const clock = { now: T0 };
  const now = () => clock.now;
  const store = new HubStore(openDb(sqliteTarget(join(tempDir('hearth-ladder-'), 'db'))).db, {
    alertsMoved: (t, moved, at) => enqueueAlertsPushes(pushTx(t), moved, at, BASE),
    hubAlertRaised: (t, a, at) => enqueueHubPushes(pushTx(t), a, at, BASE),
  });
  await store.migrate();
  await addStaff(store);
  const ntfy = await ntfyServer();
  const svc = await pushService();
  const db = consoleDb(store.db);
  // Olive (the centre) and Nell (the neighbour) by ntfy; Daisy (the daughter) on her phone; Carl,
  // a carer of r-1 too, is on no rung: with a ladder, only the ladder is told.
  await putStaff(
    db,
    { name: 'olive', role: 'operator', password: PASSWORD, residents: [], pushUrl: `${ntfy.url}/olive` },
    T0,
    { cost: TEST_COST },
  );
  await putStaff(
    db,
    { name: 'nell', role: 'carer', password: PASSWORD, residents: [R], pushUrl: `${ntfy.url}/nell` },
    T0,
    { cost: TEST_COST },
  );
  await putStaff(db, { name: 'daisy', role: 'carer', password: PASSWORD, residents: [R] }, T0, {
    cost: TEST_COST,
  });
  await putStaff(
    db,
    { name: 'carl', role: 'carer', password: PASSWORD, residents: [R], pushUrl: `${ntfy.url}/carl` },
    T0,
    { cost: TEST_COST },
  );
  const daisys = phone();
  const sub = daisys.subscription(`${svc.origin}/push/daisy`);
  await pushDb(store.db)
    .insertInto('push_subscriptions')
    .values({
      id: 'daisy-phone',
      staff: 'daisy',
      endpoint: sub.endpoint,
      p256dh: sub.keys.p256dh,
      auth: sub.keys.auth,
      created: T0,
    })
    .execute();
  const app: FastifyInstance = await buildConsole({ ...consoleDeps(store, now), pushBase: () => BASE });
  const sender = await hubSender(store, now);
  closers.push(
    () => app.close(),
    () => ntfy.close(),
    () => svc.close(),
    () => store.close(),
  );
  const signIn = async (name: string) => {
    const r = await app.inject({
      method: 'POST',
      url: '/signin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ name, password: PASSWORD, next: '/' }).toString(),
    });
    const set = r.headers['set-cookie'];
    return ((Array.isArray(set) ? set[0] : set) ?? '').split(';')[0] ?? '';
  };
  /** The hub's timer pass at `at`, then its sender: who was told, by path. */
  const passAt = async (at: number) => {
    clock.now = at;
    const p = await ladderPass({ store, now, base: () => BASE, log });
    await sender.runNow();
    return p.pushed.map((x) => x.rung);
  };
  return { store, app, ntfy, svc, daisys, clock, signIn, passAt, sender };
}

type World = Awaited<ReturnType<typeof world>>;

async function setLadder(w: World, form: Record<string, string>) {
  const cookie = await w.signIn('ada');
  const page = await w.app.inject({ method: 'GET', url: `/admin/ladders/${R}`, headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return w.app.inject({
    method: 'POST',
    url: `/admin/ladders/${R}`,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
  });
}

const raise = (w: World, id: string) =>
  w.store.receive(received(`hearth/v1/${GW}/alert`, alert(GW, R, id, 'raised', w.clock.now), w.clock.now));

const DAUGHTER_THEN_NEIGHBOUR = { target0: 'daisy', wait0: '3', target1: 'nell', wait1: '3' };

describe('the ladder, in the hub', () => {
  it("climbs from the daughter to the neighbour to the centre; her late I'm on my way still claims it", async () => {
    const w = await world();
    expect((await setLadder(w, DAUGHTER_THEN_NEIGHBOUR)).statusCode).toBe(303);

    await raise(w, 'a1');
    await w.sender.runNow();
    expect(w.svc.got.map((g) => g.path)).toEqual(['/push/daisy']);
    expect(w.ntfy.posted).toEqual([]);

    expect(await w.passAt(T0 + 3 * MIN - 1)).toEqual([]);
    expect(await w.passAt(T0 + 3 * MIN)).toEqual([1]);
    expect(w.ntfy.posted).toEqual([
      expect.objectContaining({
        path: '/nell',
        body: 'No movement seen since 10:42 (3 h 10 m). Nobody has answered for 3 min.',
      }),
    ]);
    expect(await w.passAt(T0 + 6 * MIN - 1)).toEqual([]);
    expect(await w.passAt(T0 + 6 * MIN)).toEqual([2]);
    expect(w.ntfy.posted.map((p) => p.path)).toEqual(['/nell', '/olive']);

    // Daisy, late: "I'm on my way" from the notification on her phone.
    w.clock.now = T0 + 7 * MIN;
    const notice = JSON.parse(decrypt(w.svc.got[0]?.body as Buffer, w.daisys)) as {
      actions: { claim: string };
    };
    const r = await w.app.inject({
      method: 'POST',
      url: '/push/action',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ token: notice.actions.claim }),
    });
    expect(r.statusCode).toBe(200);
    await w.sender.runNow();
    // Those already told hear it on their phones; Carl, never on the ladder, hears nothing.
    expect(w.ntfy.posted.slice(2)).toEqual([
      expect.objectContaining({ path: '/nell', title: 'Hearth r-1: daisy is on the way' }),
      expect.objectContaining({ path: '/olive', title: 'Hearth r-1: daisy is on the way' }),
    ]);
    const queue = await w.app.inject({
      method: 'GET',
      url: '/',
      headers: { cookie: await w.signIn('olive') },
    });
    expect(queue.body).toContain('On the way: <strong>daisy</strong> (since 10:07).');
    expect(await w.passAt(T0 + 60 * MIN)).toEqual([]);
    expect(w.ntfy.posted.map((p) => p.path)).toEqual(['/nell', '/olive', '/nell', '/olive']);
  });

  it('goes no further once the daughter says she is on her way in time', async () => {
    const w = await world();
    await setLadder(w, DAUGHTER_THEN_NEIGHBOUR);
    await raise(w, 'a2');
    await w.sender.runNow();
    w.clock.now = T0 + 2 * MIN;
    const notice = JSON.parse(decrypt(w.svc.got[0]?.body as Buffer, w.daisys)) as {
      actions: { claim: string };
    };
    await w.app.inject({
      method: 'POST',
      url: '/push/action',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ token: notice.actions.claim }),
    });
    expect(await w.passAt(T0 + 3 * MIN)).toEqual([]);
    expect(await w.passAt(T0 + 6 * MIN)).toEqual([]);
    expect(w.ntfy.posted).toEqual([]);
  });

  it('refuses a ladder naming someone who could not answer, and audits both', async () => {
    const w = await world();
    const r = await setLadder(w, { target0: 'ada', wait0: '3', target1: 'nell', wait1: '0' });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('rung 1: ada is not a carer of r-1 nor an operator, so could not answer');
    expect(r.body).toContain('rung 2: the wait must be whole minutes from 1 to 120');
    w.clock.now = T0 + 1;
    await setLadder(w, DAUGHTER_THEN_NEIGHBOUR);
    const audit = await consoleDb(w.store.db)
      .selectFrom('audit')
      .selectAll()
      .where('action', '=', 'ladder')
      .orderBy('at')
      .execute();
    expect(audit.map((a) => [a.outcome, a.detail])).toEqual([
      ['refused', expect.stringContaining('ada is not a carer')],
      ['ok', 'daisy, 3 min → nell, 3 min → the monitoring centre'],
    ]);
  });
});
