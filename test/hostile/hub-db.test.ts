// The hub's embedded database holds every home's alerts and the console's accounts: only the
// hub's own user may read it, whatever the umask of the shell or unit that started the hub.
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openDb, sqliteTarget } from '../../cloud-relay/hub/db.ts';
import { tempDir } from '../helpers/tmp.ts';

const modes = (...paths: string[]) => paths.map((p) => (statSync(p).mode & 0o777).toString(8));

/** The most permissive umask there is, for the rest of this test. */
function umaskNone(): void {
  const before = process.umask(0);
  onTestFinished(() => void process.umask(before));
}

describe("the hub's embedded database", () => {
  it('is created 0600 in a folder 0700, its WAL and shared-memory files too, even under umask 000', async () => {
    umaskNone();
    const dir = join(tempDir(), 'hub-data');
    const target = sqliteTarget(dir);
    const { db, close } = openDb(target);
    await sql`create table t (x integer)`.execute(db);
    await sql`insert into t values (1)`.execute(db);
    const file = join(dir, 'hub.db');
    expect(modes(dir, file, `${file}-wal`, `${file}-shm`)).toEqual(['700', '600', '600', '600']);
    await close();
  });

  it('left readable by an older hub, is made 0600 when opened, its WAL and shared-memory files too', async () => {
    umaskNone();
    const dir = tempDir();
    const file = join(dir, 'hub.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec('create table t (x integer); insert into t values (1)');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) chmodSync(f, 0o644);
    const { close } = openDb(sqliteTarget(dir));
    expect(modes(file, `${file}-wal`, `${file}-shm`)).toEqual(['600', '600', '600']);
    await close();
    old.close();
  });
});
