// The care console against someone who is not staff, or is and misbehaves: guessing passwords in
// parallel or from behind the centre's own address, filling the audit log, redirecting a sign-in
// elsewhere, signing a victim in from another site, or reading a response as something it is
// not. Each test drives the real app over a real socket and asserts what a person would notice.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putStaff } from '../../cloud-relay/hub/console/accounts.ts';
import { startConsole } from '../../cloud-relay/hub/console/app.ts';
import { dummyHash, hashPassword, SCRYPT_COST } from '../../cloud-relay/hub/console/password.ts';
import { consoleDb } from '../../cloud-relay/hub/console-tables.ts';
import { type DbTarget, sqliteTarget } from '../../cloud-relay/hub/db.ts';
import type { HubStore } from '../../cloud-relay/hub/store.ts';
import {
  consoleDeps,
  consoleRig,
  cookieOf,
  folder,
  PASSWORD,
  type Reply,
  selfSigned,
  send,
  signIn,
  T0,
  TEST_COST,
} from '../helpers/console-rig.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';

let pg: Postgres | undefined;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

let dbCount = 0;
const sqlite = (): DbTarget => sqliteTarget(join(folder('hearth-hostile-console-'), 'db'));
const BACKENDS = [
  { name: 'embedded SQLite', instances: 1, target: async () => sqlite() },
  {
    // Two instances on one database: the budget holds across them, as every instance counts alike.
    name: 'PostgreSQL, two instances',
    instances: 2,
    target: async (): Promise<DbTarget> => {
      if (!pg) throw new Error('PostgreSQL did not start');
      return {
        kind: 'postgres',
        url: await pg.createDatabase(`hostile_console_${process.pid}_${++dbCount}`),
      };
    },
  },
];

const statuses = (rs: Reply[]) => rs.map((r) => r.status).sort();
const count = (rs: Reply[], status: number) => rs.filter((r) => r.status === status).length;
const auditRows = (store: HubStore) => consoleDb(store.db).selectFrom('audit').selectAll().execute();
const retryAfter = (r: Reply) => Number(r.headers['retry-after']);

describe.each(BACKENDS)('sign-in budget on $name', (backend) => {
  it('40 parallel wrong guesses for one name check at most 5 passwords', async () => {
    const r = await consoleRig(await backend.target(), { instances: backend.instances });
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signIn(r.bases[i % r.bases.length] ?? '', 'olive', `guess ${i}`)),
    );
    // 401: a password was checked and was wrong; 429: slowed, nothing checked.
    expect(count(guesses, 401)).toBe(5);
    expect(count(guesses, 429)).toBe(35);
    expect(guesses.every((g) => cookieOf(g) === '')).toBe(true);
  });

  it('40 parallel guesses at 40 names from one address check at most 30 passwords', async () => {
    const r = await consoleRig(await backend.target(), { instances: backend.instances });
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signIn(r.bases[i % r.bases.length] ?? '', `name-${i}`, 'guess')),
    );
    expect(statuses(guesses)).toEqual([...Array(30).fill(401), ...Array(10).fill(429)]);
  });
});

describe.each(BACKENDS)('what is typed at sign-in, on $name', (backend) => {
  it('a NUL in the name or the password is a wrong sign-in, not an error, and is audited without it', async () => {
    const r = await consoleRig(await backend.target());
    expect((await signIn(r.base, 'olive\u0000', 'guess')).status).toBe(401);
    expect((await signIn(r.base, 'olive', 'guess\u0000')).status).toBe(401);
    expect((await signIn(r.base, 'olive', PASSWORD)).status).toBe(303);
    const rows = await auditRows(r.store);
    expect(rows.map((e) => [e.staff, e.outcome]).sort()).toEqual([
      ['(unknown name, 6 characters)', 'refused'],
      ['olive', 'ok'],
      ['olive', 'refused'],
    ]);
  });
});

