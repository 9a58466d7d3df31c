// The durable local store (SQLite via better-sqlite3). One process owns the file: it is opened
// in exclusive locking mode, which also refuses a second gateway on the same database and keeps
// WAL's index in memory rather than in a -shm file on the SD card.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Event } from '../reading.ts';
import { StoreLockedError, StoreTooNewError } from './errors.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';

/** What may be dropped from a full queue, first to last. Alerts never are. */
const DROPPABLE = ['heartbeat', 'summary'] as const;

/** Plain readings are committed together at most this long after the first of them. */
export const GROUP_COMMIT_MS = 1_000;

export type OutboxRow = {
  seq: number;
  id: string;
  topic: string;
  type: string;
  payload: string;
  created_at: number;
};
export type NewOutboxRow = Omit<OutboxRow, 'seq'>;
export type StoredEvent = Event & { id: number };

type EventRow = {
  id: number;
  at: number;
  device: string;
  kind: string;
  value: string;
  room: string | null;
  facts: string | null;
};

export class Store {
  readonly db: Database.Database;
  readonly path: string;
  #stmts;

  readonly #durability: 'normal' | 'off';
  #batchOpen = false;
  #outbox: { rows: number; bytes: number } | null = null;
  #batchStarted = 0;
  #flushTimer: NodeJS.Timeout | undefined;
  #beforeCommit: (() => void)[] = [];

