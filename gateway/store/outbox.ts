// The uplink's Outbox over SQLite: messages waiting to leave the home, in the order they were
// queued, each removed only once its recipient has taken it. The relay drains the outbox (queue
// NULL); another queue (the pusher's) is a name the uplink gives, in the same table and the same
// sequence, counted in the stats and never seen by the relay. While the disk will not write, new
// messages and removals are held by the unit of work and the queues answer from the stored rows
// and the held ones.
import {
  DROPPABLE,
  type NewOutboxRow,
  type Outbox,
  type OutboxHealth,
  type OutboxRow,
  type OutboxStats,
  type Queue,
  type Queues,
  queueIn,
} from '../../cloud-relay/uplink/outbox.ts';
import type { Sqlite } from './database.ts';
import { type HeldWrites, isStorageFault, type QueuedRow } from './held.ts';
import { repository } from './repository.ts';
import type { UnitOfWork } from './unit-of-work.ts';

const COLUMNS = 'seq, id, topic, type, payload, created_at';

const SQL = {
  add: 'INSERT OR IGNORE INTO outbox (id, topic, type, payload, created_at, queue) VALUES (@id, @topic, @type, @payload, @created_at, @queue)',
  addAt:
    'INSERT OR IGNORE INTO outbox (seq, id, topic, type, payload, created_at, queue) VALUES (@seq, @id, @topic, @type, @payload, @created_at, @queue)',
  peek: `SELECT ${COLUMNS} FROM outbox ORDER BY seq LIMIT ?`,
  peekAfter: `SELECT ${COLUMNS} FROM outbox WHERE queue IS ? AND seq > ? ORDER BY seq LIMIT ?`,
  totals: 'SELECT count(*) AS rows, coalesce(sum(length(payload)), 0) AS bytes FROM outbox',
  oldestAlert: "SELECT created_at FROM outbox WHERE type = 'alert' ORDER BY seq LIMIT 1",
  oldestOfType: 'SELECT seq, length(payload) AS bytes FROM outbox WHERE type = ? ORDER BY seq LIMIT ?',
  remove: 'DELETE FROM outbox WHERE seq = ? RETURNING length(payload) AS n',
  bytesOf: 'SELECT length(payload) AS n FROM outbox WHERE seq = ?',
  lastSeq: 'SELECT coalesce(max(seq), 0) AS n FROM outbox',
};

export class SqliteOutbox extends repository(SQL) implements Outbox, Queues {
  /**
   * The outbox's size, kept as running totals so that asking costs nothing however long the
   * queue grows (a week offline); counted afresh after a rollback.
   */
  #counted: { rows: number; bytes: number } | null = null;

  constructor(db: Sqlite, uow: UnitOfWork) {
    super(db, uow);
    uow.onRecount(() => {
      this.#counted = null;
    });
  }

  add(row: NewOutboxRow): void {
    this.addTo(null, row);
  }

  peekAfter(seq: number, limit: number): OutboxRow[] {
    return this.peekAfterIn(null, seq, limit);
  }

  /** Another queue of the outbox, by the name its owner gives it. */
  queue(name: string): Queue {
    return queueIn(this, name);
  }

  unit<T>(fn: () => T, durable: boolean): T {
    return this.uow.unit(fn, durable);
  }

  health(): OutboxHealth {
    return this.uow.health();
  }

  onHealth(fn: (h: OutboxHealth) => void): void {
    this.uow.onHealth(fn);
  }