describe('sign-in slowed, not refused', () => {
  it('five wrong passwords slow the name, and the right one is accepted within three minutes', async () => {
    const r = await consoleRig(sqlite());
    for (let i = 0; i < 5; i++) expect((await signIn(r.base, 'olive', `guess ${i}`)).status).toBe(401);
    const early = await signIn(r.base, 'olive');
    expect(early.status).toBe(429);
    expect(retryAfter(early)).toBeGreaterThan(0);
    expect(retryAfter(early)).toBeLessThanOrEqual(180);
    expect(early.body).toContain(`Try again in ${retryAfter(early) / 60} minutes`);
    r.setNow(T0 + retryAfter(early) * 1000);
    const inTurn = await signIn(r.base, 'olive');
    expect(inTurn.status).toBe(303);
    expect(cookieOf(inTurn)).toMatch(/^hearth_session=/);
  });

  it('thirty failures from one address slow a colleague behind it by at most thirty seconds', async () => {
    const r = await consoleRig(sqlite());
    for (let i = 0; i < 30; i++) expect((await signIn(r.base, `intruder-${i}`, 'guess')).status).toBe(401);
    const colleague = await signIn(r.base, 'carl');
    expect(colleague.status).toBe(429);
    expect(retryAfter(colleague)).toBeLessThanOrEqual(30);
    expect(colleague.body).toMatch(/Try again in \d+ seconds/);
    r.setNow(T0 + retryAfter(colleague) * 1000);
    expect((await signIn(r.base, 'carl')).status).toBe(303);
  });

  it("behind a trusted proxy each client has its own budget; anyone else's X-Forwarded-For is ignored", async () => {
    const proxied = await consoleRig(sqlite(), { trustProxy: ['127.0.0.1'] });
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 30; i++)
      expect((await signIn(proxied.base, `intruder-${i}`, 'guess', from('203.0.113.7'))).status).toBe(401);
    expect((await signIn(proxied.base, 'intruder-30', 'guess', from('203.0.113.7'))).status).toBe(429);
    expect((await signIn(proxied.base, 'olive', PASSWORD, from('198.51.100.20'))).status).toBe(303);

    const direct = await consoleRig(sqlite());
    for (let i = 0; i < 30; i++)
      expect((await signIn(direct.base, `intruder-${i}`, 'guess', from(`203.0.113.${i}`))).status).toBe(401);
    expect((await signIn(direct.base, 'intruder-30', 'guess', from('198.51.100.20'))).status).toBe(429);
  });
});

describe('the audit log under unauthenticated sign-ins', () => {
  it('a 60 KB name is audited as a note of its length, and a password typed as a name is not kept', async () => {
    const r = await consoleRig(sqlite());
    expect((await signIn(r.base, 'A'.repeat(60_000), 'guess')).status).toBe(401);
    expect((await signIn(r.base, PASSWORD, 'guess')).status).toBe(401);
    expect((await signIn(r.base, 'olive', 'guess')).status).toBe(401);
    const rows = await auditRows(r.store);
    // Sliced, so that a failure does not print 60 KB.
    expect(rows.map((e) => e.staff.slice(0, 40)).sort()).toEqual([
      '(unknown name, 21 characters)',
      '(unknown name, 60000 characters)',
      'olive',
    ]);
    for (const e of rows) expect(JSON.stringify(e).length).toBeLessThan(1000);
    const budget = await consoleDb(r.store.db).selectFrom('signin_budget').selectAll().execute();
    expect(JSON.stringify([rows, budget])).not.toContain(PASSWORD);
  });

  it('slowed attempts are audited once per interval, not once each', async () => {
    const r = await consoleRig(sqlite());
    for (let i = 0; i < 45; i++) await signIn(r.base, 'olive', `guess ${i}`);
    const rows = await auditRows(r.store);
    // Five passwords checked, then one note that the name is being slowed.
    expect(rows).toHaveLength(6);
    expect(rows.filter((e) => e.detail?.startsWith('slowed'))).toHaveLength(1);
  });

  it('every audited field is bounded, whatever a signed-in request carries', async () => {
    const r = await consoleRig(sqlite());
    const cookie = cookieOf(await signIn(r.base, 'carl')).split(';')[0] ?? '';
    const long = 'x'.repeat(8000);
    expect((await send(`${r.base}/residents/r-2?q=${long}`, { headers: { cookie } })).status).toBe(403);
    const csrf = await send(`${r.base}/alerts/gw-1/a-1/ack?q=${long}`, {
      method: 'POST',
      headers: { cookie },
      form: { _csrf: 'wrong' },
    });
    expect(csrf.status).toBe(403);
    const refused = (await auditRows(r.store)).filter((e) => e.outcome === 'refused');
    expect(refused).toHaveLength(2);
    for (const e of refused)
      for (const v of Object.values(e)) expect(String(v).length).toBeLessThanOrEqual(512);
  });
});