  private constructor(db: Database.Database, path: string, durability: 'normal' | 'off') {
    this.db = db;
    this.path = path;
    this.#durability = durability;
    this.#stmts = {
      insertEvent: db.prepare(
        'INSERT INTO events (at, device, kind, value, room, facts) VALUES (@at, @device, @kind, @value, @room, @facts)',
      ),
      eventsBetween: db.prepare('SELECT * FROM events WHERE at >= ? AND at < ? ORDER BY at, id'),
      lastOfDevice: db.prepare('SELECT * FROM events WHERE device = ? ORDER BY at DESC, id DESC LIMIT 1'),
      pruneEvents: db.prepare('DELETE FROM events WHERE at < ?'),
      getRule: db.prepare('SELECT state, wake_at FROM rule_state WHERE rule = ?'),
      allRules: db.prepare('SELECT rule, state, wake_at FROM rule_state'),
      putRule: db.prepare(
        'INSERT INTO rule_state (rule, state, wake_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(rule) DO UPDATE SET state = excluded.state, wake_at = excluded.wake_at, updated_at = excluded.updated_at',
      ),
      addOutbox: db.prepare(
        'INSERT OR IGNORE INTO outbox (id, topic, type, payload, created_at) VALUES (@id, @topic, @type, @payload, @created_at)',
      ),
      peekOutbox: db.prepare(
        'SELECT seq, id, topic, type, payload, created_at FROM outbox ORDER BY seq LIMIT ?',
      ),
      // Pushes to carers go by HTTP, not to the trust broker: the MQTT drain leaves them alone.
      peekOutboxAfter: db.prepare(
        "SELECT seq, id, topic, type, payload, created_at FROM outbox WHERE seq > ? AND type != 'push' ORDER BY seq LIMIT ?",
      ),
      peekOfType: db.prepare(
        'SELECT seq, id, topic, type, payload, created_at FROM outbox WHERE type = ? ORDER BY seq LIMIT ?',
      ),
      outboxTotals: db.prepare(
        'SELECT count(*) AS rows, coalesce(sum(length(payload)), 0) AS bytes FROM outbox',
      ),
      oldestAlert: db.prepare("SELECT created_at FROM outbox WHERE type = 'alert' ORDER BY seq LIMIT 1"),
      oldestOfType: db.prepare(
        'SELECT seq, length(payload) AS bytes FROM outbox WHERE type = ? ORDER BY seq LIMIT ?',
      ),
      putSummary: db.prepare(
        'INSERT INTO summaries (date, summary, created_at) VALUES (?, ?, ?) ON CONFLICT(date) DO UPDATE SET summary = excluded.summary, created_at = excluded.created_at',
      ),
      summariesBefore: db.prepare('SELECT summary FROM summaries WHERE date < ? ORDER BY date DESC LIMIT ?'),
      logAlert: db.prepare('INSERT INTO alert_log (at, alert_id, rule, state) VALUES (?, ?, ?, ?)'),
      alertsBetween: db.prepare('SELECT rule, state FROM alert_log WHERE at >= ? AND at < ? ORDER BY at'),
      getCommand: db.prepare('SELECT result FROM commands WHERE id = ?'),
      putCommand: db.prepare('INSERT OR IGNORE INTO commands (id, name, result, at) VALUES (?, ?, ?, ?)'),
      removeOutbox: db.prepare('DELETE FROM outbox WHERE seq = ? RETURNING length(payload) AS n'),
      savepoint: db.prepare('SAVEPOINT unit'),
      release: db.prepare('RELEASE unit'),
      rollbackTo: db.prepare('ROLLBACK TO unit'),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      probe: db.prepare('SELECT count(*) AS n FROM rule_state'),
      putMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  /**
   * `durability`: 'normal' syncs every commit (synchronous=FULL) and groups plain readings into
   * one commit per GROUP_COMMIT_MS (see `unit`); 'off' never waits for the disk, for throwaway
   * databases (replays).
   */
  static open(path: string, opts: { durability?: 'normal' | 'off' } = {}): Store {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { timeout: 0 });
    try {
      // Order matters: exclusive locking must be set before the first WAL access.
      db.pragma('locking_mode = EXCLUSIVE');
      // Before anything writes (even the journal mode): a newer Hearth's database is left as it is.
      refuseNewer(db, path);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.durability === 'off' ? 'OFF' : 'FULL'}`);
      db.pragma('foreign_keys = ON');
      migrate(db, path);
      // A write takes the exclusive lock now and holds it until close: a second gateway is refused here.
      db.prepare(
        "INSERT INTO meta (key, value) VALUES ('opened_at', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ).run(new Date().toISOString());
    } catch (e) {
      db.close();
      if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new StoreLockedError(path);
      throw e;
    }
    return new Store(db, path, opts.durability ?? 'normal');
  }

  /** Runs fn in one transaction of its own, committed (and synced) when this returns. */
  transaction<T>(fn: () => T): T {
    this.commit();
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      this.#outbox = null; // rolled back: the running totals are counted afresh
      throw err;
    }
  }

  /**
   * One unit of work (a reading, the rule state it changes, the messages it queues): all of it
   * or none of it. Plain units share one commit per GROUP_COMMIT_MS, which spares the SD card a
   * sync per reading; a durable unit (one that queued a message) commits, with every unit
   * before it, before this returns, so what it queued may be published. A power cut can cost
   * at most the last GROUP_COMMIT_MS of plain readings, and then the rule state they caused too.
   */
  unit<T>(fn: () => T, durable: boolean): T {
    if (!this.#batchOpen) {
      this.db.exec('BEGIN IMMEDIATE');
      this.#batchOpen = true;
      this.#batchStarted = performance.now();
      this.#flushTimer = setTimeout(() => this.commit(), GROUP_COMMIT_MS);
      this.#flushTimer.unref();
    }
    this.#stmts.savepoint.run();
    let result: T;
    try {
      result = fn();
      this.#stmts.release.run();
    } catch (err) {
      this.#stmts.rollbackTo.run();
      this.#stmts.release.run();
      this.#outbox = null;
      throw err;
    }
    if (durable || performance.now() - this.#batchStarted >= GROUP_COMMIT_MS) this.commit();
    return result;
  }

  /** Called just before each group commit: the last chance to write state kept in memory. */
  beforeCommit(fn: () => void): void {
    this.#beforeCommit.push(fn);
  }

  /** Commits the open group of units, if any. */
  commit(): void {
    if (!this.#batchOpen) return;
    clearTimeout(this.#flushTimer);
    try {
      for (const fn of this.#beforeCommit) fn();
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.#outbox = null;
      throw err;
    } finally {
      this.#batchOpen = false;
    }
  }

  appendEvent(e: Event): number {
    const r = this.#stmts.insertEvent.run({
      at: e.at,
      device: e.device,
      kind: e.kind,
      value: JSON.stringify(e.value),
      room: e.room,
      facts: e.facts ? JSON.stringify(e.facts) : null,
    });
    return Number(r.lastInsertRowid);
  }

  /** Events with from <= at < to, in time order. */
  eventsBetween(from: number, to: number): StoredEvent[] {
    return (this.#stmts.eventsBetween.all(from, to) as EventRow[]).map(toEvent);
  }

  lastEventOf(device: string): StoredEvent | undefined {
    const row = this.#stmts.lastOfDevice.get(device) as EventRow | undefined;
    return row ? toEvent(row) : undefined;
  }

  /** Deletes raw events older than `before`; returns how many went. */
  pruneEvents(before: number): number {
    return this.#stmts.pruneEvents.run(before).changes;
  }

  getRuleState<T>(rule: string): { state: T; wakeAt: number | null } | undefined {
    const row = this.#stmts.getRule.get(rule) as { state: string; wake_at: number | null } | undefined;
    return row ? { state: JSON.parse(row.state) as T, wakeAt: row.wake_at } : undefined;
  }

  allRuleStates(): { rule: string; state: unknown; wakeAt: number | null }[] {
    return (this.#stmts.allRules.all() as { rule: string; state: string; wake_at: number | null }[]).map(
      (r) => ({
        rule: r.rule,
        state: JSON.parse(r.state),
        wakeAt: r.wake_at,
      }),
    );
  }

  putRuleState(rule: string, state: unknown, wakeAt: number | null, now: number): void {
    this.#stmts.putRule.run(rule, JSON.stringify(state), wakeAt, now);
  }

  /** Queues a message; a repeated id is ignored, so a retried transaction cannot queue it twice. */
  addOutbox(row: NewOutboxRow): void {
    const totals = this.#totals();
    if (this.#stmts.addOutbox.run(row).changes === 1) {
      totals.rows++;
      totals.bytes += row.payload.length;
    }
  }

  peekOutbox(limit: number): OutboxRow[] {
    return this.#stmts.peekOutbox.all(limit) as OutboxRow[];
  }

  /** Called on the broker's PUBACK, and only then. */
  removeOutbox(seq: number): void {
    const totals = this.#totals();
    const gone = this.#stmts.removeOutbox.get(seq) as { n: number } | undefined;
    if (gone) {
      totals.rows--;
      totals.bytes -= gone.n;
    }
  }

  /**
   * The outbox's size, kept as running totals so that asking costs nothing however long the
   * queue grows (a week offline); counted afresh after a rollback.
   */
  #totals(): { rows: number; bytes: number } {
    this.#outbox ??= { ...(this.#stmts.outboxTotals.get() as { rows: number; bytes: number }) };
    return this.#outbox;
  }

  peekOutboxAfter(seq: number, limit: number): OutboxRow[] {
    return this.#stmts.peekOutboxAfter.all(seq, limit) as OutboxRow[];
  }

  peekOfType(type: string, limit: number): OutboxRow[] {
    return this.#stmts.peekOfType.all(type, limit) as OutboxRow[];
  }

  outboxStats(): { rows: number; bytes: number; oldestAlertAt: number | null } {
    const oldest = this.#stmts.oldestAlert.get() as { created_at: number } | undefined;
    return { ...this.#totals(), oldestAlertAt: oldest?.created_at ?? null };
  }

  /**
   * Makes room when the queue is over its limits: heartbeats go first, then the oldest summaries.
   * Alerts (and command results) are never dropped. Returns how many of each type went.
   */
  enforceQueueLimit(maxRows: number, maxBytes: number): Record<string, number> {
    const dropped: Record<string, number> = {};
    let { rows, bytes } = this.outboxStats();
    for (const type of DROPPABLE) {
      while (rows > maxRows || bytes > maxBytes) {
        const batch = this.#stmts.oldestOfType.all(type, Math.max(100, rows - maxRows)) as {
          seq: number;
          bytes: number;
        }[];
        if (batch.length === 0) break;
        for (const r of batch) {
          if (rows <= maxRows && bytes <= maxBytes) break;
          this.removeOutbox(r.seq);
          rows--;
          bytes -= r.bytes;
          dropped[type] = (dropped[type] ?? 0) + 1;
        }
      }
    }
    return dropped;
  }

  /** Every alert state change, local ones included: what a day's summary counts. */
  logAlert(at: number, alertId: string, rule: string, state: string): void {
    this.#stmts.logAlert.run(at, alertId, rule, state);
  }

  alertsBetween(from: number, to: number): { rule: string; state: string }[] {
    return this.#stmts.alertsBetween.all(from, to) as { rule: string; state: string }[];
  }

  /** Keeps a day's summary: the next days' baselines are made of them. */
  putSummary(date: string, summary: unknown, now: number): void {
    this.#stmts.putSummary.run(date, JSON.stringify(summary), now);
  }

  /** Up to `n` summaries of the days before `date`, oldest first. */
  summariesBefore<T>(date: string, n: number): T[] {
    return (this.#stmts.summariesBefore.all(date, n) as { summary: string }[])
      .map((r) => JSON.parse(r.summary) as T)
      .reverse();
  }

  /** The stored result of a command already handled (commands are idempotent by id). */
  commandResult(id: string): string | undefined {
    return (this.#stmts.getCommand.get(id) as { result: string } | undefined)?.result;
  }

  recordCommand(id: string, name: string, result: string, at: number): void {
    this.#stmts.putCommand.run(id, name, result, at);
  }

  outboxDepth(): number {
    return this.#totals().rows;
  }

  /** A real read of the database, for the health check: throws when it does not answer. */
  probe(): void {
    this.#stmts.probe.get();
  }

  getMeta(key: string): string | undefined {
    return (this.#stmts.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  putMeta(key: string, value: string): void {
    this.#stmts.putMeta.run(key, value);
  }

  close(): void {
    if (!this.db.open) return;
    this.commit();
    this.db.close();
  }
}

function toEvent(r: EventRow): StoredEvent {
  return {
    id: r.id,
    at: r.at,
    device: r.device,
    kind: r.kind as Event['kind'],
    value: JSON.parse(r.value) as Event['value'],
    room: r.room,
    role: null,
    ...(r.facts ? { facts: JSON.parse(r.facts) } : {}),
  };
}

function refuseNewer(db: Database.Database, path: string): void {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return;
  const found = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null })
    .v;
  if (found !== null && found > SCHEMA_VERSION) throw new StoreTooNewError(path, found, SCHEMA_VERSION);
}

function migrate(db: Database.Database, path: string): void {
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
