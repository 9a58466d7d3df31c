// The database across upgrades and damage: forward-only migrations from every earlier schema,
// a newer Hearth's database left untouched, a corrupt one moved aside and replaced from backup.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/log.ts';
import { KEEP_BACKUPS, listBackups } from '../gateway/store/backup.ts';
import { StoreTooNewError } from '../gateway/store/errors.ts';
import { sqliteOf } from '../gateway/store/inspect.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../gateway/store/migrations.ts';
import { openChecked } from '../gateway/store/recover.ts';
import { Store } from '../gateway/store/store.ts';
import { startHearth } from './helpers/cli.ts';
import { homeFile } from './helpers/home-file.ts';
import { databaseAtSchema } from './helpers/old-database.ts';
import { tempDir } from './helpers/tmp.ts';

const quiet = createLogger({ level: 'silent' });
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A database as a Hearth of schema `version` left it, with one reading in it when it can hold one. */
function databaseAt(file: string, version: number): void {
  const db = databaseAtSchema(file, version);
  if (version >= 1)
    db.prepare(
      "INSERT INTO events (at, device, kind, value, room) VALUES (1000, 'hall-motion', 'motion', 'true', 'hall')",
    ).run();
  db.close();
}

/** Overwrites one page in the middle of the file with garbage, as a failing card might. */
function damage(file: string, page = 2): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, (page - 1) * 4096);
  closeSync(fd);
}

describe('schema upgrades', () => {
  for (let from = 0; from < SCHEMA_VERSION; from++) {
    it(`upgrades a database of schema ${from} to ${SCHEMA_VERSION}, keeping what it held`, () => {
      const file = join(tempDir(), 'hearth.db');
      databaseAt(file, from);
      const store = Store.open(file);
      const versions = sqliteOf(store)
        .prepare('SELECT version FROM schema_migrations ORDER BY version')
        .pluck()
        .all();
      expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
      if (from >= 1) expect(store.events.lastOf('hall-motion')).toMatchObject({ at: 1000, value: true });
      store.days.putSummary('2026-03-01', { ok: true }, 1);
      store.days.logAlert(1, 'a1', 'inactivity', 'raised');
      store.close();
      expect(Store.open(file).meta.get('opened_at')).toBeDefined();
    });
  }

  it('refuses a database from a newer Hearth with a clear message, and leaves it byte for byte', () => {
    const file = join(tempDir(), 'hearth.db');
    databaseAt(file, SCHEMA_VERSION);
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(
      SCHEMA_VERSION + 1,
      'future',
      '2027-01-01',
    );
    db.close();
    const before = sha(file);
    expect(() => Store.open(file)).toThrow(StoreTooNewError);
    expect(() => openChecked(file, quiet, Date.now())).toThrow(
      `was written by a newer Hearth (schema ${SCHEMA_VERSION + 1}; this one knows up to ${SCHEMA_VERSION}); it was left untouched: upgrade Hearth`,
    );
    expect(sha(file)).toBe(before);
    expect(readdirSync(join(file, '..'))).toEqual(['hearth.db']);
  });
});

describe('backups and recovery', () => {
  it(`keeps the newest ${KEEP_BACKUPS} backups, each one a database that opens`, async () => {
    const file = join(tempDir(), 'hearth.db');
    const store = Store.open(file);
    for (let day = 1; day <= KEEP_BACKUPS + 2; day++) {
      store.days.putSummary(`2026-03-0${day}`, { day }, day);
      await store.backup(Date.parse(`2026-03-0${day}T03:15:00Z`));
    }
    store.close();
    const kept = listBackups(file);
    expect(kept.map((b) => b.file.replace(/.*\//, ''))).toEqual([
      'hearth-20260305T031500Z.db',
      'hearth-20260304T031500Z.db',
      'hearth-20260303T031500Z.db',
    ]);
    const newest = new Database(kept[0]?.file ?? '', { readonly: true });
    expect(newest.prepare('SELECT count(*) FROM summaries').pluck().get()).toBe(5);
    newest.close();
  });

  it('moves a corrupt database aside and restores the newest good backup', async () => {
    const dir = tempDir();
    const file = join(dir, 'hearth.db');
    const store = Store.open(file);
    store.ruleStates.put('inactivity', { quietSince: 42 }, 99, 1);
    for (let i = 0; i < 2000; i++)
      store.events.append({ at: i, device: 'd', kind: 'motion', value: true, room: 'hall', role: null });
    await store.backup(Date.parse('2026-03-01T03:15:00Z'));
    store.close();
    damage(file, 3);
    const { store: restored, recovery } = openChecked(file, quiet, Date.parse('2026-03-01T12:00:00Z'));
    expect(recovery?.backup?.file).toMatch(/hearth-20260301T031500Z\.db$/);
    expect(recovery?.problem).not.toBe('');
    expect(restored.ruleStates.get('inactivity')).toEqual({ state: { quietSince: 42 }, wakeAt: 99 });
    restored.close();
    const aside = readdirSync(dir).filter((n) => n.startsWith('hearth.db.corrupt-'));
    expect(aside).toEqual(['hearth.db.corrupt-20260301T120000Z']);
  });

  it('starts afresh when no backup is good, and says so', () => {
    const dir = tempDir();
    const file = join(dir, 'hearth.db');
    Store.open(file).close();
    damage(file, 1);
    const { store, recovery } = openChecked(file, quiet, Date.now());
    expect(recovery).toMatchObject({ backup: null, problem: expect.stringMatching(/not a database/) });
    expect(store.ruleStates.all()).toEqual([]);
    store.close();
  });

  it('hearth run replaces a damaged database from its backup at the next start, queues the info alert, and runs', async () => {
    const dir = tempDir();
    const home = await homeFile(dir);
    let gw = startHearth(['run', '--config', home.file], home.env);
    await gw.waitFor(/database backed up/);
    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
    damage(home.db, 2);
    gw = startHearth(['run', '--config', home.file], home.env);
    await gw.waitFor(/gateway running/);
    expect(gw.output()).toMatch(/the database is corrupt/);
    expect(gw.output()).toMatch(/restored the database from the backup/);
    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
    expect(readdirSync(dir).some((n) => n.startsWith('hearth.db.corrupt-'))).toBe(true);
    const db = new Database(home.db, { readonly: true });
    const alert = JSON.parse(
      db.prepare("SELECT payload FROM outbox WHERE type = 'alert'").pluck().get() as string,
    );
    db.close();
    expect(alert).toMatchObject({ rule: 'storage', state: 'raised', severity: 'info' });
    expect(alert.reason).toMatch(
      /^The database was found damaged at start and restored from the backup of \d{4}-\d\d-\d\d \d\d:\d\d; readings/,
    );
  });

  it('hearth run starts after a power cut took the -wal file with it', async () => {
    const home = await homeFile(tempDir());
    let gw = startHearth(['run', '--config', home.file], home.env);
    await gw.waitFor(/gateway running/);
    gw.child.kill('SIGKILL');
    await gw.exited;
    rmSync(`${home.db}-wal`, { force: true });
    expect(existsSync(home.db)).toBe(true);
    gw = startHearth(['run', '--config', home.file], home.env);
    await gw.waitFor(/gateway running/);
    expect(gw.output()).not.toMatch(/corrupt/);
    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
  });
});
