// Where the resident is, in simulated days: each case a person in danger the rules missed, or a
// person who was fine whom they alarmed about, before the home model; the rules of the reference
// home (every safety rule), to the second.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVERY_RULE, type Ev, homeConfig, local, simulate, states } from './helpers/simulate.ts';

const RADAR = '{ id: bathroom-radar, source: zigbee2mqtt, topic: z/radar, room: bathroom, kind: presence }';
const FALL =
  '{ id: fall-radar, source: jsonl, port: /dev/ttyUSB9, sensor: fall1, room: bathroom, kind: fall }';
const CHAIR = '{ id: chair-pad, source: zigbee2mqtt, topic: z/chair, room: lounge, kind: chair }';
const MAT2 = '{ id: bed-pad-2, source: zigbee2mqtt, topic: z/bed2, room: bedroom, kind: bed }';
const config = homeConfig(EVERY_RULE, { devices: [RADAR, FALL, CHAIR, MAT2], tag: true });

/** What reaches a carer or the resident, devices' own notices (device_silent) aside. */
const told = (seen: ReturnType<typeof simulate>) => states(seen.filter((s) => s.rule !== 'device_silent'));

/** A morning that gets her up: out of bed, about the house. */
const morning = (day: string): Ev[] => [
  [`${day} 07:30`, 'bed-pad', false],
  [`${day} 07:35`, 'kitchen-motion', true],
];

/** About the house every half hour from 07:35 until `until` (HH:MM). */
const busy = (day: string, until: string): Ev[] => {
  const out: Ev[] = [...morning(day)];
  for (let t = local(`${day} 08:05`); t < local(`${day} ${until}`); t += 30 * 60_000)
    out.push([new Date(t).toISOString().slice(0, 16).replace('T', ' '), 'kitchen-motion', true]);
  return out;
};

