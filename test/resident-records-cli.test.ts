// `hearth hub records load`, the real command on a hub file with its SQLite database: a file with
// mistakes changes nothing and names every one (record and field); a good file is loaded whole,
// audited per record with the fields it changed and no value; loaded again, only what changed is
// written.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { putStaff } from '../cloud-relay/hub/console/accounts.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { openDb, sqliteTarget } from '../cloud-relay/hub/db.ts';
import { recordDb, recordOf } from '../cloud-relay/hub/records.ts';
import { HubStore } from '../cloud-relay/hub/store.ts';
import { runHearth } from './helpers/cli.ts';
import { PASSWORD, T0, TEST_COST } from './helpers/console-rig.ts';
import { tempDir } from './helpers/tmp.ts';

const GOOD = `records:
  - resident: r-walk
    name: Edith Walker
    address: |-
      12 Orchard Row
      Leeds LS6 2AB
    callbackPhone: 07700 900123
    keySafe: "4711"
    nhsNumber: 943 476 5919
    nextOfKin:
      - { name: Jane Walker, relation: daughter, phone: 07700 900456 }
    responders:
      - { name: Carl Dunn, staff: carl }
  - resident: r-rose
    name: Rose Hill
    address: 3 Mill Lane, Otley
`;

const BAD = `records:
  - resident: r-walk
    name: Edith Walker
    address: 12 Orchard Row
    nhsNumber: "9434765918"
    responders:
      - { name: Nobody, staff: nobody }
  - resident: r-rose
    name: ${'R'.repeat(121)}
    address: 3 Mill Lane
    shoeSize: 5
`;

async function hubWithStaff(dir: string): Promise<string> {
  const file = join(dir, 'hub.json');
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      hub: { instance: 'records', timezone: 'Europe/London' },
      broker: { url: 'mqtt://127.0.0.1:1883' },
      database: { dir: join(dir, 'db') },
      web: { host: '127.0.0.1', port: 0 },
      homes: { expected: [{ gateway: 'gw-walk', resident: 'r-walk' }] },
    }),
  );
  const store = await open(dir);
  try {
    await putStaff(
      consoleDb(store.db),
      { name: 'carl', role: 'carer', password: PASSWORD, residents: [] },
      T0,
      {
        cost: TEST_COST,
      },
    );
  } finally {
    await store.close();
  }
  return file;
}

async function open(dir: string): Promise<HubStore> {
  const store = new HubStore(openDb(sqliteTarget(join(dir, 'db'))).db);
  await store.migrate();
  return store;
}

describe('hearth hub records load', () => {
  it('refuses a file with mistakes whole, naming each; loads a good one, audited by field', async () => {
    const dir = tempDir('hearth-records-cli-');
    const hub = await hubWithStaff(dir);
    const load = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return runHearth(['hub', 'records', 'load', join(dir, name), '--by', 'ada', '--config', hub]);
    };

    const bad = await load('bad.yaml', BAD);
    expect(bad.code).toBe(2);
    for (const p of [
      'record 1 (r-walk): NHS number has a wrong check digit (mistyped?)',
      'record 1 (r-walk): responder 1: there is no console account "nobody"',
      'record 2 (r-rose): name must be at most 120 characters',
      'record 2 (r-rose): unknown field "shoeSize"',
      '4 problem(s); nothing loaded',
    ])
      expect(bad.output).toContain(p);

    // Only a regular file is read, to its bound: /dev/zero would never end.
    const endless = await runHearth(['hub', 'records', 'load', '/dev/zero', '--by', 'ada', '--config', hub]);
    expect(endless.code).toBe(2);
    expect(endless.output).toContain('/dev/zero: not a regular file');
    const noName = await runHearth([
      'hub',
      'records',
      'load',
      join(dir, 'bad.yaml'),
      '--by',
      'a\tb',
      '--config',
      hub,
    ]);
    expect(noName.code).toBe(2);
    expect(noName.output).toContain('--by holds a control character');

    const good = await load('good.yaml', GOOD);
    expect(good.output).toContain('2 record(s): 2 added, 0 changed, 0 unchanged');
    expect(good.code).toBe(0);
    const again = await load('again.yaml', GOOD.replace('"4711"', '"8800"'));
    expect(again.output).toContain('2 record(s): 0 added, 1 changed, 1 unchanged');

    const store = await open(dir);
    try {
      const walk = await recordOf(recordDb(store.db), 'r-walk');
      expect(walk && 'record' in walk ? walk.record : null).toMatchObject({
        name: 'Edith Walker',
        address: '12 Orchard Row\nLeeds LS6 2AB',
        keySafe: '8800',
        nhsNumber: '9434765919',
        responders: [{ name: 'Carl Dunn', staff: 'carl' }],
      });
      const lines = await consoleDb(store.db)
        .selectFrom('audit')
        .select(['staff', 'action', 'resident', 'target', 'detail'])
        .where('action', '=', 'edit-record')
        .orderBy('at')
        .orderBy('resident')
        .execute();
      expect(lines).toEqual([
        {
          staff: 'ada',
          action: 'edit-record',
          resident: 'r-rose',
          target: 'file',
          detail: 'changed: name, address',
        },
        {
          staff: 'ada',
          action: 'edit-record',
          resident: 'r-walk',
          target: 'file',
          detail:
            'changed: name, address, call-back phone, key-safe code, NHS number, next of kin, responders',
        },
        {
          staff: 'ada',
          action: 'edit-record',
          resident: 'r-walk',
          target: 'file',
          detail: 'changed: key-safe code',
        },
      ]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
