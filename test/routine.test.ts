// Her routine, learned: simulated weeks through the engine as it runs (a replay of stored
// readings, the learning each night at 03:00). The configured limits apply exactly until enough
// days are known; then her own days set them, and they never pass the provisioning file's bounds.
import { describe, expect, it } from 'vitest';
import { learnRoutine } from '../gateway/routine/learn.ts';
import { getUpBy, stillLimit } from '../gateway/routine/limits.ts';
import { Store } from '../gateway/store/store.ts';
import { EVERY_RULE, type Ev, homeConfig, simulate } from './helpers/simulate.ts';

const config = homeConfig(EVERY_RULE);

/** "2026-03-02" plus n days. */
const dayAfter = (n: number): string => new Date(Date.UTC(2026, 2, 2 + n)).toISOString().slice(0, 10);
const hhmm = (min: number) =>
  `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/** A day of hers: up at `up` (minutes after midnight), about the house every 30 minutes, in bed at 22:30. */
function day(d: string, up: number): Ev[] {
  const out: Ev[] = [[`${d} ${hhmm(up - 5)}`, 'bed-pad', false]];
  for (let m = up; m <= 22 * 60; m += 30)
    out.push([`${d} ${hhmm(m)}`, m % 60 === 0 ? 'kitchen-motion' : 'lounge-motion', true]);
  out.push([`${d} 22:25`, 'bedroom-motion', true], [`${d} 22:30`, 'bed-pad', true]);
  return out;
}

const notUps = (seen: ReturnType<typeof simulate>) =>
  seen.filter((s) => s.rule === 'not_up' && s.message.state === 'raised').map((s) => s.message.reason);

describe('learned from her own days', () => {
  it('until seven days are known the configured limits apply to the second; then a collapse is prompted at her own limit, with her routine in the sentence', () => {
    // Six days: 3 h of quiet, as configured.
    const six: Ev[] = [];
    for (let i = 0; i < 6; i++) six.push(...day(dayAfter(i), 8 * 60));
    const early = simulate(
      config,
      [...six, ...day(dayAfter(6), 8 * 60).filter(([t]) => t <= `${dayAfter(6)} 12:00`)],
      `${dayAfter(6)} 15:20`,
    );
    const first = early.find((s) => s.rule === 'inactivity');
    expect(first?.message.state).toBe('pre-alert');
    expect(first?.at).toBe(`${dayAfter(6)} 15:00:00`);
    // Fourteen days of movement every 30 minutes: her longest spell each day is 30 m, her limit
    // 30 m and an hour, so a collapse at 12:00 is prompted at 13:30, an hour and a half sooner.
    const days: Ev[] = [];
    for (let i = 0; i < 14; i++) days.push(...day(dayAfter(i), 8 * 60));
    const d = dayAfter(14);
    const seen = simulate(
      config,
      [...days, ...day(d, 8 * 60).filter(([t]) => t <= `${d} 12:00`)],
      `${d} 13:50`,
    );
    const prompt = seen.find((s) => s.rule === 'inactivity');
    expect(prompt?.at).toBe(`${d} 13:30:00`);
    expect(prompt?.message.reason).toBe(
      'No sign of life since 12:00 (1 h 30 m), last seen in the kitchen; at this time of day she is usually still for at most 30 m (longest in 14 days: 30 m); prompting the resident to press "I\'m OK".',
    );
  });

  it('a PIR that sees her every few minutes does not make her limit minutes: her two-hour sofa nap each afternoon is no prompt', () => {
    /** About the house, a PIR every 2 minutes from 13:00 to 14:00, then still on the sofa until 16:00. */
    const napDay = (d: string): Ev[] => {
      const out = day(d, 8 * 60).filter(([t]) => t < `${d} 13:00` || t >= `${d} 16:00`);
      for (let m = 13 * 60; m <= 14 * 60; m += 2) out.push([`${d} ${hhmm(m)}`, 'lounge-motion', true]);
      return out.sort(([a], [b]) => a.localeCompare(b));
    };
    const days: Ev[] = [];
    for (let i = 0; i < 15; i++) days.push(...napDay(dayAfter(i)));
    const seen = simulate(config, days, `${dayAfter(14)} 18:00`);
    expect(seen.filter((s) => s.rule === 'inactivity' && s.at >= `${dayAfter(7)}`)).toEqual([]);
  });

  it('she starts getting up later: not_up follows within three mornings, and never past its latest', () => {
    const days: Ev[] = [];
    // Ten mornings up at 08:00: `by` (10:00) stands, the floor of the learned time.
    for (let i = 0; i < 10; i++) days.push(...day(dayAfter(i), 8 * 60));
    // Then up at 11:00 each morning: alerted at 10:00 until her new mornings are learned.
    for (let i = 10; i < 16; i++) days.push(...day(dayAfter(i), 11 * 60));
    // Then at 14:00: past `latest` (13:00 by default, three hours after `by`), so alerted at 13:00.
    for (let i = 16; i < 22; i++) days.push(...day(dayAfter(i), 14 * 60));
    const seen = simulate(config, days, `${dayAfter(22)} 00:00`);
    const byDay = new Map(
      seen
        .filter((s) => s.rule === 'not_up' && s.message.state === 'raised')
        .map((s) => [s.at.slice(0, 10), s.at.slice(11, 16)]),
    );
    // The first late mornings are alerted at 10:00; within three, no more.
    expect(byDay.get(dayAfter(10))).toBe('10:00');
    const lateAlerts = [10, 11, 12, 13, 14, 15].filter((i) => byDay.has(dayAfter(i)));
    expect(lateAlerts.length).toBeLessThanOrEqual(3);
    expect(byDay.has(dayAfter(15))).toBe(false);
    // Up at 14:00 is never learned past 13:00: each such morning is alerted, at 13:00 at the latest.
    for (let i = 16; i < 22; i++) expect(byDay.get(dayAfter(i)) ?? 'none').not.toBe('none');
    for (const at of byDay.values()) expect(at <= '13:00').toBe(true);
    expect(notUps(seen).at(-1)).toMatch(
      /^Not up by 13:00: .* She usually gets up by \d\d:\d\d \(latest in \d+ days: \d\d:\d\d\)\. The prompt was not answered\.$/,
    );
  });
});

describe('her later mornings are for a night in bed', () => {
  it('never seen going to bed (last seen in the kitchen at 21:00), she is looked for at `by`, not at her learned time', () => {
    const days: Ev[] = [];
    // Twelve mornings up at 11:00: her learned time is past 11:00, and 10:00 passes quietly.
    for (let i = 0; i < 12; i++) days.push(...day(dayAfter(i), 11 * 60));
    const normal = simulate(config, [...days, ...day(dayAfter(12), 11 * 60)], `${dayAfter(13)} 00:00`);
    // Once her mornings are learned (a week, and a few more of them), 10:00 passes quietly.
    for (const i of [10, 11, 12])
      expect(normal.filter((s) => s.rule === 'not_up' && s.at.startsWith(dayAfter(i)))).toEqual([]);
    // The thirteenth evening she is last seen in the kitchen at 21:00 and never reaches the bedroom.
    const collapsed = day(dayAfter(12), 11 * 60).filter(([t]) => t <= `${dayAfter(12)} 21:00`);
    const seen = simulate(config, [...days, ...collapsed], `${dayAfter(13)} 12:00`);
    const raised = seen.find(
      (s) => s.rule === 'not_up' && s.at.startsWith(dayAfter(13)) && s.message.state === 'raised',
    );
    expect(raised?.at).toBe(`${dayAfter(13)} 10:00:00`);
    expect(raised?.message.reason).toMatch(
      /Last sign of life at 21:00 in the kitchen\. She was not seen going to bed\. The prompt was not answered\.$/,
    );
  });
});

describe('at night, in a home that sees the bedroom but not the front door', () => {
  // The bedroom PIR sees her go to bed; no door contact, no bed mat: an evening out and a collapse
  // in the lounge look alike, so the day's 3 h would alarm every evening out.
  const everyRule = homeConfig(EVERY_RULE);
  const noDoor = {
    ...everyRule,
    devices: everyRule.devices.filter((d) => d.id !== 'front-door' && d.id !== 'bed-pad'),
  };
  const hers = (d: string) => day(d, 8 * 60).filter(([, device]) => device !== 'bed-pad');
  const nights = (seen: ReturnType<typeof simulate>, from: string, to: string) =>
    seen.filter((s) => s.rule === 'inactivity' && s.at >= from && s.at < to);

  it('last seen in the lounge at 21:30, she is looked for at her own evening limit once it is learned; until then the night stays quiet', () => {
    const history: Ev[] = [];
    for (let i = 0; i < 14; i++) history.push(...hers(dayAfter(i)));
    const d = dayAfter(14);
    const collapsed = hers(d).filter(([t]) => t <= `${d} 21:30`);
    const seen = simulate(noDoor, [...history, ...collapsed], `${dayAfter(15)} 06:00`);
    // Her evenings: moving every 30 minutes until the bedroom at 22:25. Never a word at night.
    expect(seen.filter((s) => s.rule === 'inactivity' && s.at < `${d} 21:30`)).toEqual([]);
    // Her longest spell there and then is 30 m: 30 m and an hour, so asked at 23:00, told at 23:10,
    // escalated at 23:40 with nobody acknowledging.
    const told = nights(seen, `${d} 21:30`, `${dayAfter(15)} 07:00`);
    expect(told.map((s) => [s.at, s.message.state])).toEqual([
      [`${d} 23:00:00`, 'pre-alert'],
      [`${d} 23:10:00`, 'raised'],
      [`${d} 23:40:00`, 'escalated'],
    ]);
    expect(told[1]?.message.reason).toBe(
      'No movement seen since 21:30 (1 h 40 m), last seen in the lounge; at this time of day she is usually still for at most 30 m (longest in 14 days: 30 m); the prompt was not answered.',
    );
    // Six days known by the night's learning at 03:00 are too few: the night stays quiet.
    const five: Ev[] = [];
    for (let i = 0; i < 5; i++) five.push(...hers(dayAfter(i)));
    const early = simulate(
      noDoor,
      [...five, ...hers(dayAfter(5)).filter(([t]) => t <= `${dayAfter(5)} 21:30`)],
      `${dayAfter(6)} 06:00`,
    );
    expect(nights(early, `${dayAfter(5)} 21:30`, `${dayAfter(6)} 07:00`)).toEqual([]);
  });
});

describe('how long she is out, and by when back at night', () => {
  /** Her day, out 14:00–16:00 by the front door, and on some evenings 20:00–23:30 too. */
  function dayOut(d: string, evening: boolean): Ev[] {
    const out = (from: string, to: string, t: string) => t >= `${d} ${from}` && t < `${d} ${to}`;
    const evs = day(d, 8 * 60).filter(
      ([t]) => !out('14:00', '16:05', t) && !(evening && out('20:00', '23:45', t)),
    );
    evs.push(
      [`${d} 14:00`, 'front-door', true],
      [`${d} 14:00:30`, 'front-door', false],
      [`${d} 16:00`, 'front-door', true],
      [`${d} 16:00:30`, 'front-door', false],
      [`${d} 16:01`, 'hall-motion', true],
    );
    if (evening)
      evs.push(
        [`${d} 20:00`, 'front-door', true],
        [`${d} 20:00:30`, 'front-door', false],
        [`${d} 23:30`, 'front-door', true],
        [`${d} 23:30:30`, 'front-door', false],
        [`${d} 23:31`, 'hall-motion', true],
        [`${d} 23:40`, 'bedroom-motion', true],
        [`${d} 23:45`, 'bed-pad', true],
      );
    return evs.sort(([a], [b]) => a.localeCompare(b));
  }
  const history: Ev[] = [];
  for (let i = 0; i < 12; i++) history.push(...dayOut(dayAfter(i), i % 3 === 1));
  const away = (seen: ReturnType<typeof simulate>) =>
    seen.filter((s) => s.rule === 'away' && s.message.state === 'raised');

  it('without her history, 12 h; with it, her longest time out and a margin (3 h 30 m: 5 h 30 m)', () => {
    const gone = (d: string, at: string): Ev[] => [
      ...dayOut(d, false).filter(([t]) => t < `${d} ${at}`),
      [`${d} ${at}`, 'front-door', true],
      [`${d} ${at}:30`, 'front-door', false],
    ];
    const early = away(
      simulate(config, [...history.slice(0, 0), ...gone(dayAfter(0), '14:00')], `${dayAfter(1)} 06:00`),
    );
    // Out from the door closing (14:00:30).
    expect(early.map((s) => s.at)).toEqual([`${dayAfter(1)} 02:00:30`]);
    const late = away(
      simulate(config, [...history, ...gone(dayAfter(12), '14:00')], `${dayAfter(13)} 06:00`),
    );
    expect(late.map((s) => s.at)).toEqual([`${dayAfter(12)} 19:30:30`]);
    expect(late[0]?.message.reason).toMatch(
      /^Out since 14:00 \(5 h 30 m\) by the front door; not back\. She is usually out for about 2 h \(longest in 12 days: 3 h 30 m\)\. If she is in, she has not moved since\.$/,
    );
  });

  it('out in the evening and not back an hour after her latest return at night (23:30): told at 00:30', () => {
    const d = dayAfter(12);
    const evening: Ev[] = [
      ...dayOut(d, false).filter(([t]) => t < `${d} 20:00`),
      [`${d} 20:00`, 'front-door', true],
      [`${d} 20:00:30`, 'front-door', false],
    ];
    const seen = away(simulate(config, [...history, ...evening], `${dayAfter(13)} 06:00`));
    expect(seen.map((s) => s.at)).toEqual([`${dayAfter(13)} 00:30:00`]);
    expect(seen[0]?.message.reason).toContain(
      'She is usually back by 00:30 at night (latest in 12 days: 23:30).',
    );
  });
});

describe('how long she is up in the night', () => {
  it('six minutes up at three each night: out of bed twenty minutes is told at 03:20, not 03:30', () => {
    const nights: Ev[] = [];
    for (let i = 0; i < 12; i++) {
      const d = dayAfter(i + 1);
      nights.push(
        ...day(dayAfter(i), 8 * 60),
        [`${d} 03:00`, 'bed-pad', false],
        [`${d} 03:06`, 'bed-pad', true],
      );
    }
    nights.sort(([a], [b]) => a.localeCompare(b));
    const d = dayAfter(13);
    const seen = simulate(
      config,
      [...nights, ...day(dayAfter(12), 8 * 60), [`${d} 03:00`, 'bed-pad', false]],
      `${d} 04:00`,
    ).filter((s) => s.rule === 'night_out_of_bed');
    expect(seen.map((s) => [s.at, s.message.state])).toEqual([
      [`${d} 03:10:00`, 'pre-alert'],
      [`${d} 03:20:00`, 'raised'],
    ]);
    expect(seen[1]?.message.reason).toBe(
      'Out of bed since 03:00 (20 m) in the night; at night she is usually back in bed within 6 m (longest in 13 days: 6 m); the prompt was not answered.',
    );
  });
});

describe('the limits, bounded', () => {
  const routine = (spellsMs: number[], days = 14) => ({
    asOf: 0,
    days,
    still: { room: Array.from({ length: 12 }, () => [...spellsMs].sort((a, b) => a - b)) },
    getUp: { n: days, q50Min: 9 * 60, q90Min: 12 * 60 + 40, maxMin: 12 * 60 + 50 },
    outings: null,
    nightUps: null,
  });
  const M = 60_000;
  it('a learned limit is the 95th percentile of her longest spell each day and a margin, inside [floor, ceiling]', () => {
    const o = {
      place: 'room' as const,
      minuteOfDay: 12 * 60,
      floorMs: 45 * M,
      ceilingMs: 180 * M,
      learnAfter: 7,
    };
    expect(stillLimit(routine(Array(20).fill(10 * M)), o).limitMs).toBe(70 * M);
    expect(stillLimit(routine(Array(20).fill(10 * M)), { ...o, floorMs: 90 * M }).limitMs).toBe(90 * M);
    expect(stillLimit(routine(Array(20).fill(60 * M)), o).limitMs).toBe(120 * M);
    expect(stillLimit(routine(Array(20).fill(150 * M)), { ...o, ceilingMs: 600 * M }).limitMs).toBe(225 * M);
    expect(stillLimit(routine(Array(20).fill(240 * M)), o).limitMs).toBe(180 * M);
    expect(stillLimit(routine(Array(20).fill(60 * M), 6), o)).toEqual({ limitMs: 180 * M });
    expect(stillLimit(routine([60 * M]), o)).toEqual({ limitMs: 180 * M });
  });
  it('her getting-up time is a late morning of hers and 30 minutes, inside [by, latest]', () => {
    expect(getUpBy(routine([]), { byMin: 600, latestMin: 780, learnAfter: 7 }).byMin).toBe(780);
    expect(getUpBy(routine([]), { byMin: 600, latestMin: 900, learnAfter: 7 }).byMin).toBe(12 * 60 + 40 + 30);
    expect(getUpBy(routine([], 3), { byMin: 600, latestMin: 900, learnAfter: 7 })).toEqual({ byMin: 600 });
  });
  it('learns nothing from no readings', () => {
    const r = learnRoutine([], 0, {
      env: { row: () => undefined, bedroom: null, matHoldMs: 0, awayAfterMs: 0, tagGraceMs: 0 },
      zone: { date: () => '', minuteOfDay: () => 0, at: () => 0 } as never,
      classify: () => 'room',
      nightEnd: '05:00',
    });
    expect(r).toMatchObject({ days: 0, still: {}, getUp: null });
  });
});

describe('what her routine is learned from', () => {
  it('the readings that say where she is, the newest at most, in time order; temperature and battery not at all', () => {
    const store = Store.open(':memory:', { durability: 'off' });
    try {
      const at = (m: number) => Date.parse('2026-03-02T00:00:00Z') + m * 60_000;
      store.unit(() => {
        for (let m = 0; m < 10; m++) {
          store.events.append({
            device: 'k',
            at: at(m),
            kind: 'motion',
            value: true,
            room: 'kitchen',
            role: null,
          });
          store.events.append({
            device: 't',
            at: at(m),
            kind: 'temperature',
            value: 20,
            room: 'kitchen',
            role: null,
          });
        }
      }, false);
      const all = store.events.movementBetween(at(0), at(60), 100);
      expect(all.capped).toBe(false);
      expect(all.events.map((e) => e.at)).toEqual(Array.from({ length: 10 }, (_, m) => at(m)));
      const some = store.events.movementBetween(at(0), at(60), 4);
      expect(some.capped).toBe(true);
      expect(some.events.map((e) => e.at)).toEqual([at(6), at(7), at(8), at(9)]);
    } finally {
      store.close();
    }
  });
});
