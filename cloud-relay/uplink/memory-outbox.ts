// The outbox and command log in memory: the ports' second implementation, for tests and as the
// contract suite's second backend. Nothing survives the process; a unit that throws is undone.
import {
  type CommandLog,
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
} from './outbox.ts';

/** A message, its queue, and while it awaits the hub's receipt when it goes again and how often it went. */
type Held = { row: OutboxRow; queue: string | null; sent: { retryAt: number; attempts: number } | null };

export class MemoryOutbox implements Outbox, Queues {
  #rows: Held[] = [];
  #lastSeq = 0;
  #results = new Map<string, string>();

  readonly commands: CommandLog = {
    result: (id) => this.#results.get(id),
    record: (id, _name, result) => {
      if (!this.#results.has(id)) this.#results.set(id, result);
    },
  };

  add(row: NewOutboxRow): void {
    this.addTo(null, row);
  }

  peekAfter(seq: number, limit: number): OutboxRow[] {
    return this.peekAfterIn(null, seq, limit);
  }

  remove(seq: number): void {
    this.#rows = this.#rows.filter((h) => h.row.seq !== seq);
  }

  /** Another queue in the same outbox: counted in its stats, never in its peekAfter. */
  queue(name: string): Queue {
    return queueIn(this, name);
  }

  unit<T>(fn: () => T, _durable: boolean): T {
    const before = {
      rows: this.#rows.map((h) => ({ ...h })),
      lastSeq: this.#lastSeq,
      results: new Map(this.#results),
    };
    try {
      return fn();
    } catch (err) {
      this.#rows = before.rows;
      this.#lastSeq = before.lastSeq;
      this.#results = before.results;
      throw err;
    }
  }

  stats(): OutboxStats {
    const alert = this.#rows.find((h) => h.row.type === 'alert' && !h.sent);
    return {
      rows: this.#rows.length,
      bytes: this.#rows.reduce((n, h) => n + h.row.payload.length, 0),
      oldestAlertAt: alert ? alert.row.created_at : null,
    };
  }

  enforceLimit(maxRows: number, maxBytes: number): Record<string, number> {
    const dropped: Record<string, number> = {};
    let { rows, bytes } = this.stats();
    for (const type of DROPPABLE)
      for (const h of this.#rows.filter((x) => x.row.type === type)) {
        if (rows <= maxRows && bytes <= maxBytes) break;
        this.remove(h.row.seq);
        rows--;
        bytes -= h.row.payload.length;
        dropped[type] = (dropped[type] ?? 0) + 1;
      }
    return dropped;
  }

  health(): OutboxHealth {
    return { fault: null };
  }

  /** Memory never stops taking writes: nothing to hear. */
  onHealth(_fn: (h: OutboxHealth) => void): void {}

  awaitReceipt(seq: number, retryAt: number, attempts: number): void {
    const h = this.#rows.find((x) => x.row.seq === seq);
    if (h) h.sent = { retryAt, attempts };
  }

  due(now: number, limit: number): SentRow[] {
    return this.#rows
      .filter((h) => h.sent && h.sent.retryAt <= now)
      .sort((a, b) => (a.sent?.retryAt ?? 0) - (b.sent?.retryAt ?? 0) || a.row.seq - b.row.seq)
      .slice(0, limit)
      .map((h) => ({ ...h.row, attempts: h.sent?.attempts ?? 0 }));
  }

  receipted(ids: readonly string[]): number {
    const named = new Set(ids);
    const before = this.#rows.length;
    this.#rows = this.#rows.filter((h) => h.queue !== null || !named.has(h.row.id));
    return before - this.#rows.length;
  }

  receipts(): ReceiptStats {
    const awaiting = this.#rows.filter((h) => h.sent);
    return {
      awaiting: awaiting.length,
      oldestAt: awaiting[0]?.row.created_at ?? null,
      oldestAlertAt: awaiting.find((h) => h.row.type === 'alert')?.row.created_at ?? null,
    };
  }

  addTo(queue: string | null, row: NewOutboxRow): void {
    if (this.#rows.some((h) => h.row.id === row.id)) return;
    const { id, topic, type, payload, created_at } = row;
    this.#rows.push({
      row: { seq: ++this.#lastSeq, id, topic, type, payload, created_at },
      queue,
      sent: null,
    });
  }

  peekAfterIn(queue: string | null, seq: number, limit: number): OutboxRow[] {
    return this.#rows
      .filter((h) => h.queue === queue && h.row.seq > seq && !h.sent)
      .slice(0, limit)
      .map((h) => ({ ...h.row }));
  }
}
