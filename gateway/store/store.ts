// The durable local store (SQLite via better-sqlite3). One process owns the file: it is opened
// in exclusive locking mode, which also refuses a second gateway on the same database and keeps
// WAL's index in memory rather than in a -shm file on the SD card.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Event } from '../../core/reading.ts';
import { StoreLockedError, StoreTooNewError } from './errors.ts';
import { describeFault, HeldWrites, isStorageFault, type Op } from './held.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import type { NewOutboxRow, OutboxRow } from './outbox-row.ts';

/** What may be dropped from a full queue, first to last. Alerts never are. */
const DROPPABLE = ['heartbeat', 'summary'] as const;

/**
 * Plain readings are committed together at most this long after the first of them. Each commit
 * writes every page it changed (the events' and indexes' last pages, the rule states, page 1)
 * to the WAL: at a home's 20,000 readings a day (one every 4 s) a commit per reading wrote about
 * 100 MB a day with 1 KB pages, grouping by 30 s 53 MB, by 60 s 39 MB (`npm run bench`). A
 * power cut costs at most this much of plain readings, never an alert or its cause.
 */
export const GROUP_COMMIT_MS = 60_000;
/** Small pages: a commit rewrites a handful of pages, and 1 KB ones cost a quarter of 4 KB ones. */
export const PAGE_SIZE = 1024;
/** Checkpoints every ~10 MB of WAL: a page changed many times between two is copied back once. */
export const CHECKPOINT_PAGES = 10_000;
/** While the disk will not write, the held writes are offered to it again this often. */
export const RETRY_MS = 5_000;

export type StoreOptions = {
  /**
   * 'normal' syncs every commit that queued a message (synchronous=FULL) and groups plain
   * readings into one unsynced commit per GROUP_COMMIT_MS (see `unit`); 'off' never waits for
   * the disk, for throwaway databases (replays).
   */
  durability?: 'normal' | 'off';
  /** A monotonic clock in ms for the group commit's window; the benchmark gives a simulated one. */
  now?: () => number;
};

/** What the store says when the disk stops taking writes (a fault) and takes them again (null). */
export type StorageHealth = { fault: string | null; held: { events: number; messages: number } };

