// Limits on who may try to connect: too many connections, or too many failed sign-ins from one
// address (guessing passwords). Pure state over an injected clock reading.

export type GuardLimits = {
  maxConnections: number;
  maxFailures: number;
  failureWindowMs: number;
  banMs: number;
};

export const DEFAULT_LIMITS: GuardLimits = {
  maxConnections: 64,
  maxFailures: 5,
  failureWindowMs: 60_000,
  banMs: 300_000,
};

export class ConnectGuard {
  #failures = new Map<string, number[]>();
  #bannedUntil = new Map<string, number>();

  constructor(private readonly limits: GuardLimits = DEFAULT_LIMITS) {}

  /** Why a new connection from `address` is refused now, or undefined when it may proceed. */
  refuse(address: string, connected: number, now: number): string | undefined {
    if (connected >= this.limits.maxConnections)
      return `connection limit reached (${this.limits.maxConnections})`;
    const until = this.#bannedUntil.get(address);
    if (until !== undefined && now < until)
      return `too many failed sign-ins from ${address}; refused for a while`;
    if (until !== undefined) this.#bannedUntil.delete(address);
    return undefined;
  }

  failed(address: string, now: number): void {
    const recent = (this.#failures.get(address) ?? []).filter((t) => now - t < this.limits.failureWindowMs);
    recent.push(now);
    if (recent.length >= this.limits.maxFailures) {
      this.#bannedUntil.set(address, now + this.limits.banMs);
      this.#failures.delete(address);
    } else this.#failures.set(address, recent);
    // Bounded memory whatever an attacker does: forget the oldest addresses first.
    if (this.#failures.size > 10_000) this.#failures.delete(this.#failures.keys().next().value as string);
  }

  succeeded(address: string): void {
    this.#failures.delete(address);
  }
}
