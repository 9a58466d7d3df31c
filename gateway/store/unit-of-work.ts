// The unit of work over the database: readings grouped into one commit per GROUP_COMMIT_MS, a
// unit that queued a message synced before it returns, each unit a savepoint (all of it or none),
// and while the disk will not take writes (full, failing, read-only) every write held in memory in
// its order, offered to the disk again every RETRY_MS until it takes them. The repositories write
// through it; only it begins, commits and rolls back.
import type { Sqlite } from './database.ts';
import { describeFault, HeldWrites, isStorageFault, type Op } from './held.ts';

/**
 * Plain readings are committed together at most this long after the first of them. Each commit
 * writes every page it changed (the events' and indexes' last pages, the rule states, page 1)
 * to the WAL: at a home's 20,000 readings a day (one every 4 s) a commit per reading wrote about
 * 100 MB a day with 1 KB pages, grouping by 30 s 53 MB, by 60 s 39 MB (`npm run bench`). A
 * power cut costs at most this much of plain readings, never an alert or its cause.
 */
export const GROUP_COMMIT_MS = 60_000;
/** While the disk will not write, the held writes are offered to it again this often. */
export const RETRY_MS = 5_000;

/** What the store says when the disk stops taking writes (a fault) and takes them again (null). */
export type StorageHealth = { fault: string | null; held: { events: number; messages: number } };

export type UnitOptions = {
  /** Milliseconds on a clock that never jumps; the benchmark gives a simulated one. */
  now: () => number;
  /** The highest sequence number the outbox holds: held messages are numbered after it. */
  lastSeq: () => number;
};

export class UnitOfWork {
  readonly #db: Sqlite;
  readonly #o: UnitOptions;
  readonly #stmts;
  #batchOpen = false;
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
  /** What repositories count in memory of the database, counted afresh when writes are undone. */
  #onRecount: (() => void)[] = [];

  constructor(db: Sqlite, o: UnitOptions) {
    this.#db = db;
    this.#o = o;
    this.#stmts = {
      savepoint: db.prepare('SAVEPOINT unit'),
      release: db.prepare('RELEASE unit'),
      rollbackTo: db.prepare('ROLLBACK TO unit'),
    };
  }

  /** The writes held while the disk will not take them; null when it does. */
  get held(): HeldWrites | null {
    return this.#held;
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
        this.#db.exec('BEGIN IMMEDIATE');
        this.#batchOpen = true;
        this.#batchStarted = this.#o.now();
        this.#flushTimer = setTimeout(() => this.commit(), GROUP_COMMIT_MS);
        this.#flushTimer.unref();
      } catch (err) {
        if (!isStorageFault(err)) throw err;
        this.fail(err);
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
      this.#recount();
      throw err;
    }
    if (this.#held) {
      for (const hook of this.#beforeCommit) hook();
      return result;
    }
    if (durable || this.#o.now() - this.#batchStarted >= GROUP_COMMIT_MS) this.commit();
    return result;
  }

  /** Called just before each group commit: the last chance to write state kept in memory. */
  beforeCommit(fn: () => void): void {
    this.#beforeCommit.push(fn);
  }

  /** Hears of writes undone or replayed: what a repository counted in memory, it counts afresh. */
  onRecount(fn: () => void): void {
    this.#onRecount.push(fn);
  }

  /** Commits the open group of units, if any. A disk that will not take it: the group is held. */
  commit(): void {
    if (!this.#batchOpen) return;
    clearTimeout(this.#flushTimer);
    try {
      for (const fn of this.#beforeCommit) fn();
      if (this.#held) return;
      this.#db.exec('COMMIT');
      this.#journal = [];
    } catch (err) {
      if (isStorageFault(err)) {
        this.fail(err);
        return;
      }
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      this.#journal = [];
      this.#recount();
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
  write(op: Op): void {
    if (this.#held) {
      this.#held.add(op);
      return;
    }
    try {
      op.run();
    } catch (err) {
      if (!isStorageFault(err)) throw err;
      this.fail(err);
      // fail has just set it; TypeScript still thinks it null from the test above.
      (this.#held as HeldWrites | null)?.add(op);
      return;
    }
    this.journal(op);
  }

  /** A write a repository did itself: replayed with its group if the group's commit fails. */
  journal(op: Op): void {
    if (this.#db.inTransaction) this.#journal.push(op);
  }

  /** The disk refused a write: the open group is rolled back and held, with all that follows. */
  fail(err: unknown): void {
    clearTimeout(this.#flushTimer);
    try {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
    } catch {
      // A disk that failed the write may fail the rollback too; nothing of the group was committed.
    }
    this.#batchOpen = false;
    const ops = this.#journal;
    this.#journal = [];
    let last = 0;
    try {
      last = this.#o.lastSeq();
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

  #recount(): void {
    for (const fn of this.#onRecount) fn();
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
      this.#db.exec('BEGIN IMMEDIATE');
      for (const op of held.ops()) op.run();
      this.#db.exec('COMMIT');
    } catch (err) {
      try {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      } catch {
        // as in fail
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
    this.#recount();
    for (const fn of this.#onHealth) fn(this.health());
    return true;
  }

  /** Commits, offers held writes one last time, and closes the database. */
  close(): void {
    if (!this.#db.open) return;
    this.commit();
    clearTimeout(this.#retryTimer);
    this.#replay();
    this.#db.close();
  }
}
