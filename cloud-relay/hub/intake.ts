// What has reached this instance and is not yet acknowledged to the broker. Messages are taken
// in batches, one transaction each: whatever arrived while the last batch committed, up to a
// bound, so an idle hub commits a lone alert at once and a busy one commits hundreds a round
// trip. Alerts have a lane of their own, beside the rest: an alert is taken at once, wherever it
// waits, and committed beside a batch of heartbeats rather than after it, so a home's day-long
// backlog, or a town's, never holds a live alert behind it. PUBACKs still go in the order the
// messages came (MQTT 5, 4.6.0-2), each only once its message is committed. Full (by count or
// bytes), the intake stops reading from the broker until a batch frees room, so memory stays
// bounded.

export type IntakeLimits = {
  /** Messages in one transaction. */
  maxBatch: number;
  /** Messages held, taken or waiting, before reading stops. */
  maxQueued: number;
  /** Their payloads' bytes, the same. */
  maxBytes: number;
};

export const INTAKE_LIMITS: IntakeLimits = { maxBatch: 500, maxQueued: 5_000, maxBytes: 32 * 1024 * 1024 };

type Held<T> = { item: T; urgent: boolean; bytes: number; settled: boolean; ack: () => void };

export class Intake<T> {
  readonly #limits: IntakeLimits;
  readonly #run: (batch: T[]) => Promise<void>;
  /** Every message not yet acknowledged, in the order it came. */
  #held: Held<T>[] = [];
  /** Those not yet taken into a batch. */
  #waiting: Held<T>[] = [];
  #bytes = 0;
  /** The lanes running a batch now: urgent messages (alerts), and the rest. */
  #busy = { urgent: false, rest: false };
  #room: (() => void)[] = [];
  #idle: (() => void)[] = [];
  batches = 0;

  /** `run` stores a batch; it must not throw (the receiver catches and counts). */
  constructor(run: (batch: T[]) => Promise<void>, limits: IntakeLimits = INTAKE_LIMITS) {
    this.#run = run;
    this.#limits = limits;
  }

  get size(): number {
    return this.#held.length;
  }

  /**
   * Takes a message; `ack` is called once it and every message before it are stored. Resolves at
   * once while there is room, else when a batch has made some: the caller reads on after it.
   */
  add(item: T, urgent: boolean, bytes: number, ack: () => void): Promise<void> {
    const h = { item, urgent, bytes, settled: false, ack };
    this.#held.push(h);
    this.#waiting.push(h);
    this.#bytes += bytes;
    const lane = urgent ? 'urgent' : 'rest';
    if (!this.#busy[lane]) {
      this.#busy[lane] = true;
      // After the packets already parsed from the same read: they join the first batch.
      setImmediate(() => void this.#loop(urgent));
    }
    if (this.#fits()) return Promise.resolve();
    return new Promise((r) => this.#room.push(r));
  }

  /** Resolves when nothing waits to be stored. */
  idle(): Promise<void> {
    return this.#busy.urgent || this.#busy.rest ? new Promise((r) => this.#idle.push(r)) : Promise.resolve();
  }

  #fits(): boolean {
    return this.#held.length < this.#limits.maxQueued && this.#bytes < this.#limits.maxBytes;
  }

  /** One lane: its messages, a batch at a time, while any wait. */
  async #loop(urgent: boolean): Promise<void> {
    for (let batch = this.#next(urgent); batch.length > 0; batch = this.#next(urgent)) {
      this.batches++;
      try {
        await this.#run(batch.map((h) => h.item));
      } catch {
        // `run` catches what it can; a batch that still threw is acknowledged like one refused.
      }
      for (const h of batch) h.settled = true;
      this.#acknowledge();
    }
    this.#busy[urgent ? 'urgent' : 'rest'] = false;
    if (!this.#busy.urgent && !this.#busy.rest) for (const r of this.#idle.splice(0)) r();
  }

  /** The lane's oldest waiting messages, up to a batch. */
  #next(urgent: boolean): Held<T>[] {
    const batch: Held<T>[] = [];
    const left: Held<T>[] = [];
    for (const h of this.#waiting)
      if (h.urgent === urgent && batch.length < this.#limits.maxBatch) batch.push(h);
      else left.push(h);
    this.#waiting = left;
    return batch;
  }

  /** Acknowledges the stored messages at the head, in the order they came, and lets reading go on. */
  #acknowledge(): void {
    let n = 0;
    for (; n < this.#held.length && (this.#held[n] as Held<T>).settled; n++) {
      const h = this.#held[n] as Held<T>;
      this.#bytes -= h.bytes;
      try {
        h.ack();
      } catch {
        // A connection already gone: the broker sends the message again, and it is a repeat.
      }
    }
    this.#held.splice(0, n);
    while (this.#room.length > 0 && this.#fits()) this.#room.shift()?.();
  }
}
