// A care mode set from the console's resident page, over HTTP on PostgreSQL: the command the hub
// records and publishes, the audit row, the page showing it pending and then the home's answer;
// refused for another carer's resident, for an end time that is no good, and without the form's
// CSRF token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putStaff } from '../cloud-relay/hub/console/accounts.ts';
import { buildConsole } from '../cloud-relay/hub/console/app.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { openDb } from '../cloud-relay/hub/db.ts';
import { sendMode } from '../cloud-relay/hub/mode.ts';
import { HubStore } from '../cloud-relay/hub/store.ts';
import {
  addStaff,
  consoleDeps,
  cookieOf,
  listening,
  PASSWORD,
  send,
  signIn,
  T0,
  TEST_COST,
} from './helpers/console-rig.ts';
import { received } from './helpers/hub-backends.ts';
import { type Postgres, startPostgres } from './helpers/postgres.ts';

let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

let dbCount = 0;
const stores: HubStore[] = [];
afterAll(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/** Two homes; carl cares for r-1 and cara for r-2; olive is an operator, ada an admin. */
async function rig() {
  const store = new HubStore(
    openDb({ kind: 'postgres', url: await pg.createDatabase(`console_mode_${process.pid}_${++dbCount}`) }).db,
  );
  stores.push(store);
  await store.migrate();
  await store.expectHomes(
    [
      { gateway: 'gw-1', resident: 'r-1', heartbeatMs: 60_000 },
      { gateway: 'gw-2', resident: 'r-2', heartbeatMs: 60_000 },
    ],
    T0,
  );
  await addStaff(store);
  await putStaff(
    consoleDb(store.db),
    { name: 'cara', role: 'carer', password: PASSWORD, residents: ['r-2'] },
    T0,
    { cost: TEST_COST },
  );
  let now = T0;
  const published: { topic: string; payload: string }[] = [];
  const deps = {
    ...consoleDeps(store, () => now),
    mode: (req: Parameters<typeof sendMode>[1]) =>
      sendMode(
        { store, now: () => now, publish: async (topic, payload) => void published.push({ topic, payload }) },
        req,
      ),
  };
  const base = await listening(await buildConsole(deps));
  return {
    store,
    base,
    published,
    setNow: (ms: number) => {
      now = ms;
    },
  };
}

async function session(base: string, name: string) {
  const cookie = cookieOf(await signIn(base, name)).split(';')[0] ?? '';
  const page = (url: string) => send(`${base}${url}`, { headers: { cookie } });
  const post = (url: string, form: Record<string, string>) =>
    send(`${base}${url}`, { method: 'POST', headers: { cookie }, form });
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await page('/residents/r-1')).body)?.[1] ?? '';
  return { cookie, page, post, csrf };
}

const commands = (store: HubStore) =>
  store.db.selectFrom('commands').select(['gateway', 'name', 'by', 'state', 'payload']).execute();
const audits = (store: HubStore) =>
  consoleDb(store.db).selectFrom('audit').selectAll().where('action', '=', 'mode').orderBy('at').execute();

