// `hearth evaluate` and its parts: a care team that acknowledges in a replay, false alerts counted
// per resident-month, simulated collapses chosen by seed and timed to the first alert a carer must
// act on, and the real labelled homes of the reference data, when they are beside the checkout.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/parse.ts';
import type { Config } from '../config/schema.ts';
import { zoneNamed } from '../core/zone.ts';
import { collapseInstants, detection } from '../gateway/evaluate/collapses.ts';
import { evaluate } from '../gateway/evaluate/evaluate.ts';
import { runHearth } from './helpers/cli.ts';
import { hasShared, sharedPath } from './helpers/shared.ts';
import { tempDir } from './helpers/tmp.ts';

const DEMO = new URL('../config/examples/demo.yaml', import.meta.url).pathname;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A small home: a hall and a lounge PIR, inactivity by day (3 h, a 10-minute prompt), the fixed
 *  limits only (learning off: these time the evaluation itself; test/routine.test.ts the learning). */
const HOME = `version: 1
gateway: { id: gw-eval, resident: r-eval, timezone: Europe/London }
rooms: [hall, lounge]
devices:
  - { id: hall-pir, source: zigbee2mqtt, topic: z/h, room: hall, kind: motion }
  - { id: lounge-pir, source: zigbee2mqtt, topic: z/l, room: lounge, kind: motion }
rules:
  inactivity:
    windows:
      - { from: "07:00", to: "22:00", quiet: 3h }
      - { from: "22:00", to: "07:00", quiet: off }
    prompt: 10m
    escalate: 30m
    learn: off
`;
const config = parseConfigText(HOME).config as Config;
const T0 = Date.parse('2026-03-02T00:00:00Z');

/** Days of a steady routine: movement every 40 minutes from 07:00 to 22:00. */
function routine(days: number, skip: (t: number) => boolean = () => false): string[] {
  const lines: string[] = [];
  for (let d = 0; d < days; d++)
    for (let t = T0 + d * DAY + 7 * HOUR; t < T0 + d * DAY + 22 * HOUR; t += 40 * 60_000)
      if (!skip(t))
        lines.push(
          JSON.stringify({
            at: new Date(t).toISOString(),
            device: d % 2 ? 'hall-pir' : 'lounge-pir',
            value: true,
          }),
        );
  return lines;
}

describe('hearth replay --ack-after', () => {
  it('has a care team acknowledge each alert raised to it after the given time', async () => {
    const dir = tempDir();
    const events = join(dir, 'day.jsonl');
    writeFileSync(
      events,
      [
        '{"at":"2026-03-02T07:31:00Z","device":"hall-motion","kind":"motion","value":true}',
        '{"at":"2026-03-02T16:00:00Z","device":"lounge-motion","kind":"motion","value":true}',
      ].join('\n'),
    );
    const r = await runHearth(['replay', '--config', DEMO, '--input', events, '--ack-after', '15m']);
    expect(r.code).toBe(0);
    const msgs = r.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, string>)
      .filter((m) => m.rule === 'inactivity');
    expect(msgs.map((m) => [m.at?.slice(11, 16), m.state])).toEqual([
      ['10:31', 'pre-alert'],
      ['10:41', 'raised'],
      ['10:56', 'acknowledged'],
      ['16:00', 'resolved'],
    ]);
    expect(
      (await runHearth(['replay', '--config', DEMO, '--input', events, '--ack-after', 'soon'])).code,
    ).toBe(2);
  });
});

