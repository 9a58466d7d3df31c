// Time is an input. Pure code receives `now`; this module owns the one clock and its timers.
// The simulated clock lets tests and replays run weeks in milliseconds with no sleeping.

export type Cancel = () => void;

export interface Clock {
  /** Wall-clock time, epoch ms. */
  now(): number;
  /** Milliseconds on a clock that never jumps; only differences mean anything. */
  monotonic(): number;
  /** Calls fn once, when now() reaches `at` (at once if it already has). */
  timer(at: number, fn: () => void): Cancel;
}

/** Node's setTimeout overflows past 2^31-1 ms (24.8 days): long waits are taken in steps. */
const MAX_DELAY = 2 ** 31 - 1;

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  monotonic(): number {
    return performance.now();
  }
  timer(at: number, fn: () => void): Cancel {
    let handle: NodeJS.Timeout;
    const arm = () => {
      const delay = at - Date.now();
      handle = delay > MAX_DELAY ? setTimeout(arm, MAX_DELAY) : setTimeout(fn, Math.max(0, delay));
    };
    arm();
    return () => clearTimeout(handle);
  }
}

type Pending = { at: number; seq: number; fn: () => void };

/** A clock that moves only when told to; timers fire in time order as it passes them. */
export class SimClock implements Clock {
  #now: number;
  #mono = 0;
  #seq = 0;
  #pending: Pending[] = [];

  constructor(start: number) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  monotonic(): number {
    return this.#mono;
  }
  timer(at: number, fn: () => void): Cancel {
    const p = { at, seq: this.#seq++, fn };
    this.#pending.push(p);
    return () => {
      this.#pending = this.#pending.filter((x) => x !== p);
    };
  }
  /** The time of the next timer, if any. */
  nextAt(): number | undefined {
    return this.#pending.reduce<number | undefined>(
      (m, p) => (m === undefined || p.at < m ? p.at : m),
      undefined,
    );
  }
  /** Moves time forward to `to`, firing every timer due on the way, each at its own instant. */
  advanceTo(to: number): void {
    for (;;) {
      const due = this.#pending.filter((p) => p.at <= to).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#pending = this.#pending.filter((p) => p !== due);
      this.#set(Math.max(this.#now, due.at));
      due.fn();
    }
    this.#set(Math.max(this.#now, to));
  }
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }
  /** Sets the wall clock without moving the monotonic one, as NTP does at boot. */
  jumpWall(to: number): void {
    this.#now = to;
  }
  #set(t: number): void {
    this.#mono += t - this.#now;
    this.#now = t;
  }
}
