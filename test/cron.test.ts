// Schedules fire once per local day, on the days the clocks change too.
import { describe, expect, it } from 'vitest';
import { Zone } from '../core/zone.ts';
import { cronSchedule } from '../gateway/time/cron.ts';

const london = new Zone('Europe/London');
const fires = (expr: string, from: string, n: number) => {
  const c = cronSchedule(expr, london);
  let t = Date.parse(from);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    t = c.next(t) as number;
    out.push(london.iso(t));
  }
  return out;
};

describe('cron schedules in gateway.timezone', () => {
  it('fires at 08:00 local, before and after the spring change', () => {
    expect(fires('0 8 * * *', '2026-03-28T09:00:00Z', 2)).toEqual([
      '2026-03-29T08:00:00+01:00',
      '2026-03-30T08:00:00+01:00',
    ]);
  });
  it('a time skipped in spring fires just after the gap, once', () => {
    expect(fires('30 1 * * *', '2026-03-28T09:00:00Z', 2)).toEqual([
      '2026-03-29T02:30:00+01:00',
      '2026-03-30T01:30:00+01:00',
    ]);
  });
  it('a time that happens twice in autumn fires once, at its first occurrence', () => {
    expect(fires('30 1 * * *', '2026-10-24T09:00:00Z', 2)).toEqual([
      '2026-10-25T01:30:00+01:00',
      '2026-10-26T01:30:00+00:00',
    ]);
  });
  it('an instant in the repeated hour does not fire the first occurrence again', () => {
    expect(fires('30 1 * * *', '2026-10-25T01:45:00Z', 1)).toEqual(['2026-10-26T01:30:00+00:00']);
  });
});
