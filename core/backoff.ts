/** Capped exponential backoff with jitter: about 1 s, 2 s, 4 s ... up to `capMs`. */
export function backoff(attempt: number, capMs: number, random = Math.random): number {
  const base = Math.min(capMs, 1000 * 2 ** Math.min(attempt - 1, 16));
  return Math.round(base * (0.8 + 0.4 * random()));
}
