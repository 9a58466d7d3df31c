/** The wait before try `attempt` (1, 2, ...): `firstMs`, doubling each time, never over `capMs`. */
export function doubling(attempt: number, firstMs: number, capMs: number): number {
  return Math.min(capMs, firstMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
}

/** Capped exponential backoff with jitter: about 1 s, 2 s, 4 s ... up to `capMs`. */
export function backoff(attempt: number, capMs: number, random = Math.random): number {
  const base = doubling(attempt, 1000, capMs);
  return Math.round(base * (0.8 + 0.4 * random()));
}
