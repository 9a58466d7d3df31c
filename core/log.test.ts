import { describe, expect, it } from 'vitest';
import { rateLimited } from './log.ts';

/** Calls the limiter at each instant and returns what was written: the held count of each line. */
function play(limit: ReturnType<typeof rateLimited>, clock: { t: number }, at: number[], key = 'k') {
  const written: { at: number; held: number }[] = [];
  for (const t of at) {
    clock.t = t;
    limit(key, (held) => written.push({ at: t, held }));
  }
  return written;
}

describe('rateLimited', () => {
  it('writes one line a window per key, and the next says how many were held back', () => {
    const clock = { t: 0 };
    const limit = rateLimited(1_000, () => clock.t);
    expect(play(limit, clock, [5, 100, 900, 1_004, 1_005, 3_000])).toEqual([
      { at: 5, held: 0 },
      { at: 1_005, held: 3 },
      { at: 3_000, held: 0 },
    ]);
    expect(play(limit, clock, [3_001], 'other')).toEqual([{ at: 3_001, held: 0 }]);
  });

  it('writes a few lines a window when asked, the window opening with its first line', () => {
    const clock = { t: 0 };
    const limit = rateLimited(60_000, () => clock.t, { lines: 2 });
    expect(play(limit, clock, [30_000, 40_000, 50_000, 70_000, 90_000, 95_000])).toEqual([
      { at: 30_000, held: 0 },
      { at: 40_000, held: 0 },
      { at: 90_000, held: 2 },
      { at: 95_000, held: 0 },
    ]);
  });

  it("counts on the clock's own minutes when asked", () => {
    const clock = { t: 0 };
    const limit = rateLimited(60_000, () => clock.t, { lines: 2, onTheClock: true });
    expect(play(limit, clock, [30_000, 40_000, 50_000, 59_999, 60_000, 61_000, 62_000])).toEqual([
      { at: 30_000, held: 0 },
      { at: 40_000, held: 0 },
      { at: 60_000, held: 2 },
      { at: 61_000, held: 0 },
    ]);
  });
});
