// After an erasure, the space the deleted rows took, as far as each backend gives it back, and a
// sentence saying what it did and did not do: a deleted row is not yet gone from the disk.
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { HubDb } from './tables.ts';

export const isPostgres = (db: Kysely<HubDb>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/**
 * SQLite: secure_delete, so that freed pages are zeroed as they are freed. openDb sets it on every
 * connection it makes; set again here for a connection made otherwise.
 */
export async function beforeErase(db: Kysely<HubDb>): Promise<void> {
  if (!isPostgres(db)) await sql`pragma secure_delete = on`.execute(db);
}

const SQLITE_ZEROED = 'SQLite: deleted pages were zeroed (secure_delete)';
const BACKUPS = 'Backups still hold the rows until they expire.';

/**
 * `rewrite`: SQLite's VACUUM rewrites the file without the freed pages (the command line, not the
 * running console: better-sqlite3 would hold the hub's one thread while it runs); either way a
 * TRUNCATE checkpoint empties the write-ahead log that still held the old pages. PostgreSQL:
 * a plain VACUUM of the tables erased from.
 */
export async function reclaim(db: Kysely<HubDb>, tables: string[], o: { rewrite: boolean }): Promise<string> {
  if (!isPostgres(db)) {
    try {
      if (o.rewrite) await sql`vacuum`.execute(db);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
      return o.rewrite
        ? `${SQLITE_ZEROED}, the file rewritten without them (VACUUM) and its write-ahead log emptied. ${BACKUPS}`
        : `${SQLITE_ZEROED} and the write-ahead log emptied; the file keeps its size until \`hearth hub resident erase\` or a VACUUM rewrites it. ${BACKUPS}`;
    } catch (e) {
      return `${SQLITE_ZEROED}, but the file was not rewritten (${(e as Error).message}); run the erase again while the hub is stopped to shrink it. ${BACKUPS}`;
    }
  }
  for (const t of tables) await sql`vacuum ${sql.table(t)}`.execute(db);
  return 'PostgreSQL: VACUUM marked the deleted rows as free space for new rows; it does not shrink the files nor overwrite the old row versions at once, and the write-ahead log, its archive and backups keep them until they are recycled or expire. VACUUM FULL on these tables rewrites them (it locks each table while it runs: at a quiet hour).';
}
