// Web Push from the hub to a phone, through a push service on this machine: the phone (keys the
// test made) subscribes through the console, an urgent alert is stored, the hub's sender encrypts
// the notice to the phone's keys (RFC 8291) and signs for its push service (VAPID, RFC 8292); the
// test decrypts what the push service received and reads the alert and its action tokens. Then
// the tokens, from no session at all: "I'm on my way" claims the alert and the operator's queue
// shows who; "Acknowledge" records the ack and sends the home its command, as the console's
// button does; a token used twice, altered, or out of date is refused. A push service answering
// 410 ends the subscription. Time is the test's clock.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acknowledge } from '../cloud-relay/hub/ack.ts';
import { buildConsole } from '../cloud-relay/hub/console/app.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { openDb, sqliteTarget } from '../cloud-relay/hub/db.ts';
import { enqueueAlertsPushes } from '../cloud-relay/hub/push-causes.ts';
import { pushKeys } from '../cloud-relay/hub/push-keys.ts';
import type { PushSender } from '../cloud-relay/hub/push-sender.ts';
import { pushDb, pushTx } from '../cloud-relay/hub/push-tables.ts';
import { HubStore } from '../cloud-relay/hub/store.ts';
import { createLogger } from '../core/log.ts';
import { addStaff, consoleDeps, T0 } from './helpers/console-rig.ts';
import { received } from './helpers/hub-backends.ts';
import { alert } from './helpers/hub-messages.ts';
import {
  checkVapid,
  decrypt,
  hubSender,
  type Phone,
  phone,
  pushService,
  VAPID_SUBJECT,
} from './helpers/push-service.ts';
import { tempDir } from './helpers/tmp.ts';

const GW = 'gw-1';
const R = 'r-1';
const BASE = 'https://care.example.org';
const PASSWORD = 'correct horse battery';
const _log = createLogger({ level: 'silent' });

type World = {
  app: FastifyInstance;
  store: HubStore;
  sender: PushSender;
  svc: Awaited<ReturnType<typeof pushService>>;
  published: { topic: string; payload: string }[];
  clock: { now: number };
  status: { code: number };
};
let w: World;
const closers: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  const clock = { now: T0 };
  const status = { code: 201 };
  const store = new HubStore(openDb(sqliteTarget(join(tempDir('hearth-web-push-'), 'db'))).db, {
    alertsMoved: (t, moved, at) => enqueueAlertsPushes(pushTx(t), moved, at, BASE),
  });
  await store.migrate();
  await addStaff(store);
  const published: World['published'] = [];
  const now = () => clock.now;
  // The console's acknowledgement, as the hub gives it: recorded, then published to the home.
  const ack = (req: { alertId: string; by: string; gateway?: string }) =>
    acknowledge(
      { store, now, publish: async (topic, payload) => void published.push({ topic, payload }) },
      req,
    );
  const app = await buildConsole({ ...consoleDeps(store, now), ack });
  const svc = await pushService(() => status.code);
  const sender = await hubSender(store, now, { retryMs: [5_000] });
  closers.push(
    () => app.close(),
    () => svc.close(),
    () => store.close(),
  );
  w = { app, store, sender, svc, published, clock, status };
});
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function signIn(name: string) {
  const r = await w.app.inject({
    method: 'POST',
    url: '/signin',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ name, password: PASSWORD, next: '/' }).toString(),
  });
  const set = r.headers['set-cookie'];
  const cookie = ((Array.isArray(set) ? set[0] : set) ?? '').split(';')[0] ?? '';
  const page = await w.app.inject({ method: 'GET', url: '/push', headers: { cookie } });
  const csrf = /data-csrf="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return { cookie, csrf, page };
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  w.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function subscribe(name: string, p: Phone, path = `/push/${name}-phone`) {
  const s = await signIn(name);
  return postJson('/push/subscriptions', p.subscription(`${w.svc.origin}${path}`), {
    cookie: s.cookie,
    'x-csrf-token': s.csrf,
  });
}

const raise = (id: string) =>
  w.store.receive(received(`hearth/v1/${GW}/alert`, alert(GW, R, id, 'raised', w.clock.now), w.clock.now));

type Notice = {
  title: string;
  body: string;
  link: string;
  tag: string;
  urgent: boolean;
  actions: { ack: string; claim: string };
};

