// Writes the disk would not take (full, failing, remounted read-only), held in memory in their
// order until it takes them again. Alerts and every queued message are kept whatever it costs;
// plain readings are bounded, the oldest going first, so a card that fails for days cannot
// exhaust the Pi's memory. Rule states are kept as the latest one per rule.
import type { OutboxRow } from '../../cloud-relay/uplink/outbox.ts';

/** About five days of a typical home's readings. */
export const MAX_HELD_EVENTS = 100_000;

/** A queued message and its queue (null: the outbox the relay drains). */
export type QueuedRow = OutboxRow & { queue: string | null };

/** One write, as it can be replayed in a later transaction. */
export type Op = {
  run: () => void;
  /** The queued message it adds, with the sequence number it keeps when replayed. */
  outbox?: QueuedRow;
  /** A rule's state: only the latest one per rule is replayed. */
  rule?: string;
  /** A plain reading: what goes first when too many are held. */
  event?: boolean;
};

/** SQLite's codes for a disk that will not write: full, I/O errors, read-only, gone. */
export function isStorageFault(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/.test(code);
}

export function describeFault(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return `${e.code ?? 'error'}: ${e.message ?? String(err)}`;
}

export class HeldWrites {
  fault: string;
  readonly since: number;
  /** Messages held, in sequence order: the relay sends them from here. */
  readonly outbox: QueuedRow[] = [];
  /** Stored messages delivered while the disk would not take their removal: seq -> bytes. */
  readonly removed = new Map<number, number>();
  /** Messages the broker took while the disk would not write that await the hub's receipt: seq -> when they go again. */
  readonly sent = new Map<number, { retryAt: number; attempts: number }>();
  droppedEvents = 0;
  #ops: Op[] = [];
  #rules = new Map<string, Op>();
  #events = 0;
  #lastSeq: number;

  constructor(fault: string, since: number, lastSeq: number) {
    this.fault = fault;
    this.since = since;
    this.#lastSeq = lastSeq;
  }

  nextSeq(): number {
    return ++this.#lastSeq;
  }

  add(op: Op): void {
    if (op.rule !== undefined) {
      this.#rules.set(op.rule, op);
      return;
    }
    if (op.outbox) {
      this.outbox.push(op.outbox);
      this.#lastSeq = Math.max(this.#lastSeq, op.outbox.seq);
    }
    this.#ops.push(op);
    if (op.event && ++this.#events > MAX_HELD_EVENTS) {
      const i = this.#ops.findIndex((o) => o.event);
      this.#ops.splice(i, 1);
      this.#events--;
      this.droppedEvents++;
    }
  }

  /** Every write to replay, in order, the rule states last. */
  ops(): Op[] {
    return [...this.#ops, ...this.#rules.values()];
  }

  get events(): number {
    return this.#events;
  }
}