  /** Every queued message, of every queue, in order, up to `limit`. */
  peek(limit: number): OutboxRow[] {
    return this.#withHeld(
      () => this.sql.peek.all(limit) as OutboxRow[],
      () => true,
      limit,
    );
  }

  /** How many messages wait, in every queue. */
  depth(): number {
    return this.#totals().rows;
  }

  /** The highest sequence number stored: held messages are numbered after it. */
  lastSeq(): number {
    return (this.sql.lastSeq.get() as { n: number }).n;
  }

  /** Called once the recipient has taken it (the broker's PUBACK), and only then. */
  remove(seq: number): void {
    const totals = this.#totals();
    const held = this.uow.held;
    if (!held) {
      try {
        const gone = this.sql.remove.get(seq) as { n: number } | undefined;
        if (gone) {
          totals.rows--;
          totals.bytes -= gone.n;
          this.uow.journal({ run: () => this.sql.remove.get(seq) });
        }
        return;
      } catch (err) {
        if (!isStorageFault(err)) throw err;
        this.uow.fail(err);
        this.remove(seq);
        return;
      }
    }
    const i = held.outbox.findIndex((r) => r.seq === seq);
    let bytes: number | undefined;
    if (i >= 0) bytes = held.outbox.splice(i, 1)[0]?.payload.length;
    else if (!held.removed.has(seq)) {
      try {
        bytes = (this.sql.bytesOf.get(seq) as { n: number } | undefined)?.n;
      } catch {
        bytes = undefined;
      }
      if (bytes !== undefined) held.removed.set(seq, bytes);
    }
    if (bytes === undefined) return;
    held.add({ run: () => this.sql.remove.get(seq) });
    totals.rows--;
    totals.bytes -= bytes;
  }

  stats(): OutboxStats {
    let oldest: number | null = null;
    try {
      oldest = (this.sql.oldestAlert.get() as { created_at: number } | undefined)?.created_at ?? null;
    } catch {
      oldest = null;
    }
    const heldAlert = this.uow.held?.outbox.find((r) => r.type === 'alert')?.created_at ?? null;
    return { ...this.#totals(), oldestAlertAt: oldest ?? heldAlert };
  }

  enforceLimit(maxRows: number, maxBytes: number): Record<string, number> {
    const dropped: Record<string, number> = {};
    let { rows, bytes } = this.stats();
    for (const type of DROPPABLE) {
      while (rows > maxRows || bytes > maxBytes) {
        const batch = this.sql.oldestOfType.all(type, Math.max(100, rows - maxRows)) as {
          seq: number;
          bytes: number;
        }[];
        if (batch.length === 0) break;
        for (const r of batch) {
          if (rows <= maxRows && bytes <= maxBytes) break;
          this.remove(r.seq);
          rows--;
          bytes -= r.bytes;
          dropped[type] = (dropped[type] ?? 0) + 1;
        }
      }
    }
    return dropped;
  }

  /** Queues a message; a repeated id is ignored, so a retried transaction cannot queue it twice. */
  addTo(queue: string | null, row: NewOutboxRow): void {
    const totals = this.#totals();
    const { id, topic, type, payload, created_at } = row;
    const bound = { id, topic, type, payload, created_at, queue };
    if (!this.uow.held) {
      try {
        const r = this.sql.add.run(bound);
        if (r.changes === 1) {
          totals.rows++;
          totals.bytes += payload.length;
          // Replayed (after a failed commit) under the same sequence number the relay may have seen.
          const full = { ...bound, seq: Number(r.lastInsertRowid) };
          this.uow.journal({ run: () => this.sql.addAt.run(full), outbox: full });
        }
        return;
      } catch (err) {
        if (!isStorageFault(err)) throw err;
        this.uow.fail(err);
      }
    }
    const held = this.uow.held as HeldWrites;
    if (held.outbox.some((r) => r.id === id)) return;
    const full = { ...bound, seq: held.nextSeq() };
    held.add({ run: () => this.sql.addAt.run(full), outbox: full });
    totals.rows++;
    totals.bytes += payload.length;
  }

  peekAfterIn(queue: string | null, seq: number, limit: number): OutboxRow[] {
    return this.#withHeld(
      () => this.sql.peekAfter.all(queue, seq, limit) as OutboxRow[],
      (r) => r.queue === queue && r.seq > seq,
      limit,
    );
  }

  #totals(): { rows: number; bytes: number } {
    this.#counted ??= { ...(this.sql.totals.get() as { rows: number; bytes: number }) };
    return this.#counted;
  }

  /** Stored rows (those not delivered meanwhile), then held ones: what is sent next. */
  #withHeld(stored: () => OutboxRow[], keep: (r: QueuedRow) => boolean, limit: number): OutboxRow[] {
    const held = this.uow.held;
    if (!held) return stored();
    let rows: OutboxRow[];
    try {
      rows = stored().filter((r) => !held.removed.has(r.seq));
    } catch {
      rows = [];
    }
    const waiting = held.outbox.filter(keep).map(({ queue: _, ...row }) => row);
    return [...rows, ...waiting].slice(0, limit);
  }
}
