// The care console without a browser, on both of the hub's databases: who may see what, the
// CSRF check on every form, the sign-in limit, idle sign-out, the audit log, and the JSON API the
// hub had before the console. Requests go through Fastify's own injection (the real routes,
// hooks, cookies and parsers, without a socket); the database is real.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acknowledge } from '../cloud-relay/hub/ack.ts';
import { putStaff } from '../cloud-relay/hub/console/accounts.ts';
import { buildConsole } from '../cloud-relay/hub/console/app.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { openDb, sqliteTarget } from '../cloud-relay/hub/db.ts';
import { parseIncoming } from '../cloud-relay/hub/incoming.ts';
import { LiveFeed } from '../cloud-relay/hub/live-feed.ts';
import { sendMode } from '../cloud-relay/hub/mode.ts';
import { HubStore } from '../cloud-relay/hub/store.ts';
import { startHearth } from './helpers/cli.ts';
import { TEST_COST } from './helpers/console-rig.ts';
import { alert, night, summary } from './helpers/hub-messages.ts';
import { type Postgres, startPostgres } from './helpers/postgres.ts';
import { tempDir } from './helpers/tmp.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const MIN = 60_000;
const PASSWORD = 'correct horse battery';

let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

type Rig = {
  app: FastifyInstance;
  store: HubStore;
  sent: { topic: string; payload: string }[];
  setNow(ms: number): void;
};

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.app.close();
    await r.store.close();
  }
});

let dbCount = 0;
const BACKENDS = [
  {
    name: 'embedded SQLite',
    open: async () => openDb(sqliteTarget(join(tempDir('hearth-console-'), 'db'))).db,
  },
  {
    name: 'PostgreSQL',
    open: async () =>
      openDb({ kind: 'postgres', url: await pg.createDatabase(`console_${process.pid}_${++dbCount}`) }).db,
  },
];

async function receive(
  store: HubStore,
  m: Record<string, unknown> & { gateway: string; type: string },
  at: number,
) {
  const leaf = m.type === 'cmd_result' ? 'cmd-result' : m.type;
  const topic = `hearth/v1/${m.gateway}/${leaf}`;
  const payload = Buffer.from(JSON.stringify(m));
  const p = parseIncoming(topic, payload);
  if (!p.ok) throw new Error(p.reason);
  await store.receive({
    incoming: p.incoming,
    topic,
    receivedAt: at,
    instance: 'hub-a',
    defaultHeartbeatMs: MIN,
  });
}

/** Two homes, each with an open alert, a summary for one; an operator, a carer for r-1, an admin. */
async function rig(
  open: () => Promise<Awaited<ReturnType<(typeof BACKENDS)[number]['open']>>>,
): Promise<Rig> {
  const store = new HubStore(await open());
  await store.migrate();
  let now = T0;
  const sent: Rig['sent'] = [];
  const db = consoleDb(store.db);
  const cheap = { cost: TEST_COST };
  await putStaff(db, { name: 'olive', role: 'operator', password: PASSWORD, residents: [] }, now, cheap);
  await putStaff(db, { name: 'carl', role: 'carer', password: PASSWORD, residents: ['r-1'] }, now, cheap);
  await putStaff(db, { name: 'ada', role: 'admin', password: PASSWORD, residents: [] }, now, cheap);
  await receive(store, alert('gw-1', 'r-1', 'a-1', 'raised', T0 - 20 * MIN), T0 - 20 * MIN);
  await receive(
    store,
    {
      ...alert('gw-2', 'r-2', 'a-2', 'raised', T0 - 5 * MIN),
      severity: 'warning',
      reason: 'Cold <b>home</b> & draughty.',
    },
    T0 - 5 * MIN,
  );
  await receive(store, summary('gw-1', 'r-1', '2026-03-02', T0 - 2 * 3_600_000), T0 - 2 * 3_600_000);
  const live = new LiveFeed();
  const app = await buildConsole({
    store,
    live,
    now: () => now,
    timezone: 'Europe/London',
    passwordCost: TEST_COST,
    health: () => ({ ok: true, instance: 'test' }),
    ack: (req) =>
      acknowledge(
        { store, now: () => now, publish: async (topic, payload) => void sent.push({ topic, payload }) },
        req,
      ),
    mode: (req) =>
      sendMode(
        { store, now: () => now, publish: async (topic, payload) => void sent.push({ topic, payload }) },
        req,
      ),
  });
  const r = {
    app,
    store,
    sent,
    setNow: (ms: number) => {
      now = ms;
    },
  };
  rigs.push(r);
  return r;
}

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function signIn(app: FastifyInstance, name: string, password = PASSWORD) {
  const r = await app.inject({
    method: 'POST',
    url: '/signin',
    headers: FORM,
    payload: form({ name, password, next: '/' }),
  });
  const set = r.headers['set-cookie'];
  const cookie = (Array.isArray(set) ? set[0] : set) ?? '';
  return { r, cookie, header: cookie.split(';')[0] ?? '' };
}

