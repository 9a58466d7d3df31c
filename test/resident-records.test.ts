// A resident's record at the trust, over HTTP on both of the hub's databases: an admin saves it
// through the form and it is stored; an operator and a carer of another resident may not edit it,
// nor that carer read it; her own carer and an operator read it; every view and edit is audited
// with the fields changed and never a value; an NHS number with a wrong check digit and an
// oversize field are refused, every problem named at once. The schema's own rules, purely.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putStaff } from '../cloud-relay/hub/console/accounts.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { type DbTarget, sqliteTarget } from '../cloud-relay/hub/db.ts';
import { recordDb, recordOf } from '../cloud-relay/hub/records.ts';
import { nhsCheckOk, recordSchema, telHref } from '../cloud-relay/hub/resident-record.ts';
import {
  consoleRig,
  cookieOf,
  folder,
  PASSWORD,
  send,
  signIn,
  T0,
  TEST_COST,
} from './helpers/console-rig.ts';
import { received } from './helpers/hub-backends.ts';
import { alert } from './helpers/hub-messages.ts';
import { type Postgres, startPostgres } from './helpers/postgres.ts';

let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

let count = 0;
const BACKENDS: { name: string; target: () => Promise<DbTarget> }[] = [
  { name: 'embedded SQLite', target: async () => sqliteTarget(join(folder('hearth-records-'), 'db')) },
  {
    name: 'PostgreSQL',
    target: async () => ({
      kind: 'postgres',
      url: await pg.createDatabase(`records_${process.pid}_${++count}`),
    }),
  },
];

/** What the admin types: a valid NHS number (943 476 5919 passes modulus 11), two of kin, a responder. */
const FORM = {
  name: 'Edith Walker',
  address: '12 Orchard Row\nLeeds LS6 2AB',
  phone: '0113 496 0001',
  callbackPhone: '07700 900123',
  keySafe: '4711',
  accessNotes: 'Key safe left of the back door.',
  medicalNotes: 'Type 2 diabetes; warfarin.',
  nhsNumber: '943 476 5919',
  'kin0-name': 'Jane Walker',
  'kin0-relation': 'daughter',
  'kin0-phone': '07700 900456',
  'kin1-name': 'Tom Walker',
  'kin1-phone': '+44 20 7946 0958',
  'resp0-name': 'Carl Dunn',
  'resp0-role': 'carer',
  'resp0-staff': 'carl',
};

async function world(target: DbTarget) {
  const rig = await consoleRig(target);
  await rig.store.expectHomes(
    [
      { gateway: 'gw-1', resident: 'r-1', heartbeatMs: 60_000 },
      { gateway: 'gw-2', resident: 'r-2', heartbeatMs: 60_000 },
    ],
    T0,
  );
  await putStaff(
    consoleDb(rig.store.db),
    { name: 'cara', role: 'carer', password: PASSWORD, residents: ['r-2'] },
    T0,
    { cost: TEST_COST },
  );
  await rig.store.receive(received('hearth/v1/gw-1/alert', alert('gw-1', 'r-1', 'a-1', 'raised', T0), T0));
  const as = async (name: string) => {
    const cookie = cookieOf(await signIn(rig.base, name)).split(';')[0] ?? '';
    const get = (url: string) => send(`${rig.base}${url}`, { headers: { cookie } });
    const queue = await get('/');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(queue.body)?.[1] ?? '';
    const post = (url: string, form: Record<string, string>) =>
      send(`${rig.base}${url}`, { method: 'POST', headers: { cookie }, form: { _csrf: csrf, ...form } });
    return { get, post };
  };
  const audits = () =>
    consoleDb(rig.store.db)
      .selectFrom('audit')
      .select(['staff', 'action', 'resident', 'target', 'outcome', 'detail'])
      .where('action', 'in', ['view-record', 'edit-record'])
      .orderBy('at')
      .execute();
  return { rig, as, audits };
}

