// A database file as an earlier Hearth left it: the tables of schema `version` and the record of
// their migrations, open for the test to put rows in (and close).
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../gateway/store/migrations.ts';

export function databaseAtSchema(file: string, version: number): Database.Database {
  const db = new Database(file);
  db.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  for (const m of MIGRATIONS.filter((m) => m.version <= version)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(
      m.version,
      m.name,
      '2026-01-01T00:00:00Z',
    );
  }
  return db;
}