async function page(app: FastifyInstance, cookie: string, url: string) {
  return app.inject({ method: 'GET', url, headers: { cookie } });
}

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

async function auditRows(store: HubStore) {
  return consoleDb(store.db).selectFrom('audit').selectAll().orderBy('at').execute();
}

describe.each(BACKENDS)('care console on $name', (backend) => {
  it('signs in with a secure cookie, lists every open alert for an operator, most severe first, escaped', async () => {
    const { app } = await rig(backend.open);
    const { r, cookie, header } = await signIn(app, 'olive');
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/');
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/); // plain http here: Secure only when served over TLS
    const q = await page(app, header, '/');
    expect(q.statusCode).toBe(200);
    expect(q.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const body = q.body;
    expect(body.indexOf('data-alert="a-1"')).toBeGreaterThan(0);
    expect(body.indexOf('data-alert="a-1"')).toBeLessThan(body.indexOf('data-alert="a-2"'));
    expect(body).toContain('Cold &lt;b&gt;home&lt;/b&gt; &amp; draughty.');
    expect(body).toMatch(/Waiting <strong data-age-ms="1200000">20 m<\/strong>/);
    // Nobody has taken it in 20 minutes: past both answer-time targets.
    expect(body).toMatch(/<li class="alert sev-\w+ late-2" data-alert="a-1" data-waiting/);
  });

  it('shows a carer only their residents and refuses, with an audit entry, another resident by URL', async () => {
    const { app, store, sent } = await rig(backend.open);
    const { header } = await signIn(app, 'carl');
    const q = await page(app, header, '/');
    expect(q.body).toContain('data-alert="a-1"');
    expect(q.body).not.toContain('data-alert="a-2"');
    expect((await page(app, header, '/residents/r-1')).statusCode).toBe(200);
    const other = await page(app, header, '/residents/r-2');
    expect(other.statusCode).toBe(403);
    expect(other.body).not.toContain('Cold');
    expect((await page(app, header, '/alerts/gw-2/a-2')).statusCode).toBe(403);
    expect((await page(app, header, '/residents/r-2/fhir/2026-03-02')).statusCode).toBe(403);
    const csrf = csrfOf(q.body);
    const ack = await app.inject({
      method: 'POST',
      url: '/alerts/gw-2/a-2/ack',
      headers: { ...FORM, cookie: header },
      payload: form({ _csrf: csrf }),
    });
    expect(ack.statusCode).toBe(403);
    expect(sent).toEqual([]);
    const refused = (await auditRows(store)).filter((e) => e.outcome === 'refused' && e.staff === 'carl');
    expect(refused.map((e) => [e.action, e.resident])).toEqual([
      ['view-resident', 'r-2'],
      ['view-alert', 'r-2'],
      ['download-fhir', 'r-2'],
      ['ack', 'r-2'],
    ]);
    expect((await page(app, header, '/homes')).body).not.toContain('gw-2');
    expect((await page(app, header, '/admin/audit')).statusCode).toBe(403);
  });

  it('refuses a form without the session CSRF token, and acknowledges with it: command sent, audited', async () => {
    const { app, store, sent } = await rig(backend.open);
    const { header } = await signIn(app, 'olive');
    const none = await app.inject({
      method: 'POST',
      url: '/alerts/gw-1/a-1/ack',
      headers: { ...FORM, cookie: header },
      payload: form({ back: '/' }),
    });
    expect(none.statusCode).toBe(403);
    const forged = await app.inject({
      method: 'POST',
      url: '/alerts/gw-1/a-1/ack',
      headers: { ...FORM, cookie: header },
      payload: form({ _csrf: 'x'.repeat(32) }),
    });
    expect(forged.statusCode).toBe(403);
    expect(sent).toEqual([]);
    const csrf = csrfOf((await page(app, header, '/')).body);
    const ok = await app.inject({
      method: 'POST',
      url: '/alerts/gw-1/a-1/ack',
      headers: { ...FORM, cookie: header },
      payload: form({ _csrf: csrf, back: '/' }),
    });
    expect(ok.statusCode).toBe(303);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.topic).toBe('hearth/v1/gw-1/cmd/ack');
    expect(JSON.parse(sent[0]?.payload ?? '{}')).toMatchObject({ alert_id: 'a-1', by: 'olive' });
    expect((await page(app, header, '/')).body).toMatch(
      /data-ack="pending">Acknowledgement by olive sent at 10:00/,
    );
    const entries = await auditRows(store);
    expect(entries.filter((e) => e.action === 'post' && e.outcome === 'refused')).toHaveLength(2);
    expect(entries.find((e) => e.action === 'ack' && e.outcome === 'ok')).toMatchObject({
      staff: 'olive',
      resident: 'r-1',
      target: 'gw-1/a-1',
    });
    // A different session's token is no good either.
    const second = await signIn(app, 'olive');
    const cross = await app.inject({
      method: 'POST',
      url: '/alerts/gw-2/a-2/ack',
      headers: { ...FORM, cookie: second.header },
      payload: form({ _csrf: csrf }),
    });
    expect(cross.statusCode).toBe(403);
  });

  it('limits failed sign-ins per name in the database, and never stores the password', async () => {
    const { app, store } = await rig(backend.open);
    for (let i = 0; i < 5; i++) {
      const { r, cookie } = await signIn(app, 'olive', 'wrong password!');
      expect(r.statusCode).toBe(401);
      expect(cookie).toBe('');
    }
    const blocked = await signIn(app, 'olive');
    expect(blocked.r.statusCode).toBe(429);
    expect(blocked.r.body).toContain('Too many failed attempts');
    expect(blocked.cookie).toBe('');
    // The window moving on lets her in.
    (rigs[rigs.length - 1] as Rig).setNow(T0 + 16 * MIN);
    expect((await signIn(app, 'olive')).r.statusCode).toBe(303);
    const everything =
      JSON.stringify(await consoleDb(store.db).selectFrom('audit').selectAll().execute()) +
      JSON.stringify(await consoleDb(store.db).selectFrom('staff').selectAll().execute());
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain('wrong password!');
  });

  it('signs out a session left idle, and keeps a used one', async () => {
    const r = await rig(backend.open);
    const { header } = await signIn(r.app, 'olive');
    r.setNow(T0 + 10 * MIN);
    expect((await page(r.app, header, '/')).statusCode).toBe(200);
    r.setNow(T0 + 24 * MIN); // 14 minutes after the last request: still in
    expect((await page(r.app, header, '/homes')).statusCode).toBe(200);
    r.setNow(T0 + 40 * MIN); // 16 minutes idle
    const gone = await page(r.app, header, '/');
    expect(gone.statusCode).toBe(303);
    expect(gone.headers.location).toMatch(/^\/signin\?next=%2F&idle=1/);
    // The live feed and fragments answer 401, and the script sends the page to sign-in.
    expect(
      (await r.app.inject({ method: 'GET', url: '/', headers: { cookie: header, 'x-fragment': '1' } }))
        .statusCode,
    ).toBe(401);
  });

  it('shows an admin the audit log of views and acknowledgements', async () => {
    const { app } = await rig(backend.open);
    const carer = await signIn(app, 'carl');
    await page(app, carer.header, '/residents/r-1');
    await page(app, carer.header, '/residents/r-2');
    const admin = await signIn(app, 'ada');
    const log = await page(app, admin.header, '/admin/audit');
    expect(log.statusCode).toBe(200);
    expect(log.body).toMatch(/<td>carl<\/td><td>view-resident<\/td><td>r-1<\/td>.*badge ok/);
    expect(log.body).toMatch(/<td>carl<\/td><td>view-resident<\/td><td>r-2<\/td>.*refused/);
    const searched = await page(app, admin.header, '/admin/audit?q=r-2');
    expect(searched.body).not.toMatch(/<td>r-1<\/td>/);
  });

  it('serves a resident page with plots from the summary and the FHIR bundle as a download', async () => {
    const { app } = await rig(backend.open);
    const { header } = await signIn(app, 'olive');
    const p = await page(app, header, '/residents/r-1');
    expect(p.body).toContain('<svg id="nights"');
    expect(p.body).toContain('<svg id="activity"');
    expect(p.body).toMatch(/<th scope="row">2026-03-02<\/th><td>00:10<\/td><td>07:05<\/td><td>6 h 55<\/td>/);
    const f = await page(app, header, '/residents/r-1/fhir/2026-03-02');
    expect(f.statusCode).toBe(200);
    expect(f.headers['content-disposition']).toBe('attachment; filename="hearth-r-1-2026-03-02.fhir.json"');
    expect(JSON.parse(f.body)).toMatchObject({ resourceType: 'Bundle' });
  });

  it('shows last night in the morning, sent as soon as it was over, before the day summary that will carry it', async () => {
    const { app, store } = await rig(backend.open);
    const { header } = await signIn(app, 'carl');
    // The morning of 3 March: the night that ended at 07:30 arrives at 08:00; the summary of
    // 3 March (with that night) will come a day later. The night of 2 March, sent that morning, is
    // overtaken by the day's summary, made later with the whole day.
    const eight = Date.parse('2026-03-03T08:00:00Z');
    await receive(
      store,
      night('gw-1', 'r-1', '2026-03-03', eight, { bedtime: '22:40', wake: '07:30' }),
      eight,
    );
    const early = Date.parse('2026-03-02T07:40:00Z');
    await receive(store, night('gw-1', 'r-1', '2026-03-02', early, { wake: '07:10' }), early);
    const p = await page(app, header, '/residents/r-1');
    expect(p.body).toContain(
      '<p id="last-night"><strong>Night to 2026-03-03</strong>: to bed 22:40, up 07:30, 8 h 50 in bed. From the bed sensor.</p>',
    );
    const rows = [
      ...p.body.matchAll(/<th scope="row">(2026-03-0\d)<\/th><td>([^<]*)<\/td><td>([^<]*)<\/td>/g),
    ];
    expect(rows.map((r) => r.slice(1))).toEqual([
      ['2026-03-03', '22:40', '07:30'],
      ['2026-03-02', '00:10', '07:05'],
    ]);
  });

  it('serves its JSON API only to staff signed in: alerts they may see, acks in their own name', async () => {
    const { app, sent } = await rig(backend.open);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({
      ok: true,
      instance: 'test',
    });
    // Nobody signed in: nothing listed, nothing acknowledged.
    expect((await app.inject({ method: 'GET', url: '/api/alerts' })).statusCode).toBe(401);
    const anonymous = await app.inject({ method: 'POST', url: '/api/alerts/a-1/ack', payload: '{}' });
    expect(anonymous.statusCode).toBe(401);
    expect(sent).toHaveLength(0);

    const olive = await signIn(app, 'olive');
    const csrf = csrfOf((await page(app, olive.header, '/')).body);
    const list = (
      await app.inject({ method: 'GET', url: '/api/alerts', headers: { cookie: olive.header } })
    ).json() as {
      alerts: { alert_id: string }[];
    };
    expect(list.alerts.map((a) => a.alert_id).sort()).toEqual(['a-1', 'a-2']);
    const ack = (headers: Record<string, string>, payload = '{}', id = 'a-1') =>
      app.inject({
        method: 'POST',
        url: `/api/alerts/${id}/ack`,
        headers: { cookie: olive.header, ...headers },
        payload,
      });
    // Without the session's CSRF token a script on another site cannot acknowledge in her name.
    expect((await ack({})).statusCode).toBe(403);
    const bad = await ack({ 'x-csrf-token': csrf }, 'not json');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: expect.stringMatching(/expected a JSON body/) });
    const ok = await ack({ 'x-csrf-token': csrf, 'content-type': 'application/json' });
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toMatchObject({ ok: true, gateway: 'gw-1', pending: true });
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0])).toContain('olive');

    // A carer lists and acknowledges only the residents assigned to them.
    const carl = await signIn(app, 'carl');
    const carlCsrf = csrfOf((await page(app, carl.header, '/')).body);
    const theirs = (
      await app.inject({ method: 'GET', url: '/api/alerts', headers: { cookie: carl.header } })
    ).json() as {
      alerts: { alert_id: string }[];
      hub_alerts: unknown[];
    };
    expect(theirs.alerts.map((a) => a.alert_id)).toEqual(['a-1']);
    const refused = await app.inject({
      method: 'POST',
      url: '/api/alerts/a-2/ack',
      headers: { cookie: carl.header, 'x-csrf-token': carlCsrf },
      payload: '{}',
    });
    expect(refused.statusCode).toBe(403);
    expect(sent).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: '/api/nothing' })).json()).toEqual({
      error: 'no GET /api/nothing',
    });
  });
});

