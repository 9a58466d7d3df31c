// The uplink's ports: what the relay and the pusher need of whatever keeps their messages across
// a restart. The gateway's store implements them over SQLite (gateway/store/outbox.ts,
// command-log.ts), memory-outbox.ts in memory; test/contracts/outbox.ts is the one suite both
// must pass. The uplink depends on these and never on the store.
import { parseTopic } from '../protocol/topics.ts';

/** A message waiting to leave the home, with its place in the order messages were queued in. */
export type OutboxRow = {
  seq: number;
  id: string;
  topic: string;
  type: string;
  payload: string;
  created_at: number;
};
export type NewOutboxRow = Omit<OutboxRow, 'seq'>;

/**
 * All that waits to leave the home, in every queue (a status and the queue limit count it), and
 * when the oldest alert not yet taken by the trust broker was queued.
 */
export type OutboxStats = { rows: number; bytes: number; oldestAlertAt: number | null };

/** A message the trust broker has taken that waits for the hub's receipt, and how often it went. */
export type SentRow = OutboxRow & { attempts: number };

/** The messages awaiting the hub's receipt: how many, and when the oldest (and oldest alert) was queued. */
export type ReceiptStats = { awaiting: number; oldestAt: number | null; oldestAlertAt: number | null };

/**
 * The messages the hub receipts (README: the relay to the trust): a home's alerts, summaries and
 * nights on the topics the hub reads. Heartbeats, statuses, command results and the FHIR copy of a
 * summary (for another reader) are done at the broker's PUBACK.
 */
export function awaitsReceipt(row: Pick<OutboxRow, 'topic' | 'type'>): boolean {
  const t = parseTopic(row.topic);
  return t.ok && (t.kind === 'alert' || t.kind === 'summary' || t.kind === 'night');
}

/** A fault: the disk will not take writes (they are held meanwhile); null: it takes them. */
export type OutboxHealth = { fault: string | null };

/** What may be dropped from a full outbox, first to last. Alerts and command results never are. */
export const DROPPABLE = ['heartbeat', 'summary', 'night'] as const;

/**
 * One queue of messages, in the order they were added, each removed only once its recipient
 * has taken it.
 */
export interface Queue {
  /** Queues a message; a repeated id is ignored, so a retried unit cannot queue it twice. */
  add(row: NewOutboxRow): void;
  /** Up to `limit` messages queued after `seq`, in order. */
  peekAfter(seq: number, limit: number): OutboxRow[];
  remove(seq: number): void;
  /**
   * Runs fn as one unit of work: what it adds, removes and records is all kept or none of it.
   * A durable unit is on disk when this returns (what it queued may be published); others may
   * wait for the next group commit.
   */
  unit<T>(fn: () => T, durable: boolean): T;
}

/** The queue the relay drains to the trust broker, and the measures of all that waits. */
export interface Outbox extends Queue {
  stats(): OutboxStats;
  /**
   * Makes room when the outbox is over its limits: the oldest heartbeats go first, then the
   * oldest summaries, then nights (DROPPABLE); alerts never. Returns how many of each type went.
   */
  enforceLimit(maxRows: number, maxBytes: number): Record<string, number>;
  health(): OutboxHealth;
  /** Hears when the disk stops taking writes and when it takes them again. */
  onHealth(fn: (h: OutboxHealth) => void): void;
  /**
   * The trust broker has taken a message that needs the hub's receipt: it stays, out of what
   * peekAfter gives (the drain), until its receipt; at `retryAt` it is due to go again. `attempts`:
   * how many times it has now been sent.
   */
  awaitReceipt(seq: number, retryAt: number, attempts: number): void;
  /** Messages awaiting a receipt whose time to go again has come, the longest due first, up to `limit`. */
  due(now: number, limit: number): SentRow[];
  /** The hub has stored these (its receipt): each message named is removed. Returns how many were. */
  receipted(ids: readonly string[]): number;
  receipts(): ReceiptStats;
}

/**
 * An outbox that keeps several queues in one sequence, each by its name (null: the one the relay
 * drains): what a Queue of it needs.
 */
export interface Queues {
  addTo(queue: string | null, row: NewOutboxRow): void;
  peekAfterIn(queue: string | null, seq: number, limit: number): OutboxRow[];
  remove(seq: number): void;
  unit<T>(fn: () => T, durable: boolean): T;
}

/** One queue of an outbox that keeps several. */
export function queueIn(q: Queues, name: string | null): Queue {
  return {
    add: (row) => q.addTo(name, row),
    peekAfter: (seq, limit) => q.peekAfterIn(name, seq, limit),
    remove: (seq) => q.remove(seq),
    unit: (fn, durable) => q.unit(fn, durable),
  };
}

/** Commands from the trust by id, with their answers: a command delivered again is answered the same. */
export interface CommandLog {
  /** The answer (the queued cmd_result row, as JSON) given to a command already handled. */
  result(id: string): string | undefined;
  /** Written in the unit that queues the answer; a second record of an id keeps the first. */
  record(id: string, name: string, result: string, at: number): void;
}
