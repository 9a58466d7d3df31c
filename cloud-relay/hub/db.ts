// Opens the hub's database: PostgreSQL when a URL is given (production, shared by every
// instance), else an embedded SQLite file (one instance, nothing installed). One Kysely either way.
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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

/** Connecting to PostgreSQL: a server that has not answered by then is not there. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * A query without an answer this long: its connection is taken as lost. Far above anything the
 * hub asks (its retention deletes go in batches), so only a silent server meets it.
 */
const QUERY_TIMEOUT_MS = 60_000;

/** pg is loaded only for PostgreSQL: an embedded hub does not carry the client in its memory. */
export const loadPg = (): typeof pgModule => createRequire(import.meta.url)('pg') as typeof pgModule;

export function sqliteTarget(dir: string): DbTarget {
  return { kind: 'sqlite', file: join(dir, 'hub.db') };
}

/**
 * The embedded database holds every home's alerts and the console's accounts: its folder is made
 * 0700 and its files 0600 whatever the umask. SQLite gives its WAL and shared-memory files the
 * database file's mode, so the file is made here before SQLite opens it; files an older hub left
 * readable are tightened.
 */
function makePrivate(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`])
    try {
      chmodSync(f, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
}

export function openDb(target: DbTarget, opts: { poolSize?: number } = {}): OpenDb {
  if (target.kind === 'postgres') {
    const pg = loadPg();
    const pool = new pg.Pool({
      connectionString: target.url,
      max: opts.poolSize ?? 4,
      types: typesOf(pg),
      // A server that does not answer (a black-holed address, a hung machine) fails a connect
      // or a query after these, and the caller retries, instead of waiting on it for ever; TCP
      // keepalive finds idle connections to a machine that went away.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
    });
    // An idle client that loses its server emits here; unhandled it would end the process.
    pool.on('error', () => {});
    // So does a client in use between two queries (a server shut down or killed mid-transaction),
    // and the pool listens only while it is idle: the client then refuses its next query, which
    // is retried, and the pool drops it when it comes back.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<HubDb>({ dialect: new PostgresDialect({ pool }) });
    return { db, target, close: () => db.destroy() };
  }
  makePrivate(target.file);
  const sqlite = new Database(target.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  // No busy timeout: HubStore waits for a busy file without blocking the thread.
  sqlite.pragma('busy_timeout = 0');
  // A deleted row's bytes are overwritten, not left in the file's free pages: what retention or
  // an erasure deletes cannot be read back from the file (README: Data protection).
  sqlite.pragma('secure_delete = ON');
  const db = new Kysely<HubDb>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, target, close: () => db.destroy() };
}
