// After an erasure, the space the deleted rows took, as far as each backend gives it back, and a
// sentence saying what it did and did not do: a deleted row is not yet gone from the disk.
import { type Kysely, sql } from 'kysely';
import type { DbTarget } from './db.ts';
import type { HubDb } from './tables.ts';

/**
 * SQLite: secure_delete is set for this connection before the erasure (freed pages are zeroed
 * as they are freed), then VACUUM rewrites the file without them and a TRUNCATE checkpoint
 * empties the write-ahead log that still held the old pages.
 */
export async function beforeErase(db: Kysely<HubDb>, target: DbTarget): Promise<void> {
  if (target.kind === 'sqlite') await sql`pragma secure_delete = on`.execute(db);
}

export async function reclaim(db: Kysely<HubDb>, target: DbTarget, tables: string[]): Promise<string> {
  if (target.kind === 'sqlite') {
    try {
      await sql`vacuum`.execute(db);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
      return 'SQLite: deleted pages were zeroed (secure_delete), the file rewritten without them (VACUUM) and its write-ahead log emptied. Copies of the file (backups) still hold them until they expire.';
    } catch (e) {
      return `SQLite: deleted pages were zeroed (secure_delete), but the file was not rewritten (${(e as Error).message}); run the erase again while the hub is stopped to shrink it. Backups still hold the rows until they expire.`;
    }
  }
  for (const t of tables) await sql`vacuum ${sql.table(t)}`.execute(db);
  return 'PostgreSQL: VACUUM marked the deleted rows as free space for new rows; it does not shrink the files nor overwrite the old row versions at once, and the write-ahead log, its archive and backups keep them until they are recycled or expire. VACUUM FULL on these tables rewrites them (it locks each table while it runs: at a quiet hour).';
}
