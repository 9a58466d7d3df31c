// The hub file's console section: outcome codes, answer-time targets and shifts, with their
// defaults, and the mistakes it refuses.
import { describe, expect, it } from 'vitest';
import { hubConfigSchema } from '../config/hub-schema.ts';

const BASE = {
  version: 1,
  hub: { timezone: 'Europe/London' },
  broker: { url: 'mqtts://localhost:8883', ca: 'ca.pem', cert: 'c.pem', key: 'k.pem' },
};

describe('console: call handling in the hub file', () => {
  it('defaults to the usual outcomes, targets of 60 s and 180 s, shifts at 08:00 and 20:00', () => {
    const c = hubConfigSchema.parse(BASE).console;
    expect(c.answer_targets).toEqual([60_000, 180_000]);
    expect(c.shifts).toEqual(['08:00', '20:00']);
    expect(c.outcomes.map((o) => o.code)).toEqual([
      'false_alarm',
      'no_help_needed',
      'responder_sent',
      'ambulance_called',
      'no_answer_escalated',
      'family_contacted',
      'technical_fault',
    ]);
  });

  it("takes the trust's own outcomes, targets and shifts", () => {
    const c = hubConfigSchema.parse({
      ...BASE,
      console: {
        outcomes: [{ code: 'sorted', label: 'Sorted on the phone' }],
        answer_targets: ['30s', '2m'],
        shifts: ['07:00', '15:00', '23:00'],
      },
    }).console;
    expect(c).toEqual({
      outcomes: [{ code: 'sorted', label: 'Sorted on the phone' }],
      answer_targets: [30_000, 120_000],
      shifts: ['07:00', '15:00', '23:00'],
    });
  });

  it('refuses an outcome code twice, targets out of order, a shift that is no time', () => {
    const problems = (console: object) => {
      const r = hubConfigSchema.safeParse({ ...BASE, console });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    const twice = { code: 'x', label: 'X' };
    expect(problems({ outcomes: [twice, twice] })).toEqual(['console.outcomes: each outcome code once']);
    expect(problems({ answer_targets: ['3m', '1m'] })).toEqual([
      'console.answer_targets: two targets, the first shorter than the second',
    ]);
    expect(problems({ shifts: ['8am'] })).toHaveLength(1);
    expect(problems({ outcomes: [{ code: 'Has Spaces', label: 'x' }] })).toHaveLength(1);
  });
});
