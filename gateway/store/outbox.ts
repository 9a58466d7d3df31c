// The uplink's Outbox over SQLite: messages waiting to leave the home, in the order they were
// queued, each removed only once its recipient has taken it. The relay drains the outbox (queue
// NULL); another queue (the pusher's) is a name the uplink gives, in the same table and the same
// sequence, counted in the stats and never seen by the relay. While the disk will not write, new
// messages and removals are held by the unit of work and the queues answer from the stored rows
// and the held ones. A message awaiting the hub's receipt keeps its row with the time it goes again
// (retry_at), out of the relay's drain.
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
  type ReceiptStats,
  type SentRow,
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
  peekAfter: `SELECT ${COLUMNS} FROM outbox WHERE queue IS ? AND seq > ? AND retry_at IS NULL ORDER BY seq LIMIT ?`,
  totals: 'SELECT count(*) AS rows, coalesce(sum(length(payload)), 0) AS bytes FROM outbox',
  oldestAlert: "SELECT created_at FROM outbox WHERE type = 'alert' AND retry_at IS NULL ORDER BY seq LIMIT 1",
  awaitReceipt: 'UPDATE outbox SET retry_at = ?, attempts = ? WHERE seq = ?',
  due: `SELECT ${COLUMNS}, attempts FROM outbox WHERE retry_at IS NOT NULL AND retry_at <= ? ORDER BY retry_at, seq LIMIT ?`,
  rowAt: `SELECT ${COLUMNS} FROM outbox WHERE seq = ?`,
  seqOf: 'SELECT seq FROM outbox WHERE id = ? AND queue IS NULL',
  receipts:
    "SELECT count(*) AS awaiting, min(created_at) AS oldestAt, min(CASE WHEN type = 'alert' THEN created_at END) AS oldestAlertAt FROM outbox WHERE retry_at IS NOT NULL",
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

  awaitReceipt(seq: number, retryAt: number, attempts: number): void {
    this.uow.write({ run: () => this.sql.awaitReceipt.run(retryAt, attempts, seq) });
    // Held: the stored row does not say so yet, so the held writes do.
    this.uow.held?.sent.set(seq, { retryAt, attempts });
  }

  due(now: number, limit: number): SentRow[] {
    const held = this.uow.held;
    if (!held) return this.sql.due.all(now, limit) as SentRow[];
    let stored: SentRow[] = [];
    try {
      stored = this.sql.due.all(now, limit) as SentRow[];
    } catch {
      stored = [];
    }
    const fresh = stored.filter((r) => !held.removed.has(r.seq) && !held.sent.has(r.seq));
    const heldDue = [...held.sent]
      .filter(([, s]) => s.retryAt <= now)
      .flatMap(([seq, s]) => {
        const row = this.#rowAt(seq);
        return row ? [{ ...row, attempts: s.attempts }] : [];
      });
    return [...fresh, ...heldDue].slice(0, limit);
  }

  receipted(ids: readonly string[]): number {
    const before = this.#totals().rows;
    for (const id of ids) {
      let seq: number | undefined;
      try {
        seq = (this.sql.seqOf.get(id) as { seq: number } | undefined)?.seq;
      } catch {
        seq = undefined;
      }
      seq ??= this.uow.held?.outbox.find((r) => r.id === id && r.queue === null)?.seq;
      if (seq === undefined) continue;
      this.remove(seq);
      this.uow.held?.sent.delete(seq);
    }
    return before - this.#totals().rows;
  }

  /** While the disk will not write, what the broker took meanwhile is counted on top of the stored ones. */
  receipts(): ReceiptStats {
    let stored: ReceiptStats = { awaiting: 0, oldestAt: null, oldestAlertAt: null };
    try {
      stored = this.sql.receipts.get() as ReceiptStats;
    } catch {
      // A disk that cannot be read: what is held is all that can be said.
    }
    const held = this.uow.held;
    if (!held || held.sent.size === 0) return stored;
    const rows = [...held.sent.keys()].flatMap((seq) => this.#rowAt(seq) ?? []);
    const min = (xs: (number | null)[]) => {
      const known = xs.filter((x): x is number => x !== null);
      return known.length ? Math.min(...known) : null;
    };
    return {
      awaiting: stored.awaiting + rows.length,
      oldestAt: min([stored.oldestAt, ...rows.map((r) => r.created_at)]),
      oldestAlertAt: min([
        stored.oldestAlertAt,
        ...rows.filter((r) => r.type === 'alert').map((r) => r.created_at),
      ]),
    };
  }

  /** A stored or held message by its sequence number. */
  #rowAt(seq: number): OutboxRow | undefined {
    const held = this.uow.held?.outbox.find((r) => r.seq === seq);
    if (held) {
      const { queue: _, ...row } = held;
      return row;
    }
    try {
      return this.sql.rowAt.get(seq) as OutboxRow | undefined;
    } catch {
      return undefined;
    }
  }

  peekAfterIn(queue: string | null, seq: number, limit: number): OutboxRow[] {
    return this.#withHeld(
      () => this.sql.peekAfter.all(queue, seq, limit) as OutboxRow[],
      (r) => r.queue === queue && r.seq > seq,
      limit,
      true,
    );
  }

  #totals(): { rows: number; bytes: number } {
    this.#counted ??= { ...(this.sql.totals.get() as { rows: number; bytes: number }) };
    return this.#counted;
  }

  /**
   * Stored rows (those not delivered meanwhile), then held ones: what is sent next. `drain`: for
   * the relay, so not what awaits a receipt.
   */
  #withHeld(
    stored: () => OutboxRow[],
    keep: (r: QueuedRow) => boolean,
    limit: number,
    drain = false,
  ): OutboxRow[] {
    const held = this.uow.held;
    if (!held) return stored();
    let rows: OutboxRow[];
    try {
      rows = stored().filter((r) => !held.removed.has(r.seq) && !(drain && held.sent.has(r.seq)));
    } catch {
      rows = [];
    }
    const waiting = held.outbox
      .filter((r) => keep(r) && !(drain && held.sent.has(r.seq)))
      .map(({ queue: _, ...row }) => row);
    return [...rows, ...waiting].slice(0, limit);
  }
}
