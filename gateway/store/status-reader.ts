// The figures `hearth status` shows that come from the database: the last reading of a device,
// the alerts not over yet, the queue, the versions. Read through the running gateway's store, or
// by the command line from a copy of the file when the gateway is not running.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HEALTH_KINDS } from '../../core/reading.ts';
import type { Sqlite } from './database.ts';

export type LastReading = { device: string; room: string | null; kind: string; value: unknown; at: number };
export type OpenAlert = { alert_id: string; rule: string; state: string; at: number };
export type QueueFigures = {
  depth: number;
  oldest: number | null;
  awaiting: number;
  oldestAwaiting: number | null;
};
export type ModeOn = { mode: string; since: number; until: number; by: string; source: string };

export class StatusReader {
  readonly #stmts;
  readonly #db: Sqlite;

  constructor(db: Sqlite) {
    this.#db = db;
    this.#stmts = {
      lastOf: db.prepare(
        'SELECT device, room, kind, value, at FROM events WHERE device = ? AND kind = ? ORDER BY at DESC, id DESC LIMIT 1',
      ),
      // A row that declares no kind (a Zigbee2MQTT sensor) reports what its payload carries: its
      // reading is the latest that is not the device's own health.
      lastNotHealth: db.prepare(
        `SELECT device, room, kind, value, at FROM events WHERE device = ? AND kind NOT IN (${HEALTH_KINDS.map(() => '?').join(', ')})
         ORDER BY at DESC, id DESC LIMIT 1`,
      ),
      // The latest state of each alert; the ones not over yet are open.
      open: db.prepare(
        `SELECT a.alert_id, a.rule, a.state, a.at FROM alert_log a
         JOIN (SELECT max(rowid) AS last FROM alert_log GROUP BY alert_id) l ON a.rowid = l.last
         WHERE a.state NOT IN ('resolved', 'cancelled') ORDER BY a.at`,
      ),
      // A database from before receipts (schema 7) has no retry_at: nothing awaits one there.
      queue: db.prepare(
        db.prepare("SELECT 1 FROM pragma_table_info('outbox') WHERE name = 'retry_at'").get()
          ? `SELECT count(*) AS depth,
               min(CASE WHEN type = 'alert' AND retry_at IS NULL THEN created_at END) AS oldest,
               count(retry_at) AS awaiting, min(CASE WHEN retry_at IS NOT NULL THEN created_at END) AS oldestAwaiting
             FROM outbox`
          : "SELECT count(*) AS depth, min(CASE WHEN type = 'alert' THEN created_at END) AS oldest, 0 AS awaiting, NULL AS oldestAwaiting FROM outbox",
      ),
      meta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      sqlite: db.prepare('SELECT sqlite_version()').pluck(),
      schema: db.prepare('SELECT max(version) FROM schema_migrations').pluck(),
    };
  }

  /** The device's last reading of `kind`, or, with no kind, its last that is not of its health. */
  lastReading(device: string, kind?: string): LastReading | undefined {
    const r = (
      kind === undefined
        ? this.#stmts.lastNotHealth.get(device, ...HEALTH_KINDS)
        : this.#stmts.lastOf.get(device, kind)
    ) as (Omit<LastReading, 'value'> & { value: string }) | undefined;
    return r ? { ...r, value: JSON.parse(r.value) as unknown } : undefined;
  }

  openAlerts(): OpenAlert[] {
    return this.#stmts.open.all() as OpenAlert[];
  }

  /**
   * Every message waiting to leave the home, when the oldest alert not yet at the trust broker was
   * queued, and how many (and since when) wait for the hub's receipt.
   */
  queue(): QueueFigures {
    return this.#stmts.queue.get() as QueueFigures;
  }

  /**
   * The care mode on at `now`, as last written: one whose until has passed is over, even when the
   * gateway was not running to end it. A database from before care modes has none.
   */
  mode(now: number): ModeOn | null {
    const has = this.#db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mode_spans'")
      .pluck()
      .get();
    if (!has) return null;
    const r = this.#db
      .prepare(
        `SELECT mode, started_at AS since, until, set_by AS by, source FROM mode_spans
         WHERE ended_at IS NULL AND until > ? ORDER BY started_at DESC, id DESC LIMIT 1`,
      )
      .get(now) as ModeOn | undefined;
    return r ?? null;
  }

  /** A value the gateway keeps in meta (the last test call), if any. */
  meta(key: string): string | undefined {
    return this.#stmts.meta.get(key) as string | undefined;
  }

  versions(): { sqlite: string; schema: number } {
    return { sqlite: this.#stmts.sqlite.get() as string, schema: this.#stmts.schema.get() as number };
  }
}

/**
 * Reads the database file of a gateway that is not running. A copy is read, not the file:
 * opening the file would create -wal and -shm files owned by whoever runs this (root), which the
 * gateway could then not open. The copy is removed before this returns.
 */
export function readCopy<T>(path: string, read: (r: StatusReader) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-status-'));
  let db: Sqlite | undefined;
  try {
    const copy = join(dir, 'hearth.db');
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    db = new Database(copy, { fileMustExist: true });
    return read(new StatusReader(db));
  } finally {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
