// The answer-time figures as pure functions: the median and the nearest-rank 95th percentile,
// which alerts a target can judge, and the shift an instant falls in (over midnight and over the
// clocks going forward).
import { describe, expect, it } from 'vitest';
import { figures, median, percentile, shiftOf } from '../cloud-relay/hub/call-figures.ts';

const S = 1000;
const T = Date.parse('2026-03-02T10:00:00Z');

describe('answer-time figures', () => {
  it('takes the middle value, or the mean of the two middle ones; the 95th percentile by nearest rank', () => {
    expect(median([])).toBe(null);
    expect(median([7])).toBe(7);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(twenty, 95)).toBe(19);
    expect(percentile([...twenty, 21], 95)).toBe(20);
    expect(percentile([5], 95)).toBe(5);
  });

  it('judges an unanswered alert only once it has waited past a target, until it ended or until now', () => {
    const rows = [
      { raised: T, answered: T + 60 * S, staff: 'anna', ended: null },
      // Cancelled at home after 20 s, unanswered: neither meets nor misses either target.
      { raised: T, answered: null, staff: null, ended: T + 20 * S },
      // Waiting 100 s now: misses the first, not yet judged by the second.
      { raised: T, answered: null, staff: null, ended: null },
    ];
    expect(figures(rows, [60_000, 180_000], T + 100 * S)).toEqual({
      count: 3,
      endedAtHome: 0,
      answered: 1,
      median: 60 * S,
      p95: 60 * S,
      within: [1 / 2, 1],
    });
  });

  it('puts an instant in the shift it falls in, over midnight and over the clocks going forward', () => {
    const starts = ['08:00', '20:00'];
    expect(shiftOf(Date.parse('2026-03-02T07:59:59Z'), starts, 'Europe/London').label).toBe(
      '2026-03-01 20:00',
    );
    expect(shiftOf(Date.parse('2026-03-02T08:00:00Z'), starts, 'Europe/London').label).toBe(
      '2026-03-02 08:00',
    );
    expect(shiftOf(Date.parse('2026-03-02T23:30:00Z'), starts, 'Europe/London').label).toBe(
      '2026-03-02 20:00',
    );
    // 29 March 2026: London is on BST from 01:00 UTC, so 08:00 there is 07:00 UTC.
    const bst = shiftOf(Date.parse('2026-03-29T07:00:00Z'), starts, 'Europe/London');
    expect(bst).toEqual({ start: Date.parse('2026-03-29T07:00:00Z'), label: '2026-03-29 08:00' });
    expect(shiftOf(Date.parse('2026-03-29T06:59:00Z'), starts, 'Europe/London').label).toBe(
      '2026-03-28 20:00',
    );
  });
});