describe('care mode from the console, on PostgreSQL over HTTP', () => {
  it("a carer sets visitor mode until a time: recorded, on the home's cmd/mode topic, audited, shown pending then confirmed", async () => {
    const { store, base, published } = await rig();
    const carl = await session(base, 'carl');
    const before = await carl.page('/residents/r-1');
    expect(before.body).toContain('No care mode has been set from the trust.');
    expect(before.body).toMatch(/<select id="mode" name="mode"><option value="away">away<\/option>/);
    expect(before.body).toContain('<option value="off">off</option>');
    const r = await carl.post('/residents/r-1/mode', {
      _csrf: carl.csrf,
      mode: 'visitor',
      until: '2026-03-02T18:00',
    });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/residents/r-1');
    const rows = await commands(store);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ gateway: 'gw-1', name: 'mode', by: 'carl', state: 'sent' });
    const cmd = JSON.parse(rows[0]?.payload ?? '{}') as { id: string };
    expect(published).toEqual([{ topic: 'hearth/v1/gw-1/cmd/mode', payload: rows[0]?.payload }]);
    expect(JSON.parse(published[0]?.payload ?? '{}')).toEqual({
      v: 1,
      id: cmd.id,
      mode: 'visitor',
      until: '2026-03-02T18:00:00+00:00',
      by: 'carl',
    });
    expect(await audits(store)).toEqual([
      expect.objectContaining({
        staff: 'carl',
        resident: 'r-1',
        target: 'gw-1',
        outcome: 'ok',
        detail: `visitor until 2026-03-02T18:00:00+00:00: ${cmd.id}`,
      }),
    ]);
    expect((await carl.page('/residents/r-1')).body).toMatch(
      /data-mode-state="sent">Care mode <strong>visitor<\/strong> until [^<]*18:00, asked by carl at [^<]*10:00: pending until the home answers\./,
    );
    // The home's answer settles it, as for an acknowledgement.
    const topic = 'hearth/v1/gw-1/cmd-result';
    const result = {
      v: 1,
      id: 'gw-1-result-mode',
      type: 'cmd_result',
      gateway: 'gw-1',
      resident: 'r-1',
      at: new Date(T0 + 1_000).toISOString(),
      command_id: cmd.id,
      command: 'mode',
      ok: true,
      detail: 'visitor mode until 18:00 (2026-03-02T18:00:00+00:00)',
    };
    await store.receive(received(topic, result, T0 + 1_000));
    expect((await carl.page('/residents/r-1')).body).toMatch(
      /data-mode-state="confirmed">Care mode <strong>visitor<\/strong>.*: confirmed by the home \(visitor mode until 18:00/,
    );
  });

  it('shows a damaged mode command as an unknown mode, on her page and the homes page, not a failed page', async () => {
    const { store, base } = await rig();
    const carl = await session(base, 'carl');
    await carl.post('/residents/r-1/mode', { _csrf: carl.csrf, mode: 'visitor', until: '2026-03-02T18:00' });
    await store.db.updateTable('commands').set({ payload: '{"mode":' }).where('name', '=', 'mode').execute();
    const page = await carl.page('/residents/r-1');
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/data-mode-state="sent">Care mode <strong>\?<\/strong>/);
    expect((await carl.page('/homes')).status).toBe(200);
  });

  it("refuses another carer's resident with 403 and an audit entry, and shows them no form", async () => {
    const { store, base, published } = await rig();
    const carl = await session(base, 'carl');
    const r = await carl.post('/residents/r-2/mode', {
      _csrf: carl.csrf,
      mode: 'away',
      until: '2026-03-03T10:00',
    });
    expect(r.status).toBe(403);
    expect(await commands(store)).toEqual([]);
    expect(published).toEqual([]);
    expect(await audits(store)).toEqual([
      expect.objectContaining({ staff: 'carl', resident: 'r-2', outcome: 'refused' }),
    ]);
    // An admin sees every home but does no care work: no form, and refused likewise.
    const ada = await session(base, 'ada');
    expect((await ada.page('/residents/r-1')).body).not.toContain('name="mode"');
    expect((await ada.post('/residents/r-1/mode', { _csrf: ada.csrf, mode: 'off', until: '' })).status).toBe(
      403,
    );
    // Her own carer may.
    const cara = await session(base, 'cara');
    expect(
      (await cara.post('/residents/r-2/mode', { _csrf: cara.csrf, mode: 'away', until: '2026-03-03T10:00' }))
        .status,
    ).toBe(303);
    expect(await commands(store)).toEqual([expect.objectContaining({ gateway: 'gw-2', by: 'cara' })]);
  });

  it('answers 400 naming the problem, sending nothing, for a bad mode or end time', async () => {
    const { store, base, published } = await rig();
    const olive = await session(base, 'olive');
    for (const [form, status, reason] of [
      [{ mode: 'visitor', until: 'tomorrow-ish' }, 400, /until: &quot;tomorrow-ish&quot; is not an end time/],
      [{ mode: 'visitor', until: '' }, 400, /until: a mode other than off needs an end time/],
      [{ mode: 'visitor', until: '2026-02-30T10:00' }, 400, /until: 2026-02-30T10:00 is not a real date/],
      [{ mode: 'away', until: '2026-03-02T09:00' }, 400, /until 2026-03-02T09:00:00\+00:00 is not ahead/],
      [
        { mode: 'paused', until: '2026-03-20T09:00' },
        400,
        /until 2026-03-20T09:00:00\+00:00 is too far: paused mode may be set for 7 days at most/,
      ],
      [
        { mode: 'holiday', until: '' },
        400,
        /mode: &quot;holiday&quot; is not one of away, visitor, paused, off/,
      ],
    ] as const) {
      const r = await olive.post('/residents/r-1/mode', { _csrf: olive.csrf, ...form });
      expect(r.status, form.until).toBe(status);
      expect(r.body).toMatch(reason);
    }
    expect(await commands(store)).toEqual([]);
    expect(published).toEqual([]);
    const failed = await audits(store);
    expect(failed).toHaveLength(6);
    expect(failed.every((e) => e.outcome === 'failed' && e.staff === 'olive')).toBe(true);
    // `off` needs no end time, and ignores one left in the form.
    const off = await olive.post('/residents/r-1/mode', { _csrf: olive.csrf, mode: 'off', until: 'x' });
    expect(off.status).toBe(303);
    expect(JSON.parse(published[0]?.payload ?? '{}')).toMatchObject({ mode: 'off', by: 'olive' });
    expect(JSON.parse(published[0]?.payload ?? '{}')).not.toHaveProperty('until');
  });

  it("refuses the form without the session's CSRF token: nothing sent, the refusal audited", async () => {
    const { store, base, published } = await rig();
    const carl = await session(base, 'carl');
    const r = await carl.post('/residents/r-1/mode', { mode: 'visitor', until: '2026-03-02T18:00' });
    expect(r.status).toBe(403);
    expect(r.body).toContain('This form has expired');
    const forged = await carl.post('/residents/r-1/mode', {
      _csrf: 'x'.repeat(32),
      mode: 'visitor',
      until: '2026-03-02T18:00',
    });
    expect(forged.status).toBe(403);
    // Sent from another site's page, with the token even: refused before anything is read.
    const cross = await send(`${base}/residents/r-1/mode`, {
      method: 'POST',
      headers: { cookie: carl.cookie, 'sec-fetch-site': 'cross-site' },
      form: { _csrf: carl.csrf, mode: 'visitor', until: '2026-03-02T18:00' },
    });
    expect(cross.status).toBe(403);
    expect(await commands(store)).toEqual([]);
    expect(published).toEqual([]);
    const refused = await consoleDb(store.db)
      .selectFrom('audit')
      .selectAll()
      .where('outcome', '=', 'refused')
      .execute();
    expect(refused.map((e) => [e.action, e.target, e.detail])).toEqual([
      ['post', '/residents/r-1/mode', 'CSRF token missing or wrong'],
      ['post', '/residents/r-1/mode', 'CSRF token missing or wrong'],
    ]);
  });
});