describe('names from a query string', () => {
  it('a sort named after an inherited member (__proto__, toString) is the default order, not an error', async () => {
    const r = await consoleRig(sqlite());
    const cookie = cookieOf(await signIn(r.base, 'olive')).split(';')[0] ?? '';
    for (const sort of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
      const page = await send(`${r.base}/homes?sort=${sort}`, { headers: { cookie } });
      expect([sort, page.status]).toEqual([sort, 200]);
      expect(page.body).toContain('<option value="state" selected>');
    }
  });
});

describe('redirects, transport and headers', () => {
  it('after sign-in next never leaves the site, and a control character in it is no error', async () => {
    const r = await consoleRig(sqlite());
    const hostile = [
      '/\n/evil.example',
      '/\t/evil.example',
      '/\r\n/evil.example',
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      '/\u0115vil',
    ];
    for (const next of hostile) {
      const done = await signIn(r.base, 'olive', PASSWORD, { next });
      expect([next, done.status, done.headers.location]).toEqual([next, 303, '/']);
      const form = await send(`${r.base}/signin?next=${encodeURIComponent(next)}`);
      expect([next, form.status, form.body]).toEqual([
        next,
        200,
        expect.stringContaining('name="next" value="/"'),
      ]);
    }
    const fine = await signIn(r.base, 'olive', PASSWORD, { next: '/residents/r-1?day=2026-03-01' });
    expect(fine.headers.location).toBe('/residents/r-1?day=2026-03-01');
  });

  it('serves the console over HTTPS itself with web.tls: Secure cookies and HSTS', async () => {
    const dir = folder('hearth-console-tls-');
    const { ca } = selfSigned(dir);
    const r = await consoleRig(sqlite());
    const web = await startConsole(
      consoleDeps(r.store, () => T0, TEST_COST),
      { host: '127.0.0.1', port: 0, tls: { cert: 'console.crt', key: 'console.key' }, trust_proxy: [] },
      join(dir, 'hub.yaml'),
    );
    try {
      const base = `https://127.0.0.1:${web.port}`;
      const form = await send(`${base}/signin`, { ca });
      expect(form.status).toBe(200);
      expect(form.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}/);
      const done = await signIn(base, 'olive', PASSWORD, { ca });
      expect(done.status).toBe(303);
      expect(cookieOf(done)).toMatch(/; Secure/);
    } finally {
      await web.stop();
    }
  });

  it('behind a trusted proxy saying https, cookies are Secure and HSTS is sent; from anyone else, not', async () => {
    const https = { headers: { 'x-forwarded-proto': 'https' } };
    const proxied = await consoleRig(sqlite(), { trustProxy: ['127.0.0.1/8'] });
    const viaProxy = await signIn(proxied.base, 'olive', PASSWORD, https);
    expect(cookieOf(viaProxy)).toMatch(/; Secure/);
    expect(viaProxy.headers['strict-transport-security']).toMatch(/^max-age=/);
    const plain = await signIn(proxied.base, 'olive');
    expect(cookieOf(plain)).not.toMatch(/Secure/);
    expect(plain.headers['strict-transport-security']).toBeUndefined();

    const direct = await consoleRig(sqlite());
    const claimed = await signIn(direct.base, 'olive', PASSWORD, https);
    expect(cookieOf(claimed)).not.toMatch(/Secure/);
    expect(claimed.headers['strict-transport-security']).toBeUndefined();
  });

  it('every response carries nosniff and a CSP: JSON, static files, 404s, errors, redirects, the event stream', async () => {
    const r = await consoleRig(sqlite());
    const signedIn = await signIn(r.base, 'olive');
    const cookie = cookieOf(signedIn).split(';')[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      (await send(`${r.base}/`, { headers: { cookie } })).body,
    )?.[1];
    const replies: [string, Reply][] = [
      ['sign-in redirect', signedIn],
      ['health JSON', await send(`${r.base}/healthz`)],
      ['API JSON', await send(`${r.base}/api/alerts`, { headers: { cookie } })],
      ['API 401', await send(`${r.base}/api/alerts`)],
      ['stylesheet', await send(`${r.base}/static/console.css`)],
      ['script', await send(`${r.base}/static/console.js`)],
      ['page 404', await send(`${r.base}/nothing-here`)],
      ['API 404', await send(`${r.base}/api/nothing`)],
      ['redirect to sign-in', await send(`${r.base}/homes`)],
      [
        'API 400',
        await send(`${r.base}/api/alerts/a-1/ack`, {
          method: 'POST',
          headers: { cookie, 'x-csrf-token': csrf ?? '', 'content-type': 'application/json' },
          body: '{not json',
        }),
      ],
      [
        'unsupported body 415',
        await send(`${r.base}/signin`, {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body: '<x/>',
        }),
      ],
      ['event stream', await send(`${r.base}/events`, { headers: { cookie }, headersOnly: true })],
    ];
    for (const [what, reply] of replies) {
      expect([what, reply.headers['x-content-type-options']]).toEqual([what, 'nosniff']);
      expect([what, reply.headers['content-security-policy']]).toEqual([
        what,
        expect.stringMatching(/default-src 'none'/),
      ]);
    }
    expect(replies.map(([what, reply]) => [what, reply.status])).toContainEqual(['API 400', 400]);
    expect(replies.map(([what, reply]) => [what, reply.status])).toContainEqual(['event stream', 200]);
  });

  it('a sign-in sent from another site is refused, and one from the console itself is not', async () => {
    const r = await consoleRig(sqlite());
    const host = new URL(r.base).host;
    const refusedWith: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: `http://${host}` },
    ];
    for (const headers of refusedWith) {
      const tried = await signIn(r.base, 'olive', PASSWORD, { headers });
      expect([headers, tried.status, cookieOf(tried)]).toEqual([headers, 403, '']);
    }
    const acceptedWith: Record<string, string>[] = [
      { origin: `http://${host}` },
      { 'sec-fetch-site': 'same-origin', origin: `http://${host}` },
      {}, // no browser: nothing to forge a sign-in with
    ];
    for (const headers of acceptedWith)
      expect((await signIn(r.base, 'olive', PASSWORD, { headers })).status).toBe(303);
  });
});

