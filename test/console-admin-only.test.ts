// Every admin-only page and form of the console, over HTTP: an operator and a carer are refused
// with 403, each refusal audited once with its action (and the resident the path names, where
// its routes give one) and the request; signed out, a page sends to sign-in and nothing is
// audited; an admin is let in. One check (Console.admin) serves them all.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { sqliteTarget } from '../cloud-relay/hub/db.ts';
import { consoleRig, cookieOf, send, signIn, T0 } from './helpers/console-rig.ts';
import { tempDir } from './helpers/tmp.ts';

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

/** Each admin-only request, with the refusal's audit line (null: no resident named). */
const ADMIN_ONLY: { method: 'GET' | 'POST'; path: string; action: string; resident: string | null }[] = [
  { method: 'GET', path: '/admin/audit', action: 'view-audit', resident: null },
  { method: 'GET', path: '/admin/fhir', action: 'view-fhir', resident: null },
  { method: 'GET', path: '/admin/answer-times', action: 'view-answer-times', resident: null },
  { method: 'GET', path: '/admin/ladders', action: 'ladder', resident: null },
  { method: 'GET', path: '/admin/ladders/r-1', action: 'ladder', resident: null },
  { method: 'POST', path: '/admin/ladders/r-1', action: 'ladder', resident: null },
  { method: 'GET', path: '/admin/screen', action: 'screen', resident: null },
  { method: 'POST', path: '/admin/screen', action: 'screen', resident: null },
  { method: 'POST', path: '/admin/screen/unmark', action: 'screen', resident: null },
  { method: 'GET', path: '/admin/records', action: 'view-records', resident: null },
  { method: 'GET', path: '/admin/records/r-1', action: 'view-record', resident: 'r-1' },
  { method: 'POST', path: '/admin/records/r-1', action: 'edit-record', resident: 'r-1' },
  { method: 'POST', path: '/residents/r-1/export', action: 'export-resident', resident: 'r-1' },
  { method: 'GET', path: '/residents/r-1/erase', action: 'erase-resident', resident: 'r-1' },
  { method: 'POST', path: '/residents/r-1/erase', action: 'erase-resident', resident: 'r-1' },
];

describe('admin-only pages in the console', () => {
  it('refuse an operator and a carer, each refusal audited once; send the signed-out to sign in; let an admin in', async () => {
    const rig = await consoleRig(sqliteTarget(join(tempDir('hearth-console-admin-'), 'db')));
    await rig.store.expectHomes([{ gateway: 'gw-1', resident: 'r-1', heartbeatMs: 60_000 }], T0);
    const db = consoleDb(rig.store.db);
    const as = async (name: string) => {
      const cookie = cookieOf(await signIn(rig.base, name)).split(';')[0] ?? '';
      const home = await send(`${rig.base}/homes`, { headers: { cookie } });
      return { cookie, csrf: csrfOf(home.body) };
    };
    const ask = (r: (typeof ADMIN_ONLY)[number], who?: { cookie: string; csrf: string }) =>
      send(`${rig.base}${r.path}`, {
        method: r.method,
        headers: who ? { cookie: who.cookie } : {},
        ...(r.method === 'POST' ? { form: { _csrf: who?.csrf ?? '' } } : {}),
      });

    for (const r of ADMIN_ONLY.filter((x) => x.method === 'GET')) {
      const out = await ask(r);
      expect({ path: r.path, status: out.status, to: out.headers.location }).toEqual({
        path: r.path,
        status: 303,
        to: `/signin?next=${encodeURIComponent(r.path)}`,
      });
    }
    expect(await db.selectFrom('audit').selectAll().execute()).toEqual([]);

    for (const name of ['olive', 'carl']) {
      const who = await as(name);
      for (const r of ADMIN_ONLY) {
        const out = await ask(r, who);
        expect({ name, path: r.path, status: out.status }).toEqual({ name, path: r.path, status: 403 });
        expect(out.body).toContain('Not yours to see');
      }
      // The clock stands still: the lines are put in one order to compare.
      const byRequest = (a: { detail: string | null }, b: { detail: string | null }) =>
        String(a.detail).localeCompare(String(b.detail));
      const lines = await db
        .selectFrom('audit')
        .select(['action', 'resident', 'target', 'outcome', 'detail'])
        .where('staff', '=', name)
        .where('action', '!=', 'sign-in')
        .execute();
      expect(lines.sort(byRequest)).toEqual(
        ADMIN_ONLY.map((r) => ({
          action: r.action,
          resident: r.resident,
          target: null,
          outcome: 'refused',
          detail: `${r.method} ${r.path}`,
        })).sort(byRequest),
      );
    }

    const ada = await as('ada');
    for (const r of ADMIN_ONLY.filter((x) => x.method === 'GET')) {
      const out = await ask(r, ada);
      expect({ path: r.path, status: out.status }).toEqual({ path: r.path, status: 200 });
    }
    expect(
      await db
        .selectFrom('audit')
        .select('staff')
        .where('outcome', '=', 'refused')
        .where('staff', '=', 'ada')
        .execute(),
    ).toEqual([]);
  });
});
