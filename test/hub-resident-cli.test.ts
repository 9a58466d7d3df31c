// `hearth hub resident export` and `erase` as an administrator runs them against a hub file: the
// export written readable by its owner only; an erasure on SQLite that leaves her home's id in no
// byte of the database file; on PostgreSQL a VACUUM and a sentence on what it does not do; and
// hostile input (an unknown resident, a bad date, an id with odd characters) refused by name.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentEraseCommand, residentExportCommand } from '../cloud-relay/hub/cli/resident.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { openDb } from '../cloud-relay/hub/db.ts';
import { dbTarget } from '../cloud-relay/hub/hub.ts';
import { HubStore } from '../cloud-relay/hub/store.ts';
import type { HubConfig } from '../config/hub-schema.ts';
import { loadHubConfig } from '../config/load.ts';
import { runHearth } from './helpers/cli.ts';
import { type Postgres, startPostgres } from './helpers/postgres.ts';
import { DAY, PUSH_EFFECTS, seedResident, seedStaff } from './helpers/resident-seed.ts';
import { tempDir } from './helpers/tmp.ts';

const A = { gw: 'gw-ada', r: 'ada-1' };
const B = { gw: 'gw-bo', r: 'bo-2' };
const T0 = Date.parse('2026-03-02T10:00:00Z');
const NOW = T0 + 30 * DAY;

let pg: Postgres | undefined;
let count = 0;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

/** A hub file over a database seeded with two residents; SQLite in its folder, or a new PostgreSQL database. */
async function hubWithTwo(postgres: boolean) {
  const dir = tempDir('hearth-hub-rights-');
  const file = join(dir, 'hub.yaml');
  const url = postgres ? await pg?.createDatabase(`rights_${process.pid}_${++count}`) : undefined;
  writeFileSync(
    file,
    [
      'version: 1',
      'hub: { timezone: Europe/London }',
      'broker: { url: "mqtt://broker.invalid" }',
      url ? `database: { url: "${url}" }` : 'database: { dir: data }',
      `homes: { expected: [{ gateway: ${A.gw}, resident: ${A.r} }] }`,
      '',
    ].join('\n'),
  );
  const { config, problems } = loadHubConfig(file, { strictRefs: true });
  if (!config) throw new Error(JSON.stringify(problems));
  const store = new HubStore(openDb(dbTarget(config, file)).db, PUSH_EFFECTS);
  await store.migrate();
  await seedStaff(store, [A.r, B.r], T0);
  await seedResident(store, { ...A, t: T0, tag: 'a' });
  await seedResident(store, { ...B, t: T0, tag: 'b' });
  await store.close();
  return { dir, file, config };
}

/** The hub's audit lines, read from its database. */
async function withAudit(config: HubConfig, file: string) {
  const store = new HubStore(openDb(dbTarget(config, file)).db);
  try {
    return await consoleDb(store.db).selectFrom('audit').selectAll().execute();
  } finally {
    await store.close();
  }
}