describe('evaluate', () => {
  it('counts alerts a carer must act on per 30-day month, warm-up apart, and prompts apart', () => {
    // Day 3 (after a 2-day warm-up) has a silent afternoon: one inactivity alert.
    const lines = routine(6, (t) => t >= T0 + 3 * DAY + 12 * HOUR && t < T0 + 3 * DAY + 17 * HOUR);
    const e = evaluate({
      config,
      lines,
      ackAfterMs: 15 * 60_000,
      answerAfterMs: null,
      warmupDays: 2,
      collapses: 0,
      seed: 1,
    });
    expect(e.warmup).toMatchObject({ raised: 0, prompts: 0 });
    expect(e.after).toMatchObject({ raised: 1, byRule: { inactivity: 1 }, prompts: 1 });
    expect(e.after.perMonth).toBeCloseTo((1 / e.after.days) * 30, 6);
  });

  it('times simulated collapses to the first alert: quiet 3 h, the prompt 10 m, by day', () => {
    const lines = routine(10);
    const e = evaluate({
      config,
      lines,
      ackAfterMs: 15 * 60_000,
      answerAfterMs: null,
      warmupDays: 7,
      collapses: 4,
      seed: 7,
    });
    const day = e.collapses.samples.filter((s) => s.period === 'day');
    expect(day).toHaveLength(4);
    for (const s of day) {
      expect(s.rule).toBe('inactivity');
      // The last movement, up to 40 minutes before, then 3 h of quiet inside the day's window
      // (07:00 to 22:00); a spell the window ends starts again at 07:00. Then the 10-minute prompt.
      const day0 = T0 + Math.floor((s.at - T0) / DAY) * DAY;
      const last = day0 + 7 * HOUR + Math.floor((s.at - day0 - 7 * HOUR) / (40 * 60_000)) * 40 * 60_000;
      const quietEnds = last + 3 * HOUR <= day0 + 22 * HOUR ? last + 3 * HOUR : day0 + DAY + 10 * HOUR;
      expect((s.detectedAfterMin ?? 0) * 60_000).toBe(quietEnds + 10 * 60_000 - s.at);
    }
    // The same seed gives the same instants, and so the same figures.
    const again = evaluate({
      config,
      lines,
      ackAfterMs: 15 * 60_000,
      answerAfterMs: null,
      warmupDays: 7,
      collapses: 4,
      seed: 7,
    });
    expect(again.collapses).toEqual(e.collapses);
  });

  it('chooses collapse instants by day and by night, never where she was out, the same for a seed', () => {
    const zone = zoneNamed('Europe/London');
    const out = (t: number) => t % DAY < 2 * HOUR;
    const a = collapseInstants({ from: T0, to: T0 + 10 * DAY, perPeriod: 12, seed: 3, zone, excluded: out });
    expect(a.filter((c) => c.period === 'day')).toHaveLength(12);
    expect(a.filter((c) => c.period === 'night')).toHaveLength(12);
    expect(a.some((c) => out(c.at))).toBe(false);
    for (const c of a) {
      const m = zone.minuteOfDay(c.at);
      expect(c.period).toBe(m >= 420 && m < 1320 ? 'day' : 'night');
    }
    expect(
      collapseInstants({ from: T0, to: T0 + 10 * DAY, perPeriod: 12, seed: 3, zone, excluded: out }),
    ).toEqual(a);
  });

  it('sums detection up: an undetected collapse is a miss and counts a day in the mean', () => {
    const d = detection([
      { at: 0, period: 'day', detectedAfterMin: 60, rule: 'inactivity' },
      { at: 1, period: 'day', detectedAfterMin: 13 * 60, rule: 'not_up' },
      { at: 2, period: 'day', detectedAfterMin: null, rule: null },
    ]);
    expect(d).toEqual({
      n: 3,
      meanMin: (60 + 13 * 60 + 24 * 60) / 3,
      medianMin: 13 * 60,
      p90Min: 24 * 60,
      missed12h: 2,
      missed24h: 1,
    });
  });
});

describe('hearth evaluate on the labelled reference homes', () => {
  it.skipIf(!hasShared)(
    'prints false alerts, prompts, collapses by day and night, and sleep errors',
    async () => {
      const r = await runHearth([
        'evaluate',
        '--home',
        sharedPath('data/homes/ordonez-a'),
        '--collapses',
        '2',
      ]);
      expect(r.code).toBe(0);
      expect(r.output).toMatch(/^ordonez-a \(every sensor\): 2011-11-28 to 2011-12-1\d/);
      expect(r.output).toMatch(/^false alerts +\d+ in \d+\.\d days = \d+\.\d a month/m);
      expect(r.output).toMatch(/^by day 07-22 +2 collapses: mean/m);
      expect(r.output).toMatch(/^by night +2 collapses: mean/m);
      expect(r.output).toMatch(/^sleep +\d+ of 14 labelled nights found/m);
      const json = JSON.parse(
        (
          await runHearth([
            'evaluate',
            '--home',
            sharedPath('data/homes/ordonez-b'),
            '--sensors',
            'motion',
            '--collapses',
            '1',
            '--json',
          ])
        ).output,
      );
      expect(json).toMatchObject({ home: 'ordonez-b (motion only)', after: { raised: expect.any(Number) } });
      expect(
        (await runHearth(['evaluate', '--home', sharedPath('data/homes/ordonez-a'), '--sensors', 'radar']))
          .code,
      ).toBe(2);
    },
  );
});
