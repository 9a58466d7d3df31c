// Opening the database at start: PRAGMA quick_check first; a database that is corrupt is moved
// aside (kept for analysis, never deleted) and the newest good backup put in its place, or a new
// empty database when there is none. What happened is returned for the info alert.
import { copyFileSync, existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Logger } from '../../core/log.ts';
import { listBackups } from './backup.ts';
import { Store } from './store.ts';

export type Recovery = {
  /** Where the corrupt database now is. */
  movedTo: string;
  problem: string;
  /** The backup it was restored from, and when that backup was taken; null: none was good. */
  backup: { file: string; at: number } | null;
};

/** The first lines of quick_check, or the error that stopped the database opening at all. */
function checkProblem(open: () => Store): { store?: Store; problem?: string } {
  let store: Store | undefined;
  try {
    store = open();
    const result = store.quickCheck();
    if (result.length === 1 && result[0] === 'ok') return { store };
    store.close();
    return { problem: result.slice(0, 3).join('; ') };
  } catch (err) {
    // Someone else's database, a newer Hearth's, or a disk that will not read: not ours to move.
    if (!/^SQLITE_(CORRUPT|NOTADB)/.test(String((err as { code?: unknown }).code))) throw err;
    store?.abandon();
    return { problem: (err as Error).message };
  }
}

/** True when a backup file opens and passes quick_check. */
function goodBackup(file: string): boolean {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.pragma('quick_check', { simple: true }) as string) === 'ok';
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

export function openChecked(
  path: string,
  log: Logger,
  now: number,
  opts: { durability?: 'normal' | 'off' } = {},
): { store: Store; recovery: Recovery | null } {
  if (path === ':memory:' || !existsSync(path)) return { store: Store.open(path, opts), recovery: null };
  const first = checkProblem(() => Store.open(path, opts));
  if (first.store) return { store: first.store, recovery: null };
  const problem = first.problem ?? 'unknown';
  const movedTo = `${path}.corrupt-${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}`;
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
  log.error({ problem, moved_to: movedTo }, `the database is corrupt (${problem}); kept as ${movedTo}`);
  const backup = listBackups(path).find((b) => goodBackup(b.file)) ?? null;
  if (backup) {
    copyFileSync(backup.file, path);
    log.warn({ backup: backup.file }, `restored the database from the backup ${backup.file}`);
  } else log.error('no good backup to restore: starting with an empty database');
  const second = checkProblem(() => Store.open(path, opts));
  if (!second.store) throw new Error(`the restored database will not open either: ${second.problem}`);
  return { store: second.store, recovery: { movedTo, problem, backup } };
}
