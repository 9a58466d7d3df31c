// Online backups of the database, kept in rotation in a folder beside it. Taken with SQLite's
// backup API through the gateway's own connection (the file is held in exclusive mode), written
// to a temporary name, synced, then renamed: a backup that exists is complete.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';

/** How many nightly backups are kept; the oldest goes when a new one is made. */
export const KEEP_BACKUPS = 3;
const NAME = /^hearth-(\d{8}T\d{6}Z)\.db$/;

export type Backup = { file: string; at: number };

export const backupDir = (dbPath: string): string => join(dirname(dbPath), 'backups');

/** Every complete backup, newest first. */
export function listBackups(dbPath: string): Backup[] {
  let names: string[];
  try {
    names = readdirSync(backupDir(dbPath));
  } catch {
    return [];
  }
  return names
    .filter((n) => NAME.test(n))
    .map((n) => ({ file: join(backupDir(dbPath), n), at: statSync(join(backupDir(dbPath), n)).mtimeMs }))
    .sort((a, b) => b.file.localeCompare(a.file));
}

const stamp = (t: number) => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');

/** Takes one backup now and drops the oldest past KEEP_BACKUPS. Resolves with its file. */
export async function backupNow(db: Database.Database, dbPath: string, now: number): Promise<string> {
  const dir = backupDir(dbPath);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `hearth-${stamp(now)}.db`);
  const tmp = `${file}.partial`;
  rmSync(tmp, { force: true });
  try {
    await db.backup(tmp);
    syncFile(tmp);
    renameSync(tmp, file);
    syncFile(dir);
  } finally {
    // A backup the disk could not take must not keep what room there was.
    rmSync(tmp, { force: true });
  }
  for (const old of listBackups(dbPath).slice(KEEP_BACKUPS)) rmSync(old.file, { force: true });
  return file;
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
