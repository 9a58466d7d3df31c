// Opening the SQLite file (better-sqlite3): how it meets the SD card, and its schema brought up to
// date. One process owns the file: it is opened in exclusive locking mode, which also refuses a
// second gateway on the same database and keeps WAL's index in memory rather than in a -shm file.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreLockedError, StoreTooNewError } from './errors.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';

/** Small pages: a commit rewrites a handful of pages, and 1 KB ones cost a quarter of 4 KB ones. */
export const PAGE_SIZE = 1024;
/** Checkpoints every ~10 MB of WAL: a page changed many times between two is copied back once. */
export const CHECKPOINT_PAGES = 10_000;

export type Sqlite = Database.Database;

/** A repository's statements, by the names of its table of SQL. */
export type Statements<T> = Record<keyof T, Database.Statement>;

/** Prepares a repository's statements once, from its table of SQL. */
export function prepareAll<T extends Record<string, string>>(db: Sqlite, sql: T): Statements<T> {
  const out = {} as Statements<T>;
  for (const k of Object.keys(sql) as (keyof T & string)[]) out[k] = db.prepare(sql[k] as string);
  return out;
}

/** Opens (creating, migrating) the database file; 'off' never waits for the disk (replays). */
export function openDatabase(path: string, durability: 'normal' | 'off'): Sqlite {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 0 });
  try {
    // Order matters: exclusive locking must be set before the first WAL access.
    db.pragma('locking_mode = EXCLUSIVE');
    // Takes effect only on a new database (a database's page size is fixed once it has tables).
    db.pragma(`page_size = ${PAGE_SIZE}`);
    // Before anything writes (even the journal mode): a newer Hearth's database is left as it is.
    refuseNewer(db, path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'off' ? 'OFF' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
    migrate(db, path);
  } catch (e) {
    db.close();
    throw lockedOr(e, path);
  }
  return db;
}

/** SQLITE_BUSY on opening means another process holds the file: said so a person can act on it. */
export function lockedOr(e: unknown, path: string): unknown {
  return (e as { code?: string }).code === 'SQLITE_BUSY' ? new StoreLockedError(path) : e;
}

function refuseNewer(db: Sqlite, path: string): void {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return;
  const found = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null })
    .v;
  if (found !== null && found > SCHEMA_VERSION) throw new StoreTooNewError(path, found, SCHEMA_VERSION);
}

function migrate(db: Sqlite, path: string): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const current =
    (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  if (current > SCHEMA_VERSION) throw new StoreTooNewError(path, current, SCHEMA_VERSION);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
  }
}
