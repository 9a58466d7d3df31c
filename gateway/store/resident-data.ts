// Everything held about the resident, for their data rights: read table by table for `hearth
// export` (a row at a time, so a year of readings never sits in memory), and erased for `hearth
// forget`, from the database and from its backups alike.
import Database from 'better-sqlite3';
import type { Sqlite } from './database.ts';

export type ReadingRow = { at: number; device: string; kind: string; value: string; room: string | null };
export type AlertRow = { at: number; alert_id: string; rule: string; state: string };
export type SummaryRow = { date: string; summary: string };
export type RuleStateRow = { rule: string; state: string; updated_at: number };
export type ModeSpanRow = {
  mode: string;
  started_at: number;
  until: number;
  ended_at: number | null;
  set_by: string;
  source: string;
};

/** What is held about the resident, table by table, and how to pick the rows before a time. */
const ERASE: { table: string; what: string; before: string }[] = [
  { table: 'events', what: 'readings', before: 'at < @t' },
  { table: 'alert_log', what: 'alert records', before: 'at < @t' },
  { table: 'summaries', what: 'daily summaries', before: 'date < @date' },
  { table: 'commands', what: 'command results', before: 'at < @t' },
  { table: 'outbox', what: 'queued messages', before: 'created_at < @t' },
  { table: 'mode_spans', what: 'care modes', before: 'started_at < @t' },
];

export class ResidentData {
  readonly #db: Sqlite;

  constructor(db: Sqlite) {
    this.#db = db;
  }

  /** Readings at or after `from`, in time order. */
  readings(from: number): IterableIterator<ReadingRow> {
    return this.#db
      .prepare('SELECT at, device, kind, value, room FROM events WHERE at >= ? ORDER BY at, id')
      .iterate(from) as IterableIterator<ReadingRow>;
  }

  alerts(from: number): IterableIterator<AlertRow> {
    return this.#db
      .prepare('SELECT at, alert_id, rule, state FROM alert_log WHERE at >= ? ORDER BY at, rowid')
      .iterate(from) as IterableIterator<AlertRow>;
  }

  /** Summaries of the local dates from `date` on ('' for all). */
  summaries(date: string): IterableIterator<SummaryRow> {
    return this.#db
      .prepare('SELECT date, summary FROM summaries WHERE date >= ? ORDER BY date')
      .iterate(date) as IterableIterator<SummaryRow>;
  }

  /** The payloads of messages queued at or after `from` and not delivered yet. */
  undelivered(from: number): IterableIterator<{ payload: string }> {
    return this.#db
      .prepare('SELECT payload FROM outbox WHERE created_at >= ? ORDER BY seq')
      .iterate(from) as IterableIterator<{ payload: string }>;
  }

  /** Care modes begun at or after `from`, in time order. */
  modeSpans(from: number): IterableIterator<ModeSpanRow> {
    return this.#db
      .prepare(
        'SELECT mode, started_at, until, ended_at, set_by, source FROM mode_spans WHERE started_at >= ? ORDER BY started_at, id',
      )
      .iterate(from) as IterableIterator<ModeSpanRow>;
  }

  ruleStates(): IterableIterator<RuleStateRow> {
    return this.#db
      .prepare('SELECT rule, state, updated_at FROM rule_state ORDER BY rule')
      .iterate() as IterableIterator<RuleStateRow>;
  }

  /**
   * Erases what was held before `t` (the local date `date` for summaries), or everything with
   * the rule states when `t` is null; returns how many rows went, by what they were. Run by the
   * command line with no gateway running, outside any unit of work.
   */
  erase(t: number | null, date: string): Record<string, number> {
    return erase(this.#db, t, date);
  }
}

/** Erases a backup file as the database was (see ResidentData.erase). */
export function eraseBackup(file: string, t: number | null, date: string): Record<string, number> {
  const db = new Database(file);
  try {
    return erase(db, t, date);
  } finally {
    db.close();
  }
}

function erase(db: Sqlite, t: number | null, date: string): Record<string, number> {
  db.pragma('secure_delete = ON');
  const counts: Record<string, number> = {};
  // A backup taken before a table was added to the schema has none of it to erase.
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck();
  db.transaction(() => {
    for (const e of ERASE.filter((x) => has.get(x.table)))
      counts[e.what] = db
        .prepare(`DELETE FROM ${e.table}${t === null ? '' : ` WHERE ${e.before}`}`)
        .run(t === null ? {} : e.before.includes('@date') ? { date } : { t }).changes;
    if (t === null) counts['rule states'] = db.prepare('DELETE FROM rule_state').run().changes;
  })();
  // Freed pages are zeroed (secure_delete); the WAL that held the old rows is emptied; VACUUM
  // rebuilds the file so that no free page keeps anything either.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
  return counts;
}
