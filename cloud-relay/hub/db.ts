// Opens the hub's database: PostgreSQL when a URL is given (production, shared by every
// instance), else an embedded SQLite file (one instance, nothing installed). One Kysely either way.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type pgModule from 'pg';
import type { HubDb } from './tables.ts';

export type DbTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; file: string };
export type OpenDb = { db: Kysely<HubDb>; target: DbTarget; close(): Promise<void> };

// int8 (bigint) comes back from pg as text by default; the hub's are epoch ms and counts, well
// inside a double's exact range.
const INT8_OID = 20;
const typesOf = (pg: typeof pgModule) => ({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
});

/** pg is loaded only for PostgreSQL: an embedded hub does not carry the client in its memory. */
const loadPg = (): typeof pgModule => createRequire(import.meta.url)('pg') as typeof pgModule;

export function sqliteTarget(dir: string): DbTarget {
  return { kind: 'sqlite', file: join(dir, 'hub.db') };
}

export function openDb(target: DbTarget, opts: { poolSize?: number } = {}): OpenDb {
  if (target.kind === 'postgres') {
    const pg = loadPg();
    const pool = new pg.Pool({ connectionString: target.url, max: opts.poolSize ?? 4, types: typesOf(pg) });
    // An idle client that loses its server emits here; unhandled it would end the process.
    pool.on('error', () => {});
    const db = new Kysely<HubDb>({ dialect: new PostgresDialect({ pool }) });
    return { db, target, close: () => db.destroy() };
  }
  mkdirSync(join(target.file, '..'), { recursive: true });
  const sqlite = new Database(target.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  // No busy timeout: HubStore waits for a busy file without blocking the thread.
  sqlite.pragma('busy_timeout = 0');
  const db = new Kysely<HubDb>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, target, close: () => db.destroy() };
}