describe('missed: a person in danger', () => {
  it('away ends: out by the front door and not back in 12 hours is an alert that says what is believed', () => {
    const seen = simulate(
      config,
      [
        ...morning('2026-03-02'),
        ['2026-03-02 10:04', 'hall-motion', true],
        ['2026-03-02 10:05', 'front-door', true],
        ['2026-03-02 10:05:30', 'front-door', false],
      ],
      '2026-03-04 20:00', // 58 hours after the door
    );
    expect(told(seen)).toEqual([['2026-03-02 22:05:30', 'away', 'raised']]);
    expect(seen.find((s) => s.rule === 'away')?.message.reason).toBe(
      'Out since 10:05 (12 h) by the front door; not back. If she is in, she has not moved since.',
    );
  });

  it('a radar republishing presence is presence, not life: still in the bathroom is an alert', () => {
    const republished: Ev[] = [];
    for (let t = local('2026-03-02 09:00'); t < local('2026-03-02 15:00'); t += 120_000)
      republished.push([new Date(t).toISOString().slice(0, 19).replace('T', ' '), 'bathroom-radar', true]);
    const seen = simulate(
      config,
      [...morning('2026-03-02'), ...republished.map(([w, d, v]) => [utcToLocal(w), d, v] as Ev)],
      '2026-03-02 15:00',
    );
    expect(told(seen).slice(0, 2)).toEqual([
      ['2026-03-02 10:30:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 10:40:00', 'inactivity', 'raised'],
    ]);
    expect(seen[1]?.message.reason).toBe(
      'In the bathroom since 09:00 (1 h 40 m): someone is there but nothing has moved; the prompt was not answered.',
    );
  });

  it('a fall a device reports is an urgent alert at once', () => {
    const seen = simulate(
      config,
      [...busy('2026-03-02', '15:30'), ['2026-03-02 15:40', 'fall-radar', true]],
      '2026-03-02 15:45',
    );
    expect(told(seen)).toEqual([['2026-03-02 15:40:00', 'fall', 'raised']]);
    expect(seen.find((s) => s.rule === 'fall')?.message).toMatchObject({
      severity: 'urgent',
      device: 'fall-radar',
      room: 'bathroom',
      reason: 'A fall was detected by fall-radar at 15:40.',
    });
  });

  it('a fall a presence radar reports (its row is presence) is the same urgent alert at once', () => {
    const seen = simulate(
      config,
      [
        ...busy('2026-03-02', '15:30'),
        ['2026-03-02 15:38', 'bathroom-radar', true],
        ['2026-03-02 15:40', 'bathroom-radar', true, 'fall'],
      ],
      '2026-03-02 15:45',
    );
    expect(told(seen)).toEqual([['2026-03-02 15:40:00', 'fall', 'raised']]);
    expect(seen.find((s) => s.rule === 'fall')?.message).toMatchObject({
      severity: 'urgent',
      device: 'bathroom-radar',
      room: 'bathroom',
    });
  });

  it('a second help press while unanswered reaches the trust, and an unanswered call escalates', () => {
    const seen = simulate(
      config,
      [
        ...busy('2026-03-02', '15:20'),
        ['2026-03-02 15:30', 'pendant', 'press'],
        ['2026-03-02 15:30:20', 'pendant', 'press'],
        ['2026-03-02 15:40', 'pendant', 'press'],
      ],
      '2026-03-02 15:50',
    );
    expect(told(seen)).toEqual([
      ['2026-03-02 15:30:00', 'help_button', 'raised'],
      ['2026-03-02 15:40:00', 'help_button', 'raised'],
      ['2026-03-02 15:45:00', 'help_button', 'escalated'],
    ]);
    const help = seen.filter((s) => s.rule === 'help_button');
    expect(help[1]?.message).toMatchObject({
      id: `${help[0]?.message.alert_id}:raised:3`,
      reason: 'Pressed again at 15:40 on pendant (3 presses); not yet acknowledged.',
      count: 3,
    });
    expect(help[2]?.message.reason).toBe(
      'The help button (pendant) was pressed at 15:30 (3 presses) and nobody has acknowledged it for 15 m.',
    );
  });

  it('still in the lounge from 20:30, up and not in bed: prompted at 23:30, not at ten the next morning', () => {
    const seen = simulate(
      config,
      [...busy('2026-03-02', '20:10'), ['2026-03-02 20:30', 'lounge-motion', true]],
      '2026-03-02 23:45',
    );
    expect(told(seen)).toEqual([
      ['2026-03-02 23:30:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 23:40:00', 'inactivity', 'raised'],
    ]);
  });

  it('a reading at the very instant of a deadline comes first: seen at 11:00:00, not prompted then', () => {
    const seen = simulate(
      homeConfig(EVERY_RULE),
      [
        ...morning('2026-03-02'),
        ['2026-03-02 08:00', 'kitchen-motion', true],
        ['2026-03-02 11:00', 'kitchen-motion', true],
      ],
      '2026-03-02 11:30',
    );
    expect(told(seen)).toEqual([]);
  });
});