describe('password hashes', () => {
  it('new hashes cost scrypt N=2^17; an N=2^14 hash still signs in and is rehashed; unknown names cost the same', async () => {
    const fresh = await hashPassword('a new password');
    const params = (h: string) => h.split('$').slice(0, 4);
    expect(params(fresh)).toEqual(['scrypt', String(2 ** 17), '8', '1']);
    expect(params(dummyHash(SCRYPT_COST))).toEqual(params(fresh));

    const r = await consoleRig(sqlite(), { cost: SCRYPT_COST });
    const db = consoleDb(r.store.db);
    const old = { N: 2 ** 14, r: 8, p: 1 };
    await putStaff(db, { name: 'oldie', role: 'operator', password: PASSWORD, residents: [] }, T0, {
      cost: old,
    });
    const stored = async () =>
      (await db.selectFrom('staff').select('password').where('name', '=', 'oldie').executeTakeFirstOrThrow())
        .password;
    expect(params(await stored())[1]).toBe(String(2 ** 14));
    expect((await signIn(r.base, 'oldie', 'wrong password')).status).toBe(401);
    expect(params(await stored())[1]).toBe(String(2 ** 14));
    expect((await signIn(r.base, 'oldie')).status).toBe(303);
    expect(params(await stored())[1]).toBe(String(2 ** 17));
    expect((await signIn(r.base, 'oldie')).status).toBe(303);
  });
});