describe('Web Push to a phone', () => {
  it('encrypts the alert to the phone with VAPID; the phone reads it; its tokens claim and acknowledge once each', async () => {
    const carls = phone();
    expect((await subscribe('carl', carls)).statusCode).toBe(201);
    await raise('a1');
    expect(await w.sender.runNow()).toEqual({ sent: 1, retried: 0, failed: 0 });

    const [req] = w.svc.got;
    expect(req?.path).toBe('/push/carl-phone');
    expect(req?.headers).toMatchObject({ 'content-encoding': 'aes128gcm', ttl: '3600', urgency: 'high' });
    const vapid = checkVapid(req?.headers.authorization);
    const keys = await pushKeys(consoleDb(w.store.db));
    expect(vapid).toMatchObject({ aud: w.svc.origin, sub: VAPID_SUBJECT, key: keys.vapid.publicKey });
    expect(vapid.exp * 1000).toBeGreaterThan(Date.now());
    const notice = JSON.parse(decrypt(req?.body as Buffer, carls)) as Notice;
    expect(notice).toMatchObject({
      title: 'Hearth r-1: inactivity (lounge)',
      body: 'No movement seen since 10:42 (3 h 10 m).',
      link: `${BASE}/alerts/${GW}/a1`,
      tag: `alert/${GW}/a1`,
      urgent: true,
    });

    // "I'm on my way", from the notification: no cookie, no CSRF token; the token is the authority.
    const claimed = await postJson('/push/action', { token: notice.actions.claim });
    expect([claimed.statusCode, claimed.json()]).toEqual([
      200,
      { done: 'On your way to r-1: your colleagues can see it.' },
    ]);
    const olive = await signIn('olive');
    const queue = await w.app.inject({ method: 'GET', url: '/', headers: { cookie: olive.cookie } });
    expect(queue.body).toMatch(/data-claimed="carl">On the way: <strong>carl<\/strong> \(since 10:00\)\./);
    // Olive, at the console, is going too: its own button, its form's CSRF token.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(queue.body)?.[1] ?? '';
    const going = await w.app.inject({
      method: 'POST',
      url: `/alerts/${GW}/a1/claim`,
      headers: { cookie: olive.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, back: '/' }).toString(),
    });
    expect(going.statusCode).toBe(303);
    const page = await w.app.inject({
      method: 'GET',
      url: `/alerts/${GW}/a1`,
      headers: { cookie: olive.cookie },
    });
    expect(page.body).toContain(
      'On the way: <strong>carl</strong> (since 10:00), <strong>olive</strong> (since 10:00).',
    );
    const again = await postJson('/push/action', { token: notice.actions.claim });
    expect([again.statusCode, again.json()]).toEqual([409, { error: 'this button was used already' }]);

    // Altered: Carl's token made to say "olive" is no longer the hub's.
    const [body, sig] = notice.actions.ack.split('.') as [string, string];
    const said = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${Buffer.from(JSON.stringify({ ...said, staff: 'olive' })).toString('base64url')}.${sig}`;
    const refused = await postJson('/push/action', { token: forged });
    expect([refused.statusCode, refused.json()]).toEqual([
      403,
      { error: 'the token is not signed by this hub' },
    ]);

    // Acknowledge: recorded as Carl's and sent to the home as the console's button sends it.
    const acked = await postJson('/push/action', { token: notice.actions.ack });
    expect([acked.statusCode, acked.json()]).toEqual([200, { done: "Acknowledged: sent to r-1's home." }]);
    expect(w.published).toEqual([
      { topic: `hearth/v1/${GW}/cmd/ack`, payload: expect.stringContaining('"by":"carl"') },
    ]);
    const row = await w.store.db.selectFrom('alerts').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ ack_by: 'carl', ack_confirmed_at: null });
    expect(JSON.parse(w.published[0]?.payload ?? '{}')).toMatchObject({
      alert_id: 'a1',
      id: row.ack_command_id,
    });
    expect((await postJson('/push/action', { token: notice.actions.ack })).statusCode).toBe(409);

    const audit = await consoleDb(w.store.db)
      .selectFrom('audit')
      .select(['staff', 'action', 'outcome', 'detail'])
      .where('action', 'in', [
        'claim',
        'ack',
        'push',
        'push-claim',
        'push-ack',
        'push-action',
        'push-subscribe',
      ])
      .orderBy('at')
      .execute();
    expect(audit.map((a) => [a.staff, a.action, a.outcome])).toEqual([
      ['carl', 'push-subscribe', 'ok'],
      ['carl', 'push', 'ok'],
      ['carl', 'claim', 'ok'],
      ['olive', 'claim', 'ok'],
      ['carl', 'push-claim', 'refused'],
      // Whoever sent the altered token is nobody the hub knows: not "olive", whom it names.
      ['-', 'push-action', 'refused'],
      ['carl', 'ack', 'ok'],
      ['carl', 'push-ack', 'refused'],
    ]);
  });

  it('slows an address that sends tokens the hub did not sign: 20 refused, then 429, audited 20 times, not 60', async () => {
    const forged = `${Buffer.from('{"staff":"nobody"}').toString('base64url')}.${'A'.repeat(43)}`;
    const codes: number[] = [];
    for (let i = 0; i < 60; i++) codes.push((await postJson('/push/action', { token: forged })).statusCode);
    expect(codes.filter((c) => c === 403)).toHaveLength(20);
    expect(codes.slice(20)).toEqual(Array(40).fill(429));
    const last = await postJson('/push/action', { token: forged });
    expect([last.statusCode, last.headers['retry-after']]).toEqual([429, '60']);
    const refusals = await consoleDb(w.store.db)
      .selectFrom('audit')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', 'push-action')
      .where('detail', '=', 'the token is not signed by this hub')
      .executeTakeFirstOrThrow();
    expect(Number(refusals.n)).toBe(20);
  });

  it("refuses a token an hour old, and one for a resident no longer the carer's", async () => {
    const carls = phone();
    await subscribe('carl', carls);
    await raise('a1');
    await w.sender.runNow();
    const notice = JSON.parse(decrypt(w.svc.got[0]?.body as Buffer, carls)) as Notice;
    w.clock.now = T0 + 60 * 60_000;
    const late = await postJson('/push/action', { token: notice.actions.ack });
    expect([late.statusCode, late.json()]).toEqual([
      403,
      { error: 'the token has expired: open the console instead' },
    ]);
    w.clock.now = T0 + 60_000;
    await consoleDb(w.store.db).deleteFrom('staff_residents').where('staff', '=', 'carl').execute();
    const moved = await postJson('/push/action', { token: notice.actions.claim });
    expect([moved.statusCode, moved.json()]).toEqual([
      403,
      { error: 'this resident is not assigned to you' },
    ]);
    expect(w.published).toEqual([]);
  });

  it('forgets a phone its push service says is gone (410), without raising an alert', async () => {
    await subscribe('carl', phone());
    w.status.code = 410;
    await raise('a1');
    expect(await w.sender.runNow()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(await pushDb(w.store.db).selectFrom('push_subscriptions').selectAll().execute()).toEqual([]);
    expect(await w.store.db.selectFrom('hub_alerts').selectAll().execute()).toEqual([]);
    const audit = await consoleDb(w.store.db)
      .selectFrom('audit')
      .selectAll()
      .where('action', '=', 'push')
      .execute();
    expect(audit).toEqual([
      expect.objectContaining({
        staff: 'carl',
        outcome: 'failed',
        detail:
          'HTTP 410: the push service no longer knows this phone; the subscription is gone and was removed; by hub-a',
      }),
    ]);
  });

  it('takes a subscription only from a signed-in person with the CSRF token, and only a well-formed one', async () => {
    const p = phone();
    const sub = p.subscription(`${w.svc.origin}/push/x`);
    expect((await postJson('/push/subscriptions', sub)).statusCode).toBe(401);
    const s = await signIn('carl');
    expect((await postJson('/push/subscriptions', sub, { cookie: s.cookie })).statusCode).toBe(403);
    const as = { cookie: s.cookie, 'x-csrf-token': s.csrf };
    const bad = async (body: unknown) => {
      const r = await postJson('/push/subscriptions', body, as);
      return [r.statusCode, (r.json() as { error: string }).error];
    };
    expect(await bad({ ...sub, keys: { ...sub.keys, p256dh: 'AAAA' } })).toEqual([
      400,
      'expected a push subscription {"endpoint", "keys": {"p256dh", "auth"}}: keys.p256dh: keys.p256dh: expected 65 bytes',
    ]);
    expect(await bad({ ...sub, endpoint: 'http://10.0.0.1/admin' })).toEqual([
      400,
      'expected a push subscription {"endpoint", "keys": {"p256dh", "auth"}}: endpoint: endpoint: expected the https:// address of a push service',
    ]);
    expect(await bad('{"endpoint":')).toEqual([400, expect.stringMatching(/^expected a JSON body/)]);
    expect(await pushDb(w.store.db).selectFrom('push_subscriptions').selectAll().execute()).toEqual([]);
    expect((await postJson('/push/subscriptions', sub, as)).statusCode).toBe(201);
  });

  it('serves the app manifest, icon and service worker, under a policy that lets them load', async () => {
    const sw = await w.app.inject({ method: 'GET', url: '/sw.js' });
    expect(sw.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(sw.body).toContain("addEventListener('push'");
    const manifest = await w.app.inject({ method: 'GET', url: '/manifest.webmanifest' });
    expect(manifest.headers['content-type']).toBe('application/manifest+json; charset=utf-8');
    expect(manifest.json()).toMatchObject({
      start_url: '/',
      display: 'standalone',
      name: 'Hearth care console',
    });
    expect(manifest.headers['content-security-policy']).toMatch(/manifest-src 'self'.*worker-src 'self'/);
    expect((await w.app.inject({ method: 'GET', url: '/static/icon.svg' })).headers['content-type']).toBe(
      'image/svg+xml',
    );
  });
});
