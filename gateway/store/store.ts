// The durable local store (SQLite via better-sqlite3): one unit of work (group commit,
// savepoints, writes held while the disk will not take them) and a repository per family of
// tables. Its connection stays inside: what the rest of the gateway needs of the file (a backup,
// a checkpoint, a check) is a method here.

import { backupNow } from './backup.ts';
import { SqliteCommandLog } from './command-log.ts';
import type { Sqlite } from './database.ts';
import { lockedOr, openDatabase } from './database.ts';
import { DayRecords } from './day-records.ts';
import { EventLog } from './event-log.ts';
import { SQLITE } from './inspect.ts';
import { Meta } from './meta.ts';
import { ModeSpans } from './mode-spans.ts';
import { SqliteOutbox } from './outbox.ts';
import { ResidentData } from './resident-data.ts';
import { RuleStates } from './rule-states.ts';
import { StatusReader } from './status-reader.ts';
import { type StorageHealth, UnitOfWork } from './unit-of-work.ts';

export type { NewOutboxRow, OutboxRow } from '../../cloud-relay/uplink/outbox.ts';
export { CHECKPOINT_PAGES, PAGE_SIZE } from './database.ts';
export type { StoredEvent } from './event-log.ts';
export { type ModeSpan, modeSpans } from './mode-spans.ts';
export { GROUP_COMMIT_MS, RETRY_MS, type StorageHealth } from './unit-of-work.ts';

export type StoreOptions = {
  /**
   * 'normal' syncs every commit that queued a message (synchronous=FULL) and groups plain
   * readings into one commit per GROUP_COMMIT_MS, synced too (see `unit`); 'off' never waits for
   * the disk, for throwaway databases (replays).
   */
  durability?: 'normal' | 'off';
  /** A monotonic clock in ms for the group commit's window; the benchmark gives a simulated one. */
  now?: () => number;
};

export class Store {
  readonly path: string;
  readonly events: EventLog;
  readonly ruleStates: RuleStates;
  readonly outbox: SqliteOutbox;
  readonly commands: SqliteCommandLog;
  readonly days: DayRecords;
  readonly meta: Meta;
  /** Care modes, span by span. */
  readonly modes: ModeSpans;
  /** What `hearth status` reads. */
  readonly status: StatusReader;
  /** What `hearth export` reads and `hearth forget` erases. */
  readonly residentData: ResidentData;
  readonly #db: Sqlite;
  readonly #uow: UnitOfWork;

  private constructor(db: Sqlite, path: string, opts: StoreOptions) {
    this.#db = db;
    this.path = path;
    const now = opts.now ?? (() => performance.now());
    this.#uow = new UnitOfWork(db, { now, lastSeq: () => this.outbox.lastSeq() });
    this.events = new EventLog(db, this.#uow);
    this.ruleStates = new RuleStates(db, this.#uow);
    this.outbox = new SqliteOutbox(db, this.#uow);
    this.commands = new SqliteCommandLog(db, this.#uow);
    this.days = new DayRecords(db, this.#uow);
    this.meta = new Meta(db, this.#uow);
    this.modes = new ModeSpans(db, this.#uow);
    this.status = new StatusReader(db);
    this.residentData = new ResidentData(db);
  }

  /** Opens (creating, migrating) the database; see StoreOptions for how it meets the disk. */
  static open(path: string, opts: StoreOptions = {}): Store {
    const db = openDatabase(path, opts.durability ?? 'normal');
    const store = new Store(db, path, opts);
    // A write takes the exclusive lock now and holds it until close: a second gateway is refused
    // here. On a disk that is already full the write is held, and the gateway starts anyway.
    try {
      store.meta.put('opened_at', new Date().toISOString());
    } catch (e) {
      db.close();
      throw lockedOr(e, path);
    }
    return store;
  }

  /** For tests that look at the file while the store holds it: see inspect.ts. */
  get [SQLITE](): Sqlite {
    return this.#db;
  }

  /** Runs fn all or nothing, committed (and synced) with any open group when this returns. */
  transaction<T>(fn: () => T): T {
    return this.#uow.unit(fn, true);
  }

  /** One unit of work: see UnitOfWork.unit. */
  unit<T>(fn: () => T, durable: boolean): T {
    return this.#uow.unit(fn, durable);
  }

  /** Called just before each group commit: the last chance to write state kept in memory. */
  beforeCommit(fn: () => void): void {
    this.#uow.beforeCommit(fn);
  }

  /** Commits the open group of units, if any. A disk that will not take it: the group is held. */
  commit(): void {
    this.#uow.commit();
  }

  /** Hears when the disk stops taking writes and when it takes them again. */
  onHealth(fn: (h: StorageHealth) => void): void {
    this.#uow.onHealth(fn);
  }

  /** What frees space on a full disk (retention); run before each retry while it is full. */
  onFull(reclaim: () => void): void {
    this.#uow.onFull(reclaim);
  }

  health(): StorageHealth {
    return this.#uow.health();
  }

  /**
   * A real read of the database, for the health check: throws when it does not answer. While
   * writes are held it passes: a restart would lose them, and the store is answering from memory.
   */
  probe(): void {
    if (this.#uow.held) return;
    this.ruleStates.count();
  }

  /** Takes one backup now (see backup.ts); resolves with its file. */
  backup(now: number): Promise<string> {
    return backupNow(this.#db, this.path, now);
  }

  /** Copies the WAL back into the database and empties it: room on a full card. */
  checkpoint(): void {
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** PRAGMA quick_check's lines: ['ok'] for a sound database. */
  quickCheck(): string[] {
    return (this.#db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
  }

  /** Closes the file and writes nothing more: for a database found damaged. */
  abandon(): void {
    this.#db.close();
  }

  /** Commits, offers held writes one last time, and closes. */
  close(): void {
    this.#uow.close();
  }
}