describe('alarmed: a person who is fine', () => {
  it('the front door at night while she is out is her coming home, not an alarm', () => {
    const seen = simulate(
      config,
      [
        ...morning('2026-03-02'),
        ['2026-03-02 21:00', 'hall-motion', true],
        ['2026-03-02 21:01', 'front-door', true],
        ['2026-03-02 21:01:30', 'front-door', false],
        ['2026-03-03 00:35', 'front-door', true],
        ['2026-03-03 00:35:40', 'front-door', false],
        ['2026-03-03 00:36', 'hall-motion', true],
        ['2026-03-03 00:50', 'bed-pad', true],
      ],
      '2026-03-03 06:00',
    );
    expect(states(seen).filter(([, r]) => r === 'front_door_at_night')).toEqual([]);
  });

  it('sitting still in an occupied chair is not inactivity until the chair limit (6 h)', () => {
    const seen = simulate(
      config,
      [
        ...busy('2026-03-02', '12:50'),
        ['2026-03-02 13:00', 'lounge-motion', true],
        ['2026-03-02 13:01', 'chair-pad', true],
      ],
      '2026-03-02 19:20',
    );
    expect(told(seen)).toEqual([
      ['2026-03-02 19:01:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 19:11:00', 'inactivity', 'raised'],
    ]);
    expect(seen.find((s) => s.rule === 'inactivity')?.message.reason).toBe(
      `Sitting in the lounge's chair since 13:01 (6 h) and nothing has moved; prompting the resident to press "I'm OK".`,
    );
  });

  it('a worn tag that fades six minutes after the door closes still means she went out by it', () => {
    const seen = simulate(
      config,
      [
        ...morning('2026-03-02'),
        ['2026-03-02 09:50', 'wrist-tag', true],
        ['2026-03-02 10:00', 'hall-motion', true],
        ['2026-03-02 10:01', 'front-door', true],
        ['2026-03-02 10:01:20', 'front-door', false],
        ['2026-03-02 10:07', 'wrist-tag', false],
        ['2026-03-02 15:00', 'front-door', true],
        ['2026-03-02 15:00:30', 'front-door', false],
        ['2026-03-02 15:01', 'hall-motion', true],
      ],
      '2026-03-02 15:30',
    );
    expect(told(seen)).toEqual([]);
  });

  it('a flickering bed mat is no getting up, and two mats on one bed are one bed', () => {
    const flicker: Ev[] = [];
    for (let m = 0; m < 60; m += 7) {
      const hh = `2026-03-03 02:${String(m).padStart(2, '0')}`;
      flicker.push([hh, 'bed-pad', false], [`${hh}:01`, 'bed-pad', true]);
    }
    const seen = simulate(
      config,
      [
        ...morning('2026-03-02'),
        ['2026-03-02 23:00', 'bed-pad', true],
        ['2026-03-02 23:00:10', 'bed-pad-2', true],
        ...flicker,
        // One mat empties (she turned over to the other side): still in bed.
        ['2026-03-03 04:00', 'bed-pad', false],
      ],
      '2026-03-03 06:00',
    );
    expect(states(seen).filter(([, r]) => r === 'night_out_of_bed')).toEqual([]);
  });

  it("a PIR's last word in the bathroom is not the bathroom's short limit: she may have left it for a room no sensor sees", () => {
    const pir = homeConfig(EVERY_RULE, {
      devices: ['{ id: bathroom-pir, source: zigbee2mqtt, topic: z/bpir, room: bathroom, kind: motion }'],
    });
    const day: Ev[] = [...busy('2026-03-02', '10:00'), ['2026-03-02 10:30', 'bathroom-pir', true]];
    expect(told(simulate(pir, day, '2026-03-02 13:25'))).toEqual([]);
    expect(told(simulate(pir, day, '2026-03-02 13:35'))).toEqual([
      ['2026-03-02 13:30:00', 'inactivity', 'pre-alert'],
    ]);
    expect(simulate(pir, day, '2026-03-02 13:35')[0]?.message.reason).toMatch(
      /^No sign of life since 10:30 \(3 h\), last seen in the bathroom/,
    );
  });

  it('a fall radar republishing its fall state is one call: no "another fall", and no new call once acknowledged', () => {
    // Zigbee2MQTT sends a radar's whole state, its fall state with it, at every other change.
    const republished: Ev[] = [];
    for (let m = 42; m <= 58; m += 2) republished.push([`2026-03-02 15:${m}`, 'fall-radar', true]);
    const seen = simulate(
      config,
      [
        ...busy('2026-03-02', '15:30'),
        ['2026-03-02 15:40', 'fall-radar', true],
        ...republished,
        // Back to normal: she is up, or her daughter has helped her up.
        ['2026-03-02 16:05', 'fall-radar', false],
      ],
      '2026-03-02 16:10',
      undefined,
      { ackAfterMs: 5 * 60_000 },
    );
    expect(told(seen)).toEqual([
      ['2026-03-02 15:40:00', 'fall', 'raised'],
      ['2026-03-02 15:45:00', 'fall', 'acknowledged'],
      ['2026-03-02 16:05:00', 'fall', 'resolved'],
    ]);
  });

  it('a device that only ever says true: a fall after the call is over is a new call', () => {
    const seen = simulate(
      config,
      [
        ...busy('2026-03-02', '15:30'),
        ['2026-03-02 15:40', 'fall-radar', true],
        ['2026-03-02 15:50', 'kitchen-motion', true],
        ['2026-03-02 17:00', 'fall-radar', true],
      ],
      '2026-03-02 17:04',
      undefined,
      { ackAfterMs: 5 * 60_000 },
    );
    expect(told(seen)).toEqual([
      ['2026-03-02 15:40:00', 'fall', 'raised'],
      ['2026-03-02 15:45:00', 'fall', 'acknowledged'],
      ['2026-03-02 15:50:00', 'fall', 'resolved'],
      ['2026-03-02 17:00:00', 'fall', 'raised'],
    ]);
  });

  it('not up: the alert says she is still in bed', () => {
    const seen = simulate(config, [['2026-03-02 23:00', 'bed-pad', true]], '2026-03-03 10:01');
    expect(seen.find((s) => s.rule === 'not_up' && s.message.state === 'raised')?.message.reason).toBe(
      'Not up by 10:00: still in bed since 23:00; no sign of life outside the bedroom since 07:00. Last sign of life at 23:00 in the bedroom. The prompt was not answered.',
    );
  });
});

