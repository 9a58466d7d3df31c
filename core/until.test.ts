// An end time as typed on a command line, read in the home's (or the hub's) time zone.
import { describe, expect, it } from 'vitest';
import { parseUntil } from './until.ts';
import { Zone } from './zone.ts';

const london = new Zone('Europe/London');
const at = (iso: string) => Date.parse(iso);
const now = at('2026-03-28T15:00:00Z');

describe('parseUntil', () => {
  it('a date is through that day: its end, across a change to summer time too', () => {
    expect(parseUntil('2026-03-28', now, london)).toEqual({ ok: true, at: at('2026-03-29T00:00:00Z') });
    // The clocks go forward on the 29th: the end of that day is 00:00 BST, 23:00 UTC.
    expect(parseUntil('2026-03-29', now, london)).toEqual({ ok: true, at: at('2026-03-29T23:00:00Z') });
  });

  it('a local time is its next occurrence', () => {
    expect(parseUntil('18:00', now, london)).toEqual({ ok: true, at: at('2026-03-28T18:00:00Z') });
    expect(parseUntil('09:30', now, london)).toEqual({ ok: true, at: at('2026-03-29T08:30:00Z') });
  });

  it('an ISO time with its offset is that instant', () => {
    expect(parseUntil('2026-04-01T12:00+01:00', now, london)).toEqual({
      ok: true,
      at: at('2026-04-01T11:00:00Z'),
    });
  });

  it('anything else is refused, saying what is expected', () => {
    for (const s of ['2026-02-30', '25:00', 'tomorrow', '2026-04-01T12:00', '2026-02-30T12:00:00Z'])
      expect(parseUntil(s, now, london), s).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/not/),
      });
  });
});
