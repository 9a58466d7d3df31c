// The published-style baseline of `hearth evaluate` (gateway/evaluate/baseline.ts): an alert line
// by time of day after Cuddihy et al. 2007, learned online from earlier days, on synthetic days of
// a steady resident.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/parse.ts';
import type { Config } from '../config/schema.ts';
import { zoneNamed } from '../core/zone.ts';
import { baselineAlarms, baselineDetectedAfterMin, LINE_BUFFER_MS } from '../gateway/evaluate/baseline.ts';
import { evaluate } from '../gateway/evaluate/evaluate.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// Europe/London in early March: local time is UTC, so a day's instants read as they are written.
const zone = zoneNamed('Europe/London');
const T0 = Date.parse('2026-03-02T00:00:00Z');
const at = (day: number, hour: number, minute = 0) => T0 + day * DAY + hour * HOUR + minute * MIN;

/** Active every 10 minutes from 07:00 to 22:00 (both included), quiet 22:00 to 07:00. */
function days(n: number, silent: (t: number) => boolean = () => false): number[] {
  const times: number[] = [];
  for (let d = 0; d < n; d++)
    for (let t = at(d, 7); t <= at(d, 22); t += 10 * MIN) if (!silent(t)) times.push(t);
  return times;
}

/** The same warm-up as Hearth's: 7 days from the first activity. */
const quietUntil = at(7, 7);
/** By day the longest usual silence is 10 minutes; by night 22:00 to 07:00. */
const DAY_LINE = 10 * MIN + LINE_BUFFER_MS;

describe('the alert line by time of day (after Cuddihy et al. 2007)', () => {
  it('raises nothing on ten ordinary days and an eleventh', () => {
    expect(baselineAlarms({ times: days(11), zone, quietUntil, until: at(11, 0) })).toEqual([]);
  });

  it('alarms once in a 4-hour silence from 14:00, when it reaches the longest usual silence there + 1 h', () => {
    const times = days(11, (t) => t > at(10, 14) && t < at(10, 18));
    expect(baselineAlarms({ times, zone, quietUntil, until: at(11, 0) })).toEqual([at(10, 14) + DAY_LINE]);
    expect(DAY_LINE).toBe(70 * MIN);
  });

  it('raises nothing in the warm-up, and learns from it: a bin with a lower line alarms as it begins', () => {
    // A 4-hour silence on day 3 (in the warm-up): no alarm; the bins 14:00 to 17:30 learn 4 h + 1 h.
    // On day 10 a silence from 14:00 to 20:00 outlasts no line there, and is past the 70-minute
    // line of the 18:00 bin as it begins.
    const times = days(11, (t) => (t > at(3, 14) && t < at(3, 18)) || (t > at(10, 14) && t < at(10, 20)));
    expect(baselineAlarms({ times, zone, quietUntil, until: at(11, 0) })).toEqual([at(10, 18)]);
  });

  it('times a collapse to the line in force, less the silence already under way', () => {
    const times = days(11);
    const detect = (t: number) => baselineDetectedAfterMin({ times, zone, quietUntil, at: t, dayMs: DAY });
    // At 15:00, just as she moved: the line there.
    expect(detect(at(10, 15))).toBe(DAY_LINE / MIN);
    // At 15:05, five minutes after she last moved.
    expect(detect(at(10, 15, 5))).toBe(DAY_LINE / MIN - 5);
    // At 23:00, after her last movement at 22:00: the night's line (9 h + 1 h) is not reached by
    // 07:00, where the day's 70-minute line begins on a silence of 9 h: 8 h after the collapse.
    expect(detect(at(10, 23))).toBe(8 * 60);
    // Before the warm-up ends the line raises nothing, so the first alarm is the one at its end.
    expect(detect(at(6, 15))).toBe((quietUntil - at(6, 15)) / MIN);
  });
});

/** A hall PIR and the fixed limits only, as in test/evaluate.test.ts. */
const HOME = `version: 1
gateway: { id: gw-eval, resident: r-eval, timezone: Europe/London }
rooms: [hall]
devices:
  - { id: hall-pir, source: zigbee2mqtt, topic: z/h, room: hall, kind: motion }
rules:
  inactivity:
    windows:
      - { from: "07:00", to: "22:00", quiet: 3h }
      - { from: "22:00", to: "07:00", quiet: off }
    prompt: 10m
    escalate: 30m
    learn: off
`;

describe('evaluate with the baseline', () => {
  it('reports the baseline beside Hearth, on the same warm-up and the same collapse instants', () => {
    const times = days(10, (t) => t > at(8, 14) && t < at(8, 18));
    const lines = times.map((t) =>
      JSON.stringify({ at: new Date(t).toISOString(), device: 'hall-pir', value: true }),
    );
    const e = evaluate({
      config: parseConfigText(HOME).config as Config,
      lines,
      ackAfterMs: 15 * MIN,
      answerAfterMs: null,
      warmupDays: 7,
      collapses: 2,
      seed: 5,
    });
    expect(e.baseline).toMatchObject({ raised: 1, list: [new Date(at(8, 14) + DAY_LINE).toISOString()] });
    expect(e.baseline.days).toBe(e.after.days);
    expect(e.baseline.perMonth).toBeCloseTo((1 / e.after.days) * 30, 6);
    const instants = (s: { at: number; period: string }[]) => s.map((x) => [x.at, x.period]);
    expect(instants(e.baseline.collapses.samples)).toEqual(instants(e.collapses.samples));
    for (const s of e.baseline.collapses.samples)
      expect(s.detectedAfterMin).toBe(
        baselineDetectedAfterMin({ times, zone, quietUntil, at: s.at, dayMs: DAY }),
      );
  });
});