describe('properties', () => {
  const minute = 60_000;
  const day0 = local('2026-03-02 08:00');
  const DEVICES = ['kitchen-motion', 'hall-motion', 'front-door', 'bathroom-radar', 'pendant', 'bed-pad'];
  const event = fc.record({
    at: fc.integer({ min: 0, max: 36 * 60 }),
    device: fc.constantFrom(...DEVICES),
    on: fc.boolean(),
  });
  const asEvents = (es: { at: number; device: string; on: boolean }[]): Ev[] =>
    [...es]
      .sort((a, b) => a.at - b.at)
      .map((e) => [
        utcToLocal(new Date(day0 + e.at * minute).toISOString().slice(0, 19).replace('T', ' ')),
        e.device,
        e.device === 'pendant' ? 'press' : e.on,
      ]);

  it('no sequence of readings leaves her without an alert open or raised when she goes still', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 30 }), (es) => {
        const seen = simulate(config, asEvents(es), '2026-03-05 08:00');
        // After the last reading nothing moves for a day and more: were she out, the away alert
        // came; were she in, an inactivity, not_up or night alert did, or one raised before is
        // still open. Never nothing at all.
        const last = Math.max(0, ...es.map((e) => e.at)) * minute + day0;
        const safety = seen.filter((s) => s.state !== 'pre-alert' && s.rule !== 'device_silent');
        const latest = new Map<string, string>();
        for (const s of safety) latest.set(s.message.alert_id, s.state);
        const open = [...latest.values()].some((st) => st === 'raised' || st === 'acknowledged');
        const after = safety.some((s) => local(s.at) > last && s.state === 'raised');
        expect(open || after).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('no republished presence postpones a stillness limit', () => {
    const stamp = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 * 60 }), // when she goes into the bathroom, minutes after 10:00
        fc.array(fc.integer({ min: 1, max: 3 * 60 * 60 }), { maxLength: 40 }), // radar repeats, s after
        (goIn, repeats) => {
          const t0 = local('2026-03-02 10:00') + goIn * minute;
          const events: Ev[] = [
            ...busy('2026-03-02', '10:00'),
            [stamp(t0), 'bathroom-radar', true], // she comes into the radar's view: movement
            ...[...new Set(repeats)]
              .sort((a, b) => a - b)
              .map((s): Ev => [stamp(t0 + s * 1000), 'bathroom-radar', true]),
          ];
          const seen = simulate(config, events, stamp(t0 + 4 * 60 * minute));
          const prompt = seen.find((s) => s.rule === 'inactivity' && s.state === 'pre-alert');
          // The bathroom's limit (1 h 30 m) from the last movement, whatever the radar repeated.
          expect(prompt?.at).toBe(stamp(t0 + 90 * minute));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a press is never without a message', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 12 }), (offsets) => {
        const presses: Ev[] = [...new Set(offsets)]
          .sort((a, b) => a - b)
          .map((s) => [
            utcToLocal(new Date(day0 + s * 10_000).toISOString().slice(0, 19).replace('T', ' ')),
            'pendant',
            'press',
          ]);
        const seen = simulate(config, [...morning('2026-03-02'), ...presses], '2026-03-02 09:50');
        const help = seen.filter((s) => s.rule === 'help_button');
        // The first press raises; every later press more than a minute after the one before is told.
        const times = presses.map(([w]) => local(w));
        const told = times.filter((t, i) => i === 0 || t - (times[i - 1] as number) >= 60_000).length;
        // Each is a message: the call raised, or an update of it in whatever state it is in.
        const messages = help.filter(
          (s) => (s.state === 'raised' && !/:\d+$/.test(s.message.id)) || /:\d+$/.test(s.message.id),
        );
        expect(messages.length).toBe(told);
      }),
      { numRuns: 40 },
    );
  });
});

/** "2026-03-02 09:00:00" in UTC -> the same instant as local text (Europe/London is UTC in March). */
function utcToLocal(utc: string): string {
  return utc;
}