describe.each(BACKENDS)('resident records on $name', ({ target }) => {
  it('an admin saves a record; an operator and her carer read it; nobody else edits or reads it; all audited without values', async () => {
    const { rig, as, audits } = await world(await target());
    const ada = await as('ada');
    const olive = await as('olive');
    const carl = await as('carl');
    const cara = await as('cara');

    const before = await olive.get('/alerts/gw-1/a-1');
    expect(before.body).toContain('No record at the trust for r-1.');
    expect(before.body).not.toContain('Add her record');
    expect((await ada.get('/alerts/gw-1/a-1')).body).toContain('href="/admin/records/r-1">Add her record');
    expect((await ada.get('/')).body).toMatch(
      /<p class="record-line muted">No record at the trust for r-1\. <a href="\/admin\/records\/r-1">Add her record<\/a>/,
    );

    const saved = await ada.post('/admin/records/r-1', FORM);
    expect(saved.status).toBe(303);
    const stored = await recordOf(recordDb(rig.store.db), 'r-1');
    expect(stored && 'record' in stored ? stored.record : null).toMatchObject({
      name: 'Edith Walker',
      nhsNumber: '9434765919',
      keySafe: '4711',
      nextOfKin: [
        { name: 'Jane Walker', relation: 'daughter', phone: '07700 900456' },
        { name: 'Tom Walker', phone: '+44 20 7946 0958' },
      ],
      responders: [{ name: 'Carl Dunn', role: 'carer', staff: 'carl' }],
    });

    // Refused: an operator's and a carer's edit, another carer's read.
    expect((await olive.post('/admin/records/r-1', { ...FORM, name: 'Someone Else' })).status).toBe(403);
    expect((await carl.post('/admin/records/r-1', { ...FORM, name: 'Someone Else' })).status).toBe(403);
    expect((await cara.post('/admin/records/r-1', { ...FORM, name: 'Someone Else' })).status).toBe(403);
    expect((await cara.get('/residents/r-1/record')).status).toBe(403);
    expect((await cara.get('/alerts/gw-1/a-1')).status).toBe(403);
    const after = await recordOf(recordDb(rig.store.db), 'r-1');
    expect(after && 'record' in after ? after.record.name : null).toBe('Edith Walker');

    // Read: her own carer, the operator (the alert page with the key-safe code folded away).
    const mine = await carl.get('/residents/r-1/record');
    expect(mine.status).toBe(200);
    expect(mine.body).toContain('Edith Walker');
    expect(mine.body).toContain('href="tel:+447700900456"');
    expect(mine.body).not.toContain('4711');
    const residentPage = await carl.get('/residents/r-1');
    expect(residentPage.body).toContain('<dd id="record-name">Edith Walker</dd>');
    expect(residentPage.body).not.toContain('4711');
    const onAlert = await olive.get('/alerts/gw-1/a-1');
    expect(onAlert.body).toMatch(
      /<details class="key-safe"><summary>Show the key-safe code<\/summary>.*4711/s,
    );
    expect(onAlert.body).toContain('href="tel:+442079460958"');
    expect(onAlert.body).toContain('943 476 5919');
    expect(onAlert.body).toContain('console carl, not on her ladder');
    const queue = await olive.get('/');
    expect(queue.body).toMatch(
      /<p class="record-line"><strong>Edith Walker<\/strong>, 12 Orchard Row, Leeds LS6 2AB/,
    );
    expect(queue.body).toContain('href="tel:+447700900123"');
    expect(queue.body).not.toContain('4711');
    expect(queue.body).not.toContain('warfarin');

    // A second edit changes two fields: the line names them, not what they became.
    expect(
      (await ada.post('/admin/records/r-1', { ...FORM, keySafe: '9922', medicalNotes: 'None.' })).status,
    ).toBe(303);
    const lines = await audits();
    const edits = lines.filter((l) => l.action === 'edit-record');
    expect(edits.map((l) => [l.staff, l.outcome, l.detail])).toEqual([
      ['ada', 'ok', expect.stringMatching(/^changed: name, address, phone, call-back phone, key-safe code/)],
      ['olive', 'refused', 'POST /admin/records/r-1'],
      ['carl', 'refused', 'POST /admin/records/r-1'],
      ['cara', 'refused', 'POST /admin/records/r-1'],
      ['ada', 'ok', 'changed: key-safe code, medical notes'],
    ]);
    const views = lines.filter((l) => l.action === 'view-record');
    expect(views).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ staff: 'carl', resident: 'r-1', target: 'record page', outcome: 'ok' }),
        expect.objectContaining({ staff: 'carl', resident: 'r-1', target: 'resident page', outcome: 'ok' }),
        expect.objectContaining({ staff: 'olive', resident: 'r-1', target: 'gw-1/a-1', outcome: 'ok' }),
        expect.objectContaining({ staff: 'olive', resident: 'r-1', target: 'queue', outcome: 'ok' }),
        expect.objectContaining({ staff: 'cara', resident: 'r-1', outcome: 'refused' }),
      ]),
    );
    const text = JSON.stringify(lines);
    for (const value of ['4711', '9922', 'Edith', 'Orchard', 'warfarin', '9434765919', '07700'])
      expect(text).not.toContain(value);
  });

  it('refuses a wrong NHS check digit and oversize fields, naming every problem at once', async () => {
    const { rig, as, audits } = await world(await target());
    const ada = await as('ada');
    const r = await ada.post('/admin/records/r-1', {
      ...FORM,
      nhsNumber: '943 476 5918',
      address: 'x'.repeat(301),
      medicalNotes: 'm'.repeat(2001),
      'kin1-phone': 'call the shop',
      'resp0-staff': 'nobody',
    });
    expect(r.status).toBe(400);
    const problems = [...r.body.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]);
    expect(problems).toEqual(
      expect.arrayContaining([
        'address must be at most 300 characters',
        'medical notes must be at most 2000 characters',
        'NHS number has a wrong check digit (mistyped?)',
        'next of kin 2: phone is not a phone number (digits, spaces and + ( ) - . only)',
        'responder 1: there is no console account &quot;nobody&quot;',
      ]),
    );
    // What was typed comes back to be corrected.
    expect(r.body).toContain('value="943 476 5918"');
    expect(await recordOf(recordDb(rig.store.db), 'r-1')).toBeNull();
    expect(await audits()).toEqual([
      expect.objectContaining({ action: 'edit-record', outcome: 'refused', detail: '5 problems' }),
    ]);
  });
});

