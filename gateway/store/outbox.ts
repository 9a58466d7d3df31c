// The outbox: messages waiting to leave the home, in the order they were queued, each removed only
// once its recipient has taken it. While the disk will not write, new messages and removals are
// held by the unit of work and the queue answers from the stored rows and the held ones.
import type { Sqlite } from './database.ts';
import type { HeldWrites } from './held.ts';
import { isStorageFault } from './held.ts';
import type { NewOutboxRow, OutboxRow } from './outbox-row.ts';
import { repository } from './repository.ts';
import type { UnitOfWork } from './unit-of-work.ts';

/** What may be dropped from a full queue, first to last. Alerts never are. */
const DROPPABLE = ['heartbeat', 'summary'] as const;

const COLUMNS = 'seq, id, topic, type, payload, created_at';

const SQL = {
  add: 'INSERT OR IGNORE INTO outbox (id, topic, type, payload, created_at) VALUES (@id, @topic, @type, @payload, @created_at)',
  addAt:
    'INSERT OR IGNORE INTO outbox (seq, id, topic, type, payload, created_at) VALUES (@seq, @id, @topic, @type, @payload, @created_at)',
  peek: `SELECT ${COLUMNS} FROM outbox ORDER BY seq LIMIT ?`,
  // Pushes to carers go by HTTP, not to the trust broker: the MQTT drain leaves them alone.
  peekAfter: `SELECT ${COLUMNS} FROM outbox WHERE seq > ? AND type != 'push' ORDER BY seq LIMIT ?`,
  peekOfType: `SELECT ${COLUMNS} FROM outbox WHERE type = ? ORDER BY seq LIMIT ?`,
  totals: 'SELECT count(*) AS rows, coalesce(sum(length(payload)), 0) AS bytes FROM outbox',
  oldestAlert: "SELECT created_at FROM outbox WHERE type = 'alert' ORDER BY seq LIMIT 1",
  oldestOfType: 'SELECT seq, length(payload) AS bytes FROM outbox WHERE type = ? ORDER BY seq LIMIT ?',
  remove: 'DELETE FROM outbox WHERE seq = ? RETURNING length(payload) AS n',
  bytesOf: 'SELECT length(payload) AS n FROM outbox WHERE seq = ?',
  lastSeq: 'SELECT coalesce(max(seq), 0) AS n FROM outbox',
};

export type OutboxStats = { rows: number; bytes: number; oldestAlertAt: number | null };

export class SqliteOutbox extends repository(SQL) {
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

  /** The highest sequence number stored: held messages are numbered after it. */
  lastSeq(): number {
    return (this.sql.lastSeq.get() as { n: number }).n;
  }

  /** Queues a message; a repeated id is ignored, so a retried transaction cannot queue it twice. */
  add(row: NewOutboxRow): void {
    const totals = this.#totals();
    if (!this.uow.held) {
      try {
        const r = this.sql.add.run(row);
        if (r.changes === 1) {
          totals.rows++;
          totals.bytes += row.payload.length;
          // Replayed (after a failed commit) under the same sequence number the relay may have seen.
          const full = { ...row, seq: Number(r.lastInsertRowid) };
          this.uow.journal({ run: () => this.sql.addAt.run(full), outbox: full });
        }
        return;
      } catch (err) {
        if (!isStorageFault(err)) throw err;
        this.uow.fail(err);
      }
    }
    const held = this.uow.held as HeldWrites;
    if (held.outbox.some((r) => r.id === row.id)) return;
    const full = { ...row, seq: held.nextSeq() };
    held.add({ run: () => this.sql.addAt.run(full), outbox: full });
    totals.rows++;
    totals.bytes += row.payload.length;
  }

  /** Every queued message, in order, up to `limit`. */
  peek(limit: number): OutboxRow[] {
    return this.#withHeld(
      () => this.sql.peek.all(limit) as OutboxRow[],
      () => true,
      limit,
    );
  }

  peekAfter(seq: number, limit: number): OutboxRow[] {
    return this.#withHeld(
      () => this.sql.peekAfter.all(seq, limit) as OutboxRow[],
      (r) => r.seq > seq && r.type !== 'push',
      limit,
    );
  }

  peekOfType(type: string, limit: number): OutboxRow[] {
    return this.#withHeld(
      () => this.sql.peekOfType.all(type, limit) as OutboxRow[],
      (r) => r.type === type,
      limit,
    );
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

  depth(): number {
    return this.#totals().rows;
  }

  /**
   * Makes room when the queue is over its limits: heartbeats go first, then the oldest summaries.
   * Alerts (and command results) are never dropped. Returns how many of each type went.
   */
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

  #totals(): { rows: number; bytes: number } {
    this.#counted ??= { ...(this.sql.totals.get() as { rows: number; bytes: number }) };
    return this.#counted;
  }

  /** Stored rows (those not delivered meanwhile), then held ones: what is sent next. */
  #withHeld(stored: () => OutboxRow[], keep: (r: OutboxRow) => boolean, limit: number): OutboxRow[] {
    const held = this.uow.held;
    if (!held) return stored();
    let rows: OutboxRow[];
    try {
      rows = stored().filter((r) => !held.removed.has(r.seq));
    } catch {
      rows = [];
    }
    return [...rows, ...held.outbox.filter(keep)].slice(0, limit);
  }
}
