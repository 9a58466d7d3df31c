// What the broker keeps as retained messages, on the books: bytes per user and in all are
// bounded, so one account cannot make the gateway hold hundreds of megabytes until its next
// restart. Past a bound the message is still delivered, but not kept, and an older message kept
// on its topic is cleared too: it is no longer the topic's latest word. Pure counts.

export type RetainedLimits = { perUserBytes: number; totalBytes: number };

/** What keeping one more message costs the process besides its bytes (an entry, its strings). */
export const ENTRY_BYTES = 256;

export type Retain = { keep: true } | { keep: false; reason: string; clearOlder: boolean };

export class RetainedBudget {
  /** Topic -> who published what is kept there, and what it costs. */
  #held = new Map<string, { user: string; bytes: number }>();
  #byUser = new Map<string, number>();
  #total = 0;

  constructor(private readonly limits: RetainedLimits) {}

  /** A retained message from `user`: whether it may be kept. An empty one clears its topic. */
  admit(user: string, topic: string, payloadBytes: number): Retain {
    const older = this.#held.get(topic);
    if (older) this.#release(topic, older);
    if (payloadBytes === 0) return { keep: true };
    const cost = Buffer.byteLength(topic) + payloadBytes + ENTRY_BYTES;
    const mine = (this.#byUser.get(user) ?? 0) + cost;
    const why =
      mine > this.limits.perUserBytes
        ? `${user} would keep ${mine} bytes of retained messages, over ${this.limits.perUserBytes}`
        : this.#total + cost > this.limits.totalBytes
          ? `the broker would keep ${this.#total + cost} bytes of retained messages, over ${this.limits.totalBytes}`
          : undefined;
    if (why) return { keep: false, reason: why, clearOlder: older !== undefined };
    this.#held.set(topic, { user, bytes: cost });
    this.#byUser.set(user, mine);
    this.#total += cost;
    return { keep: true };
  }

  /** Bytes kept for `user` (for everyone without one). */
  held(user?: string): number {
    return user === undefined ? this.#total : (this.#byUser.get(user) ?? 0);
  }

  #release(topic: string, entry: { user: string; bytes: number }): void {
    this.#held.delete(topic);
    this.#total -= entry.bytes;
    const left = (this.#byUser.get(entry.user) ?? 0) - entry.bytes;
    if (left > 0) this.#byUser.set(entry.user, left);
    else this.#byUser.delete(entry.user);
  }
}