describe('hearth demo --console', () => {
  it('keeps the care console running after the day, with the demo sign-in printed, until Ctrl-C', async () => {
    const demo = startHearth(['demo', '--speed', 'max', '--console', '--no-color']);
    try {
      const line = await demo.waitFor(/The care console: (\S+) {2}\(sign in as demo, password (\S+)\)/);
      const [, url, password] =
        /The care console: (\S+) {2}\(sign in as demo, password (\S+)\)/.exec(line) ?? [];
      const signin = await fetch(`${url}/signin`, {
        method: 'POST',
        headers: FORM,
        body: form({ name: 'demo', password: password ?? '', next: '/residents/r-demo' }),
        redirect: 'manual',
      });
      expect(signin.status).toBe(303);
      const cookie = (signin.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const resident = await fetch(`${url}/residents/r-demo`, { headers: { cookie } });
      const body = await resident.text();
      expect(body).toContain('<svg id="nights"');
      expect(body).toMatch(/daily summar(y|ies) shown/);
      const history = await (await fetch(`${url}/history`, { headers: { cookie } })).text();
      // The help-button press of the day, acknowledged by the demo's centre and then resolved.
      expect(history).toMatch(
        /gw-demo-help_button-pendant-[^"]*">[^<]+<\/a><\/td>\n<td>gw-demo<\/td>.*?<td>resolved /s,
      );
    } finally {
      demo.child.kill('SIGINT');
    }
    expect((await demo.exited).code).toBe(0);
  }, 60_000);
});
