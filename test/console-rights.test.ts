// A resident's data rights from the console, on both backends, over HTTP: only an admin sees the
// buttons and may use them (a carer is refused and the refusal audited); the export is a
// download of her records; the erasure's page counts the rows the export gives, asks for her id
// typed again, refuses a bad date by name, and then erases, audited once with its counts.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { type DbTarget, sqliteTarget } from '../cloud-relay/hub/db.ts';
import { knownResident } from '../cloud-relay/hub/resident-rights.ts';
import { consoleRig, cookieOf, send, signIn } from './helpers/console-rig.ts';
import { type Postgres, startPostgres } from './helpers/postgres.ts';
import { seedResident, seedStaff } from './helpers/resident-seed.ts';
import { tempDir } from './helpers/tmp.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const R = { gw: 'gw-1', r: 'r-1' };

let pg: Postgres | undefined;
let count = 0;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

const BACKENDS: { name: string; target: () => Promise<DbTarget> }[] = [
  {
    name: 'embedded SQLite',
    target: async () => sqliteTarget(join(tempDir('hearth-console-rights-'), 'db')),
  },
  {
    name: 'PostgreSQL',
    target: async () => ({
      kind: 'postgres',
      url: (await pg?.createDatabase(`crights_${process.pid}_${++count}`)) ?? '',
    }),
  },
];

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

async function session(base: string, name: string) {
  const cookie = cookieOf(await signIn(base, name)).split(';')[0] ?? '';
  const page = await send(`${base}/residents/${R.r}`, { headers: { cookie } });
  return { cookie, page, csrf: csrfOf(page.body) };
}

describe.each(BACKENDS)('data rights in the console on $name', (backend) => {
  it('lets an admin download and erase her records, after her id is typed again; refuses a carer', async () => {
    const rig = await consoleRig(await backend.target());
    rig.setNow(T0 + 86_400_000);
    await seedStaff(rig.store, [R.r], T0);
    await seedResident(rig.store, { ...R, t: T0, tag: 'a' });
    const db = consoleDb(rig.store.db);

    const carl = await session(rig.base, 'carl');
    expect(carl.page.status).toBe(200);
    expect(carl.page.body).not.toContain('Data rights');
    const refused = await send(`${rig.base}/residents/${R.r}/export`, {
      method: 'POST',
      headers: { cookie: carl.cookie },
      form: { _csrf: carl.csrf },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).not.toContain('fall-a');
    const erasedByCarl = await send(`${rig.base}/residents/${R.r}/erase`, {
      method: 'POST',
      headers: { cookie: carl.cookie },
      form: { _csrf: carl.csrf, confirm: R.r },
    });
    expect(erasedByCarl.status).toBe(403);
    const refusals = await db.selectFrom('audit').selectAll().where('outcome', '=', 'refused').execute();
    expect(refusals.map((a) => [a.staff, a.action])).toEqual(
      expect.arrayContaining([
        ['carl', 'export-resident'],
        ['carl', 'erase-resident'],
      ]),
    );

    const ada = await session(rig.base, 'ada');
    expect(ada.page.body).toContain('Download her records (JSON)');
    const post = (path: string, form: Record<string, string>) =>
      send(`${rig.base}/residents/${R.r}/${path}`, { method: 'POST', headers: { cookie: ada.cookie }, form });
    // Before the export, which writes an audit line about her that its own file does not hold.
    const shown = await send(`${rig.base}/residents/${R.r}/erase`, { headers: { cookie: ada.cookie } });
    expect((await post('export', {})).status).toBe(403); // no CSRF token
    const dl = await post('export', { _csrf: ada.csrf });
    expect(dl.status).toBe(200);
    expect(dl.headers['content-disposition']).toBe('attachment; filename="hearth-r-1-records.json"');
    expect(JSON.parse(dl.body).tables.alerts).toHaveLength(3);
    // The erase page counts, table by table, the rows the export gives.
    const exported = JSON.parse(dl.body).tables as Record<string, unknown[]>;
    const counted = [...shown.body.matchAll(/<th scope="row">([\w]+)<\/th><td>(\d+)<\/td>/g)];
    expect(Object.fromEntries(counted.map(([, t, n]) => [t, Number(n)]))).toEqual(
      Object.fromEntries(Object.entries(exported).map(([t, rows]) => [t, rows.length])),
    );

    const confirm = await send(`${rig.base}/residents/${R.r}/erase`, { headers: { cookie: ada.cookie } });
    expect(confirm.status).toBe(200);
    expect(confirm.body).toMatch(/<th scope="row">alerts<\/th><td>3<\/td>/);
    const wrong = await post('erase', { _csrf: ada.csrf, confirm: 'r-2' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('the id typed was not r-1; nothing was erased');
    const badDate = await post('erase', { _csrf: ada.csrf, confirm: R.r, before: '2026-13-01' });
    expect(badDate.status).toBe(400);
    expect(badDate.body).toContain('the date &quot;2026-13-01&quot; is not a real date');
    expect(await knownResident(db, R.r)).toBe(true);

    const done = await post('erase', { _csrf: ada.csrf, confirm: R.r });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Records of r-1 erased');
    expect(done.body).toContain(
      backend.name === 'PostgreSQL' ? 'PostgreSQL: VACUUM' : 'write-ahead log emptied',
    );
    expect(await knownResident(db, R.r)).toBe(false);
    const lines = await db.selectFrom('audit').selectAll().where('resident', '=', R.r).execute();
    expect(lines.map((a) => [a.staff, a.action, a.outcome])).toEqual([['ada', 'erase-resident', 'ok']]);

    const gone = await send(`${rig.base}/residents/${R.r}/erase`, { headers: { cookie: ada.cookie } });
    expect(gone.status).toBe(404);
    expect(gone.body).toContain('The hub holds nothing about a resident &quot;r-1&quot;');
  });
});
