// The resident's own word: a check-in button, in the summary and (when asked for) as an alert.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SummaryMessage } from '../cloud-relay/protocol/messages.ts';
import { createLogger } from '../core/log.ts';
import { replay } from '../gateway/engine/replay.ts';
import { Store } from '../gateway/store/store.ts';
import { homeConfig, simulate, states, toLines } from './helpers/simulate.ts';

describe('check-in', () => {
  const config = homeConfig('check_in: { alert_not_good: true }', { checkIn: true });

  it('a "not good" (long press) raises an info alert; a better answer later resolves it', () => {
    const seen = simulate(
      config,
      [
        ['2026-03-02 09:00', 'check-in', 'press'],
        ['2026-03-02 18:00', 'check-in', 'long_press'],
        ['2026-03-03 09:30', 'check-in', 'double_press'],
      ],
      '2026-03-03 10:00',
    );
    expect(states(seen)).toEqual([
      ['2026-03-02 18:00:00', 'check_in', 'raised'],
      ['2026-03-03 09:30:00', 'check_in', 'resolved'],
    ]);
    expect(seen[0]?.message).toMatchObject({
      severity: 'info',
      reason: 'The resident checked in at 18:00: not good today.',
    });
    expect(seen[1]?.message.reason).toBe('The resident checked in again at 09:30: so-so.');
  });

  it('raises nothing unless the provisioning file asks for it', () => {
    const quiet = homeConfig('inactivity: { windows: [{ from: "07:00", to: "22:00", quiet: off }] }', {
      checkIn: true,
    });
    expect(simulate(quiet, [['2026-03-02 18:00', 'check-in', 'long_press']], '2026-03-02 19:00')).toEqual([]);
  });

  it('each day’s check-ins are in its summary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-checkin-'));
    const store = Store.open(join(dir, 'h.db'), { durability: 'off' });
    const summaries: SummaryMessage[] = [];
    try {
      replay({
        config,
        store,
        lines: toLines([
          ['2026-03-01 23:00', 'hall-motion', true],
          ['2026-03-02 09:00', 'check-in', 'press'],
          ['2026-03-02 18:00', 'check-in', 'long_press'],
        ]),
        until: Date.parse('2026-03-03T08:30:00Z'),
        log: createLogger({ level: 'silent' }),
        deliver: () => {},
        summaries: true,
        deliverSummary: (m) => summaries.push(m),
      });
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(summaries.map((s) => s.date)).toEqual(['2026-03-02']);
    expect(summaries[0]?.mental_health.check_ins).toEqual([
      { at: '2026-03-02T09:00:00+00:00', answer: 'good' },
      { at: '2026-03-02T18:00:00+00:00', answer: 'not good' },
    ]);
  });
});