describe('the record schema', () => {
  it('checks NHS numbers by modulus 11 and dials UK numbers in E.164', () => {
    expect(['9434765919', '4010232137'].map(nhsCheckOk)).toEqual([true, true]);
    // A wrong check digit, a check of 10 (never issued), too short.
    expect(['9434765918', '0000000060', '943476591'].map(nhsCheckOk)).toEqual([false, false, false]);
    expect(telHref('0113 496 0001')).toBe('tel:+441134960001');
    expect(telHref('+44 (0)20 7946 0958')).toBe('tel:+442079460958');
    expect(telHref('0044 7700 900123')).toBe('tel:+447700900123');
    expect(telHref('+353 1 234 5678')).toBe('tel:+35312345678');
    expect(telHref('999')).toBe('tel:999');
  });

  it('bounds the lists and refuses unknown fields', () => {
    const base = { resident: 'r-1', name: 'A', address: 'B' };
    const kin = { name: 'K', phone: '01134960001' };
    expect(recordSchema.safeParse({ ...base, nextOfKin: Array(7).fill(kin) }).success).toBe(false);
    expect(recordSchema.safeParse({ ...base, nextOfKin: Array(6).fill(kin) }).success).toBe(true);
    expect(recordSchema.safeParse({ ...base, shoeSize: 5 }).success).toBe(false);
    expect(recordSchema.safeParse({ ...base, name: 'A\u0000' }).success).toBe(false);
  });
});