export type { NewOutboxRow, OutboxRow } from './outbox-row.ts';
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
  /** The writes of the open group, to hold in memory if its commit fails. */
  #journal: Op[] = [];
  /** Non-null while the disk will not write: everything written goes here. */
  #held: HeldWrites | null = null;
  #retryTimer: NodeJS.Timeout | undefined;
  #onHealth: ((h: StorageHealth) => void)[] = [];
  /** Called before each retry on a full disk: frees what retention allows. */
  #reclaim: (() => void) | null = null;

  /** Milliseconds on a clock that never jumps; the benchmark gives a simulated one. */
  readonly #now: () => number;

  private constructor(db: Database.Database, path: string, opts: StoreOptions) {
    this.db = db;
    this.path = path;
    this.#durability = opts.durability ?? 'normal';
    this.#now = opts.now ?? (() => performance.now());
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
      addOutboxAt: db.prepare(
        'INSERT OR IGNORE INTO outbox (seq, id, topic, type, payload, created_at) VALUES (@seq, @id, @topic, @type, @payload, @created_at)',
      ),
      outboxBytes: db.prepare('SELECT length(payload) AS n FROM outbox WHERE seq = ?'),
      maxSeq: db.prepare('SELECT coalesce(max(seq), 0) AS n FROM outbox'),
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

  /** Opens (creating, migrating) the database; see StoreOptions for how it meets the disk. */
  static open(path: string, opts: StoreOptions = {}): Store {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { timeout: 0 });
    try {
      // Order matters: exclusive locking must be set before the first WAL access.
      db.pragma('locking_mode = EXCLUSIVE');
      // Takes effect only on a new database (a database's page size is fixed once it has tables).
      db.pragma(`page_size = ${PAGE_SIZE}`);
      // Before anything writes (even the journal mode): a newer Hearth's database is left as it is.
      refuseNewer(db, path);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.durability === 'off' ? 'OFF' : 'FULL'}`);
      db.pragma('foreign_keys = ON');
      db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
      migrate(db, path);
    } catch (e) {
      db.close();
      if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new StoreLockedError(path);
      throw e;
    }
    const store = new Store(db, path, opts);
    // A write takes the exclusive lock now and holds it until close: a second gateway is refused
    // here. On a disk that is already full the write is held, and the gateway starts anyway.
    try {
      store.putMeta('opened_at', new Date().toISOString());
    } catch (e) {
      db.close();
      if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new StoreLockedError(path);
      throw e;
    }
    return store;
  }

  /** Runs fn all or nothing, committed (and synced) with any open group when this returns. */
  transaction<T>(fn: () => T): T {
    return this.unit(fn, true);
  }

  /**
   * One unit of work (a reading, the rule state it changes, the messages it queues): all of it
   * or none of it. Plain units share one commit per GROUP_COMMIT_MS, which spares the SD card a
   * sync per reading; a durable unit (one that queued a message) commits, with every unit
   * before it, before this returns, so what it queued may be published. A power cut can cost
   * at most the last GROUP_COMMIT_MS of plain readings, and then the rule state they caused too.
   */
  unit<T>(fn: () => T, durable: boolean): T {
    if (!this.#held && !this.#batchOpen) {
      try {
        this.db.exec('BEGIN IMMEDIATE');
        this.#batchOpen = true;
        this.#batchStarted = this.#now();
        this.#flushTimer = setTimeout(() => this.commit(), GROUP_COMMIT_MS);
        this.#flushTimer.unref();
      } catch (err) {
        if (!isStorageFault(err)) throw err;
        this.#fail(err);
      }
    }
    if (this.#held) {
      // Nothing reaches the disk: the writes are held, and so is the rule state they changed.
      const result = fn();
      for (const hook of this.#beforeCommit) hook();
      return result;
    }
    this.#stmts.savepoint.run();
    const mark = this.#journal.length;
    let result: T;
    try {
      result = fn();
      if (!this.#held) this.#stmts.release.run();
    } catch (err) {
      if (this.#held) throw err;
      this.#stmts.rollbackTo.run();
      this.#stmts.release.run();
      this.#journal.length = mark;
      this.#outbox = null;
      throw err;
    }
    if (this.#held) {
      for (const hook of this.#beforeCommit) hook();
      return result;
    }
    if (durable || this.#now() - this.#batchStarted >= GROUP_COMMIT_MS) this.commit();
    return result;
  }

  /** Called just before each group commit: the last chance to write state kept in memory. */
  beforeCommit(fn: () => void): void {
    this.#beforeCommit.push(fn);
  }

  /** Commits the open group of units, if any. A disk that will not take it: the group is held. */
  commit(): void {
    if (!this.#batchOpen) return;
    clearTimeout(this.#flushTimer);
    try {
      for (const fn of this.#beforeCommit) fn();
      if (this.#held) return;
      this.db.exec('COMMIT');
      this.#journal = [];
    } catch (err) {
      if (isStorageFault(err)) {
        this.#fail(err);
        return;
      }
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.#journal = [];
      this.#outbox = null;
      throw err;
    } finally {
      this.#batchOpen = false;
    }
  }

  /** Hears when the disk stops taking writes and when it takes them again. */
  onHealth(fn: (h: StorageHealth) => void): void {
    this.#onHealth.push(fn);
  }

  /** What frees space on a full disk (retention); run before each retry while it is full. */
  onFull(reclaim: () => void): void {
    this.#reclaim = reclaim;
  }

  health(): StorageHealth {
    const h = this.#held;
    return { fault: h?.fault ?? null, held: { events: h?.events ?? 0, messages: h?.outbox.length ?? 0 } };
  }

  /** One write: done now and journalled with its group, or held while the disk will not write. */
  #write(op: Op): void {
    if (this.#held) {
      this.#held.add(op);
      return;
    }
    try {
      op.run();
    } catch (err) {
      if (!isStorageFault(err)) throw err;
      this.#fail(err);
      // #fail has just set it; TypeScript still thinks it null from the test above.
      (this.#held as HeldWrites | null)?.add(op);
      return;
    }
    if (this.db.inTransaction) this.#journal.push(op);
  }

  /** The disk refused a write: the open group is rolled back and held, with all that follows. */
  #fail(err: unknown): void {
    clearTimeout(this.#flushTimer);
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // A disk that failed the write may fail the rollback too; nothing of the group was committed.
    }
    this.#batchOpen = false;
    const ops = this.#journal;
    this.#journal = [];
    let last = 0;
    try {
      last = (this.#stmts.maxSeq.get() as { n: number }).n;
    } catch {
      last = 0;
    }
    for (const op of ops) if (op.outbox) last = Math.max(last, op.outbox.seq);
    const held = new HeldWrites(describeFault(err), Date.now(), last);
    for (const op of ops) held.add(op);
    this.#held = held;
    this.#retry();
    for (const fn of this.#onHealth) fn(this.health());
  }

  #retry(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#replay(), RETRY_MS);
    this.#retryTimer.unref();
  }

  /** Offers the held writes to the disk again, in one transaction; true when it took them. */
  #replay(): boolean {
    const held = this.#held;
    if (!held) return true;
    if (/SQLITE_FULL/.test(held.fault)) {
      try {
        this.#reclaim?.();
      } catch {
        // Freeing space needs a little space too; the replay below says whether the disk is back.
      }
    }
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const op of held.ops()) op.run();
      this.db.exec('COMMIT');
    } catch (err) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // as in #fail
      }
      const fault = describeFault(err);
      if (fault !== held.fault) {
        held.fault = fault;
        for (const fn of this.#onHealth) fn(this.health());
      }
      this.#retry();
      return false;
    }
    this.#held = null;
    this.#outbox = null;
    for (const fn of this.#onHealth) fn(this.health());
    return true;
  }

  appendEvent(e: Event): void {
    const row = {
      at: e.at,
      device: e.device,
      kind: e.kind,
      value: JSON.stringify(e.value),
      room: e.room,
      facts: e.facts ? JSON.stringify(e.facts) : null,
    };
    this.#write({ run: () => this.#stmts.insertEvent.run(row), event: true });
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
    try {
      return this.#stmts.pruneEvents.run(before).changes;
    } catch (err) {
      // A delete needs a little room in the WAL too; retention tries again at its next turn.
      if (isStorageFault(err)) return 0;
      throw err;
    }
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
    const json = JSON.stringify(state);
    this.#write({ run: () => this.#stmts.putRule.run(rule, json, wakeAt, now), rule });
  }

  /** Queues a message; a repeated id is ignored, so a retried transaction cannot queue it twice. */
  addOutbox(row: NewOutboxRow): void {
    const totals = this.#totals();
    if (!this.#held) {
      try {
        const r = this.#stmts.addOutbox.run(row);
        if (r.changes === 1) {
          totals.rows++;
          totals.bytes += row.payload.length;
          // Replayed (after a failed commit) under the same sequence number the relay may have seen.
          const full = { ...row, seq: Number(r.lastInsertRowid) };
          if (this.db.inTransaction)
            this.#journal.push({ run: () => this.#stmts.addOutboxAt.run(full), outbox: full });
        }
        return;
      } catch (err) {
        if (!isStorageFault(err)) throw err;
        this.#fail(err);
      }
    }
    const held = this.#held as HeldWrites;
    if (held.outbox.some((r) => r.id === row.id)) return;
    const full = { ...row, seq: held.nextSeq() };
    held.add({ run: () => this.#stmts.addOutboxAt.run(full), outbox: full });
    totals.rows++;
    totals.bytes += row.payload.length;
  }

  peekOutbox(limit: number): OutboxRow[] {
    return this.#withHeld(
      () => this.#stmts.peekOutbox.all(limit) as OutboxRow[],
      () => true,
      limit,
    );
  }

  /** Called on the broker's PUBACK, and only then. */
  removeOutbox(seq: number): void {
    const totals = this.#totals();
    const held = this.#held;
    if (!held) {
      try {
        const gone = this.#stmts.removeOutbox.get(seq) as { n: number } | undefined;
        if (gone) {
          totals.rows--;
          totals.bytes -= gone.n;
          if (this.db.inTransaction) this.#journal.push({ run: () => this.#stmts.removeOutbox.get(seq) });
        }
        return;
      } catch (err) {
        if (!isStorageFault(err)) throw err;
        this.#fail(err);
        this.removeOutbox(seq);
        return;
      }
    }
    const i = held.outbox.findIndex((r) => r.seq === seq);
    let bytes: number | undefined;
    if (i >= 0) bytes = held.outbox.splice(i, 1)[0]?.payload.length;
    else if (!held.removed.has(seq)) {
      try {
        bytes = (this.#stmts.outboxBytes.get(seq) as { n: number } | undefined)?.n;
      } catch {
        bytes = undefined;
      }
      if (bytes !== undefined) held.removed.set(seq, bytes);
    }
    if (bytes === undefined) return;
    held.add({ run: () => this.#stmts.removeOutbox.get(seq) });
    totals.rows--;
    totals.bytes -= bytes;
  }

  /**
   * The outbox's size, kept as running totals so that asking costs nothing however long the
   * queue grows (a week offline); counted afresh after a rollback.
   */
  #totals(): { rows: number; bytes: number } {
    this.#outbox ??= { ...(this.#stmts.outboxTotals.get() as { rows: number; bytes: number }) };
    return this.#outbox;
  }

  /** Stored rows (those not delivered meanwhile), then held ones: what the relay sends next. */
  #withHeld(stored: () => OutboxRow[], keep: (r: OutboxRow) => boolean, limit: number): OutboxRow[] {
    const held = this.#held;
    if (!held) return stored();
    let rows: OutboxRow[];
    try {
      rows = stored().filter((r) => !held.removed.has(r.seq));
    } catch {
      rows = [];
    }
    return [...rows, ...held.outbox.filter(keep)].slice(0, limit);
  }

  peekOutboxAfter(seq: number, limit: number): OutboxRow[] {
    return this.#withHeld(
      () => this.#stmts.peekOutboxAfter.all(seq, limit) as OutboxRow[],
      (r) => r.seq > seq && r.type !== 'push',
      limit,
    );
  }

  peekOfType(type: string, limit: number): OutboxRow[] {
    return this.#withHeld(
      () => this.#stmts.peekOfType.all(type, limit) as OutboxRow[],
      (r) => r.type === type,
      limit,
    );
  }

  outboxStats(): { rows: number; bytes: number; oldestAlertAt: number | null } {
    let oldest: number | null = null;
    try {
      oldest = (this.#stmts.oldestAlert.get() as { created_at: number } | undefined)?.created_at ?? null;
    } catch {
      oldest = null;
    }
    const heldAlert = this.#held?.outbox.find((r) => r.type === 'alert')?.created_at ?? null;
    return { ...this.#totals(), oldestAlertAt: oldest ?? heldAlert };
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
    this.#write({ run: () => this.#stmts.logAlert.run(at, alertId, rule, state) });
  }

  alertsBetween(from: number, to: number): { rule: string; state: string }[] {
    return this.#stmts.alertsBetween.all(from, to) as { rule: string; state: string }[];
  }

  /** Keeps a day's summary: the next days' baselines are made of them. */
  putSummary(date: string, summary: unknown, now: number): void {
    const json = JSON.stringify(summary);
    this.#write({ run: () => this.#stmts.putSummary.run(date, json, now) });
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
    this.#write({ run: () => this.#stmts.putCommand.run(id, name, result, at) });
  }

  outboxDepth(): number {
    return this.#totals().rows;
  }

  /**
   * A real read of the database, for the health check: throws when it does not answer. While
   * writes are held it passes: a restart would lose them, and the store is answering from memory.
   */
  probe(): void {
    if (this.#held) return;
    this.#stmts.probe.get();
  }

  getMeta(key: string): string | undefined {
    return (this.#stmts.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  putMeta(key: string, value: string): void {
    this.#write({ run: () => this.#stmts.putMeta.run(key, value) });
  }

  /** Commits, offers held writes one last time, and closes. */
  close(): void {
    if (!this.db.open) return;
    this.commit();
    clearTimeout(this.#retryTimer);
    this.#replay();
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