describe('hearth hub resident', () => {
  it('exports to a file only its owner can read, and erases on SQLite so that no byte of the file holds her home', async () => {
    const { dir, file, config } = await hubWithTwo(false);
    const out = join(dir, 'ada.json');
    const ex = await residentExportCommand(config, file, A.r, { out, by: 'dpo-1' }, NOW);
    expect(ex).toEqual({ code: 0, text: expect.stringMatching(/ada\.json: \d+ records about ada-1/) });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.tables.alerts).toHaveLength(3);
    const db = join(dir, 'data', 'hub.db');
    expect(readFileSync(db).includes(A.gw)).toBe(true);

    const r = await residentEraseCommand(config, file, A.r, { by: 'dpo-1' }, NOW);
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/^erased \d+ records about ada-1 \(home gw-ada\):/);
    expect(r.text).toContain('zeroed (secure_delete), the file rewritten without them (VACUUM)');
    // The hub file still lists her home: said, so it does not come back unnoticed.
    expect(r.text).toContain('still lists gw-ada for ada-1 under homes.expected');
    // Seeded 30 days before NOW: not heard lately, so no warning that it still sends.
    expect(r.text).not.toContain('was heard');
    for (const f of [db, `${db}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(f);
      } catch {
        continue;
      }
      expect({ f, holds: bytes.includes(A.gw) }).toEqual({ f, holds: false });
      expect({ f, holds: bytes.includes('Found on the floor') }).toEqual({ f, holds: bytes.includes(B.gw) });
    }
  });

  it('erases on PostgreSQL and says what VACUUM does not return', async () => {
    const { file, config } = await hubWithTwo(true);
    const r = await residentEraseCommand(
      config,
      file,
      A.r,
      { before: '2026-03-02T10:30:00Z' },
      T0 + 3_600_000,
    );
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/^erased \d+ records about ada-1 older than 2026-03-02T10:30:00Z/);
    expect(r.text).toContain('PostgreSQL: VACUUM marked the deleted rows as free space');
    expect(r.text).toMatch(/gw-ada was heard 48 m ago: while it sends, her alerts and days arrive again/);
    const again = await residentExportCommand(config, file, A.r, {}, NOW);
    const doc = JSON.parse(again.text);
    expect(doc.tables.alerts).toEqual([]);
    expect(doc.tables.homes).toHaveLength(1);
  });

  it('refuses an unknown resident, a bad date and an id with odd characters, naming the problem', async () => {
    const { file, config } = await hubWithTwo(false);
    const erase = (id: string, before?: string) =>
      residentEraseCommand(config, file, id, before === undefined ? {} : { before }, NOW);
    expect(await erase('ada-2')).toEqual({
      code: 2,
      text: expect.stringContaining('the hub holds nothing about a resident "ada-2"'),
    });
    expect(await erase(A.r, '2026-02-31')).toEqual({
      code: 2,
      text: expect.stringContaining('"2026-02-31" is not a real date'),
    });
    expect(await erase(A.r, 'last tuesday')).toEqual({
      code: 2,
      text: expect.stringContaining('"last tuesday" is not a date such as 2025-06-30'),
    });
    expect(await erase(A.r, '2027-01-01')).toEqual({
      code: 2,
      text: expect.stringContaining('is in the future'),
    });
    expect(await erase('ada-1\n')).toEqual({ code: 2, text: expect.stringContaining('a control character') });
    expect(await erase(' ada-1')).toEqual({
      code: 2,
      text: expect.stringContaining('begins or ends with a space'),
    });
    expect(await erase('x'.repeat(65))).toEqual({ code: 2, text: expect.stringContaining('at most 64') });
    // A LIKE wildcard is an id like any other: it matches nobody, not everybody.
    expect(await erase('%')).toEqual({
      code: 2,
      text: expect.stringContaining('nothing about a resident "%"'),
    });
    // Who asks goes into the audit log: bounded, one line.
    expect(await residentEraseCommand(config, file, A.r, { by: 'dpo\nerase-resident ok' }, NOW)).toEqual({
      code: 2,
      text: expect.stringContaining('--by holds a control character'),
    });
    expect(await residentEraseCommand(config, file, A.r, { by: 'd'.repeat(101) }, NOW)).toEqual({
      code: 2,
      text: expect.stringContaining('a name has at most 100'),
    });
    // An export that cannot be written is refused, and not audited as given.
    const unwritable = join(tempDir('hearth-hub-rights-out-'), 'no-such-folder', 'ada.json');
    expect(await residentExportCommand(config, file, A.r, { out: unwritable, by: 'dpo-1' }, NOW)).toEqual({
      code: 2,
      text: expect.stringContaining('no-such-folder'),
    });
    const lines = await withAudit(config, file);
    expect(lines.filter((l) => l.action === 'export-resident')).toEqual([]);
    // Nothing was erased by any of them.
    const doc = JSON.parse((await residentExportCommand(config, file, A.r, {}, NOW)).text);
    expect(doc.tables.alerts).toHaveLength(3);
    // The command line says the same on stderr, with exit code 2.
    const cli = await runHearth(['hub', 'resident', 'erase', 'ada-2', '--config', file]);
    expect(cli.code).toBe(2);
    expect(cli.output).toContain('hearth hub resident erase: the hub holds nothing about a resident "ada-2"');
  });
});
