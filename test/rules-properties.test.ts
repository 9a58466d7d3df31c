// Properties of the rules over random simulated days (fast-check).
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVERY_RULE, type Ev, homeConfig, local, simulate, zone } from './helpers/simulate.ts';
import { tempDir } from './helpers/tmp.ts';

const MIN = 60_000;
const START = local('2026-03-02 07:00');

const inactivityOnly = homeConfig(`inactivity:
  windows:
    - { from: "07:00", to: "22:00", quiet: 3h }
    - { from: "22:00", to: "07:00", quiet: off }
  prompt: 10m
  escalate: 30m`);

const everything = homeConfig(EVERY_RULE);

/** Activity devices and a value each that counts as a sign of life. */
const LIFE: [string, boolean | string][] = [
  ['hall-motion', true],
  ['kitchen-motion', true],
  ['lounge-motion', true],
  ['ok-button', 'ok'],
];

/** A local "YYYY-MM-DD HH:MM:SS" for an instant, as the simulated-day helpers take it. */
const stamp = (t: number) => {
  const p = zone.parts(t);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
};

/** Events at the given gaps (ms) from START, each a sign of life from a chosen device. */
function lifeEvents(gaps: number[], picks: number[]): { events: Ev[]; times: number[] } {
  let t = START;
  const events: Ev[] = [];
  const times: number[] = [];
  gaps.forEach((g, i) => {
    t += g;
    const [device, value] = LIFE[(picks[i] ?? 0) % LIFE.length] as [string, boolean | string];
    events.push([stamp(t), device, value]);
    times.push(t);
  });
  return { events, times };
}

/** Any reading the home might send, at random gaps. */
const anyEvent = fc.record({
  gap: fc.integer({ min: 1, max: 5 * 60 }).map((m) => m * MIN + 7_000),
  kind: fc.integer({ min: 0, max: 7 }),
  flag: fc.boolean(),
  temp: fc.integer({ min: 120, max: 220 }).map((t) => t / 10),
});

type AnyEvent = typeof anyEvent extends fc.Arbitrary<infer T> ? T : never;

function mixedEvents(items: AnyEvent[]): Ev[] {
  let t = START;
  return items.map((e) => {
    t += e.gap;
    const when = stamp(t);
    switch (e.kind) {
      case 0:
        return [when, 'kitchen-motion', true];
      case 1:
        return [when, 'bedroom-motion', e.flag];
      case 2:
        return [when, 'bed-pad', e.flag];
      case 3:
        return [when, 'front-door', e.flag];
      case 4:
        return [when, 'lounge-temp', e.temp];
      case 5:
        return [when, e.flag ? 'ok-button' : 'pendant', e.flag ? 'ok' : 'press'];
      case 6:
        return [when, 'remote-battery', e.flag ? 12 : 90];
      default:
        return [when, 'hall-motion', true];
    }
  });
}

describe('rule properties', () => {
  it('no inactivity alert while signs of life keep coming within the limit', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: 1, max: 3 * 60 - 1 }).map((m) => m * MIN),
          { minLength: 10, maxLength: 60 },
        ),
        fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
        (gaps, picks) => {
          const { events } = lifeEvents(gaps, picks);
          const seen = simulate(inactivityOnly, events);
          expect(seen.filter((s) => s.rule === 'inactivity')).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('every raised inactivity alert is resolved by the next sign of life', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: 1, max: 8 * 60 }).map((m) => m * MIN + 13_000),
          { minLength: 5, maxLength: 40 },
        ),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        (gaps, picks) => {
          const { events, times } = lifeEvents(gaps, picks);
          const seen = simulate(inactivityOnly, events);
          const raised = seen.filter((s) => s.rule === 'inactivity' && s.state === 'raised');
          for (const r of raised) {
            const raisedAt = Date.parse(r.message.at);
            const next = times.find((t) => t > raisedAt);
            if (next === undefined) continue;
            const resolved = seen.find(
              (s) => s.message.alert_id === r.message.alert_id && s.state === 'resolved',
            );
            expect(resolved && Date.parse(resolved.message.at)).toBe(next);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('replaying the same input twice gives identical output', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { minLength: 5, maxLength: 80 }), (items) => {
        const events = mixedEvents(items);
        const a = simulate(everything, events).map((s) => JSON.stringify(s.message));
        const b = simulate(everything, events).map((s) => JSON.stringify(s.message));
        expect(b).toEqual(a);
      }),
      { numRuns: 30 },
    );
  });

  it('a replay stopped at a random point and resumed from its database gives the same output', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { minLength: 5, maxLength: 80 }), fc.nat(), (items, cut) => {
        const events = mixedEvents(items);
        const straight = simulate(everything, events).map((s) => JSON.stringify(s.message));
        const db = join(tempDir(), `resume-${cut}.db`);
        const stopAt = (events[cut % events.length] as Ev)[0];
        const first = simulate(everything, events, stopAt, db);
        const rest = simulate(everything, events, undefined, db);
        expect([...first, ...rest].map((s) => JSON.stringify(s.message))).toEqual(straight);
      }),
      { numRuns: 30 },
    );
  });
});
