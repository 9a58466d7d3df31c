// Simulated days, one table per rule: events in, alert states out, to the second.
import { describe, expect, it } from 'vitest';
import { type Ev, homeConfig, simulate, states } from './helpers/simulate.ts';

const INACTIVITY = `inactivity:
  windows:
    - { from: "07:00", to: "22:00", quiet: 3h }
    - { from: "22:00", to: "07:00", quiet: off }
  prompt: 10m
  escalate: 30m`;

const hourly = (day: string, from: number, to: number, device = 'kitchen-motion'): Ev[] =>
  Array.from(
    { length: to - from + 1 },
    (_, i) => [`${day} ${String(from + i).padStart(2, '0')}:05`, device, true] as Ev,
  );

describe('inactivity', () => {
  const config = homeConfig(INACTIVITY);

  it('stays quiet through an ordinary day', () => {
    expect(simulate(config, hourly('2026-03-02', 7, 21), '2026-03-02 23:59')).toEqual([]);
  });

  it('prompts, raises, escalates, and resolves on the next movement', () => {
    const seen = simulate(
      config,
      [
        ['2026-03-02 08:00', 'kitchen-motion', true],
        ['2026-03-02 10:42', 'lounge-motion', true],
        ['2026-03-02 14:30', 'kitchen-motion', true],
      ],
      '2026-03-02 15:00',
    );
    expect(states(seen)).toEqual([
      ['2026-03-02 13:42:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 13:52:00', 'inactivity', 'raised'],
      ['2026-03-02 14:22:00', 'inactivity', 'escalated'],
      ['2026-03-02 14:30:00', 'inactivity', 'resolved'],
    ]);
    expect(seen.map((s) => s.severity)).toEqual(['warning', 'warning', 'urgent', 'urgent']);
    expect(seen[1]?.message.reason).toBe(
      'No movement seen since 10:42 (3 h 10 m), last seen in the lounge; the prompt was not answered.',
    );
    expect(seen[1]?.message).toMatchObject({ since: '2026-03-02T10:42:00+00:00', quiet_for_s: 11_400 });
    expect(new Set(seen.map((s) => s.message.alert_id)).size).toBe(1);
    expect(seen[3]?.message.reason).toBe('Activity in the kitchen at 14:30 after 3 h 48 m without.');
  });

  it('is cancelled by "I\'m OK" during the prompt, and counts afresh from the answer', () => {
    const seen = simulate(
      config,
      [
        ['2026-03-02 10:00', 'kitchen-motion', true],
        ['2026-03-02 13:04', 'ok-button', 'ok'],
      ],
      '2026-03-02 16:05',
    );
    expect(states(seen)).toEqual([
      ['2026-03-02 13:00:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 13:04:00', 'inactivity', 'cancelled'],
      ['2026-03-02 16:04:00', 'inactivity', 'pre-alert'],
    ]);
    expect(seen[1]?.message.reason).toBe('The resident answered the prompt at 13:04.');
  });

  it('says so when the answer is a press of the button with role ok, before the alert and after', () => {
    const withOk = homeConfig(INACTIVITY, {
      devices: [
        '{ id: ok-plate, source: zigbee2mqtt, topic: z/ok-plate, room: lounge, kind: button, role: ok }',
      ],
    });
    const seen = simulate(
      withOk,
      [
        ['2026-03-02 10:00', 'kitchen-motion', true],
        ['2026-03-02 13:04', 'ok-plate', 'press'],
        ['2026-03-02 16:20', 'ok-plate', 'press'],
      ],
      '2026-03-02 16:30',
    );
    expect(states(seen)).toEqual([
      ['2026-03-02 13:00:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 13:04:00', 'inactivity', 'cancelled'],
      ['2026-03-02 16:04:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 16:14:00', 'inactivity', 'raised'],
      ['2026-03-02 16:20:00', 'inactivity', 'resolved'],
    ]);
    expect(seen[1]?.message.reason).toBe('The resident pressed "I\'m OK" (ok-plate) at 13:04.');
    expect(seen[4]?.message.reason).toBe(
      'The resident pressed "I\'m OK" (ok-plate) at 16:20, after 3 h 16 m without movement.',
    );
  });

  it('with prompt: 0 goes straight to raised', () => {
    const c = homeConfig(INACTIVITY.replace('prompt: 10m', 'prompt: 0'));
    expect(states(simulate(c, [['2026-03-02 09:00', 'kitchen-motion', true]], '2026-03-02 12:29'))).toEqual([
      ['2026-03-02 12:00:00', 'inactivity', 'raised'],
    ]);
  });

  it('counts only time inside a window with a limit for one who may be asleep: last seen in the bedroom at 21:00, nothing at night, counted afresh from 07:00', () => {
    const seen = simulate(config, [['2026-03-02 21:00', 'bedroom-motion', true]], '2026-03-03 10:05');
    expect(states(seen)).toEqual([['2026-03-03 10:00:00', 'inactivity', 'pre-alert']]);
    expect(seen[0]?.message.reason).toMatch(/^No sign of life since 07:00 \(3 h\)/);
  });

  it('one who is up keeps the limits of the day into the night: still in the lounge from 21:00, prompted at midnight', () => {
    const seen = simulate(config, [['2026-03-02 21:00', 'lounge-motion', true]], '2026-03-03 00:05');
    expect(states(seen)).toEqual([['2026-03-03 00:00:00', 'inactivity', 'pre-alert']]);
    expect(seen[0]?.message.reason).toMatch(/^No sign of life since 21:00 \(3 h\), last seen in the lounge/);
  });

  it('a front door row written without a kind is the front door all the same: up in the lounge from 21:00, prompted at midnight', () => {
    const kindless = {
      ...config,
      devices: config.devices.map((d) => {
        if (d.id !== 'front-door') return d;
        const { kind: _kind, ...rest } = d as typeof d & { kind?: string };
        return rest as typeof d;
      }),
    };
    const seen = simulate(kindless, [['2026-03-02 21:00', 'lounge-motion', true]], '2026-03-03 00:05');
    expect(states(seen)).toEqual([['2026-03-03 00:00:00', 'inactivity', 'pre-alert']]);
  });

  it('is silent while the resident is out, and starts again when they come back', () => {
    const seen = simulate(
      config,
      [
        ['2026-03-02 09:00', 'hall-motion', true],
        ['2026-03-02 09:10', 'front-door', true],
        ['2026-03-02 09:11', 'front-door', false],
        ['2026-03-02 17:00', 'front-door', true],
        ['2026-03-02 17:01', 'front-door', false],
      ],
      '2026-03-02 21:59',
    );
    expect(states(seen)).toEqual([]);
  });

  it('a worn tag still seen at home means the resident did not go out', () => {
    const c = homeConfig(INACTIVITY, { tag: true });
    const seen = simulate(
      c,
      [
        ['2026-03-02 09:00', 'wrist-tag', true],
        ['2026-03-02 09:10', 'front-door', true],
        ['2026-03-02 09:11', 'front-door', false],
      ],
      '2026-03-02 12:20',
    );
    expect(states(seen)).toEqual([['2026-03-02 12:11:00', 'inactivity', 'pre-alert']]);
  });

  it('a missing tag alone never means out (a flat battery must not silence alerts)', () => {
    const c = homeConfig(INACTIVITY, { tag: true });
    const seen = simulate(
      c,
      [
        ['2026-03-02 09:00', 'kitchen-motion', true],
        ['2026-03-02 09:30', 'wrist-tag', false],
      ],
      '2026-03-02 12:05',
    );
    expect(states(seen)).toEqual([['2026-03-02 12:00:00', 'inactivity', 'pre-alert']]);
  });
});

describe('not_up', () => {
  const config = homeConfig(`${INACTIVITY}
not_up: { by: "10:00" }
night_out_of_bed:
  window: { from: "22:00", to: "07:00" }
  after: 30m`);

  it('raises at `by` when nothing stirred outside the bedroom since the night ended; inactivity stays quiet', () => {
    const seen = simulate(
      config,
      [
        ['2026-03-02 21:30', 'bed-pad', true],
        ['2026-03-03 08:10', 'bedroom-motion', true],
        ['2026-03-03 10:25', 'kitchen-motion', true],
      ],
      '2026-03-03 10:30',
    );
    // Asked in the ten minutes before `by`; carers told at `by`, as a rule without a prompt tells them.
    expect(states(seen)).toEqual([
      ['2026-03-03 09:50:00', 'not_up', 'pre-alert'],
      ['2026-03-03 10:00:00', 'not_up', 'raised'],
      ['2026-03-03 10:25:00', 'not_up', 'resolved'],
    ]);
    expect(seen[0]?.message.reason).toBe(
      'Not up at 09:50: still in bed since 21:30; no sign of life outside the bedroom since 07:00. Last sign of life at 08:10 in the bedroom. Asking the resident to press "I\'m OK" before carers are told at 10:00.',
    );
    expect(seen[1]?.message.reason).toBe(
      'Not up by 10:00: still in bed since 21:30; no sign of life outside the bedroom since 07:00. Last sign of life at 08:10 in the bedroom. The prompt was not answered.',
    );
    expect(seen[1]?.message).toMatchObject({ room: 'bedroom', severity: 'warning' });
  });

  it('asks first: a press of any button before `by` is her answer, and carers are not told', () => {
    const seen = simulate(
      config,
      [
        ['2026-03-02 21:30', 'bed-pad', true],
        ['2026-03-03 09:53', 'ok-button', 'ok'],
      ],
      '2026-03-03 12:00',
    );
    expect(states(seen)).toEqual([
      ['2026-03-03 09:50:00', 'not_up', 'pre-alert'],
      ['2026-03-03 09:53:00', 'not_up', 'cancelled'],
    ]);
    expect(seen[1]?.message.reason).toBe('The resident answered at 09:53 (ok-button).');
  });

  it('with prompt: 0, tells carers at `by` without asking', () => {
    const quiet = homeConfig(`${INACTIVITY}
not_up: { by: "10:00", prompt: 0 }`);
    const seen = simulate(quiet, [['2026-03-02 21:30', 'bed-pad', true]], '2026-03-03 10:30');
    expect(states(seen)).toEqual([['2026-03-03 10:00:00', 'not_up', 'raised']]);
  });

  it('stays quiet on a day the resident is up, and while they are out', () => {
    expect(
      simulate(
        config,
        [['2026-03-02 21:30', 'bed-pad', true], ...hourly('2026-03-03', 7, 21)],
        '2026-03-03 22:00',
      ),
    ).toEqual([]);
    const out = simulate(
      config,
      [
        ['2026-03-03 06:30', 'hall-motion', true],
        ['2026-03-03 06:40', 'front-door', true],
        ['2026-03-03 06:41', 'front-door', false],
      ],
      '2026-03-03 11:00',
    );
    expect(out).toEqual([]);
  });
});

describe('night_out_of_bed', () => {
  const config = homeConfig(`night_out_of_bed:
  window: { from: "22:00", to: "07:00" }
  after: 30m`);

  it('raises when the resident is out of bed too long at night, resolves when back; short trips and the morning do not count', () => {
    const seen = simulate(
      config,
      [
        ['2026-03-02 22:30', 'bed-pad', true],
        ['2026-03-03 02:00', 'bed-pad', false],
        ['2026-03-03 02:10', 'bed-pad', true],
        ['2026-03-03 03:00', 'bed-pad', false],
        ['2026-03-03 03:45', 'bed-pad', true],
        ['2026-03-03 06:50', 'bed-pad', false],
      ],
      '2026-03-03 08:00',
    );
    // Asked for the last ten minutes of the thirty; carers told at the thirtieth, as without asking.
    expect(states(seen)).toEqual([
      ['2026-03-03 03:20:00', 'night_out_of_bed', 'pre-alert'],
      ['2026-03-03 03:30:00', 'night_out_of_bed', 'raised'],
      ['2026-03-03 03:45:00', 'night_out_of_bed', 'resolved'],
    ]);
    expect(seen[0]?.message.reason).toBe(
      'Out of bed since 03:00 (20 m) in the night; asking the resident to press "I\'m OK" before carers are told at 03:30.',
    );
    expect(seen[1]?.message.reason).toBe(
      'Out of bed since 03:00 (30 m) in the night; the prompt was not answered.',
    );
    expect(seen[2]?.message.reason).toBe('Back in bed at 03:45 after 45 m.');
  });

  it('asks first: her answer ends this time out of bed, back in bed before the bound ends the question', () => {
    const seen = simulate(
      config,
      [
        ['2026-03-02 22:30', 'bed-pad', true],
        ['2026-03-03 01:00', 'bed-pad', false],
        ['2026-03-03 01:24', 'ok-button', 'ok'],
        ['2026-03-03 02:30', 'bed-pad', true],
        ['2026-03-03 03:00', 'bed-pad', false],
        ['2026-03-03 03:25', 'bed-pad', true],
      ],
      '2026-03-03 06:00',
    );
    expect(states(seen)).toEqual([
      ['2026-03-03 01:20:00', 'night_out_of_bed', 'pre-alert'],
      ['2026-03-03 01:24:00', 'night_out_of_bed', 'cancelled'],
      ['2026-03-03 03:20:00', 'night_out_of_bed', 'pre-alert'],
      ['2026-03-03 03:25:00', 'night_out_of_bed', 'cancelled'],
    ]);
    expect(seen[1]?.message.reason).toBe('The resident answered at 01:24 (ok-button).');
    expect(seen[3]?.message.reason).toBe('Back in bed at 03:25 after 25 m.');
  });
});

describe('front_door_at_night', () => {
  const config = homeConfig(`front_door_at_night:
  window: { from: "23:00", to: "06:00" }`);

  it('raises an urgent alert the moment the door opens in the window, never outside it', () => {
    const seen = simulate(
      config,
      [
        ['2026-03-02 22:30', 'front-door', true],
        ['2026-03-02 22:31', 'front-door', false],
        // She stayed in (a visitor left): the opening at 02:14 is her leaving, not coming home.
        ['2026-03-02 22:32', 'hall-motion', true],
        ['2026-03-03 02:14', 'front-door', true],
        ['2026-03-03 02:15', 'front-door', false],
      ],
      '2026-03-03 03:00',
    );
    expect(states(seen)).toEqual([['2026-03-03 02:14:00', 'front_door_at_night', 'raised']]);
    expect(seen[0]?.message).toMatchObject({
      severity: 'urgent',
      device: 'front-door',
      room: 'hall',
      reason: 'The front door opened at 02:14, in the night.',
    });
  });
});

describe('help_button', () => {
  const config = homeConfig('help_button: {}');

  it('raises at once; presses within 60 s are the same alert', () => {
    const seen = simulate(
      config,
      [
        ['2026-03-02 12:00', 'pendant', 'press'],
        ['2026-03-02 12:00:30', 'pendant', 'press'],
        ['2026-03-02 12:00:50', 'pendant', 'long_press'],
      ],
      '2026-03-02 12:10',
    );
    expect(states(seen)).toEqual([['2026-03-02 12:00:00', 'help_button', 'raised']]);
    expect(seen[0]?.message).toMatchObject({
      severity: 'urgent',
      device: 'pendant',
      reason: 'The help button (pendant) was pressed at 12:00.',
    });
  });
});

describe('cold_home', () => {
  const config = homeConfig(`cold_home:
  below: 16
  for: 2h`);

  it('raises after two hours below the limit and resolves after 30 min half a degree above it', () => {
    const seen = simulate(
      config,
      [
        ['2026-01-10 17:00', 'lounge-temp', 17.2],
        ['2026-01-10 18:00', 'lounge-temp', 15.8],
        ['2026-01-10 19:00', 'lounge-temp', 15.1],
        ['2026-01-10 20:30', 'lounge-temp', 16.3],
        ['2026-01-10 20:45', 'lounge-temp', 16.8],
        ['2026-01-10 21:00', 'lounge-temp', 16.9],
      ],
      '2026-01-10 22:00',
    );
    expect(states(seen)).toEqual([
      ['2026-01-10 20:00:00', 'cold_home', 'raised'],
      ['2026-01-10 21:15:00', 'cold_home', 'resolved'],
    ]);
    expect(seen[0]?.message.reason).toBe('The lounge has been below 16 °C since 18:00 (2 h); now 15.1 °C.');
  });

  it('a brief dip does not raise', () => {
    const seen = simulate(
      config,
      [
        ['2026-01-10 18:00', 'lounge-temp', 15.8],
        ['2026-01-10 19:30', 'lounge-temp', 16.1],
      ],
      '2026-01-10 23:00',
    );
    expect(seen).toEqual([]);
  });
});

describe('device health', () => {
  it('device_silent: a device silent past its limit raises info; a reading resolves it', () => {
    const config = homeConfig('device_silent: { after: 6h }');
    const devices = [
      'hall-motion',
      'kitchen-motion',
      'bedroom-motion',
      'lounge-motion',
      'front-door',
      'bed-pad',
      'ok-button',
      'pendant',
      'lounge-temp',
      'remote-battery',
    ];
    const every = (h: string): Ev[] =>
      devices
        .filter((d) => d !== 'lounge-temp')
        .map(
          (d) =>
            [
              `2026-03-02 ${h}`,
              d,
              d === 'lounge-temp'
                ? 20
                : d.includes('button') || d === 'pendant'
                  ? 'press'
                  : d === 'remote-battery'
                    ? 80
                    : false,
            ] as Ev,
        );
    const seen = simulate(
      config,
      [
        ['2026-03-02 00:00', 'lounge-temp', 20],
        ...every('00:01'),
        ...every('05:00'),
        ...every('10:00'),
        ['2026-03-02 10:30', 'lounge-temp', 20.5],
      ],
      '2026-03-02 11:00',
    );
    expect(states(seen)).toEqual([
      ['2026-03-02 06:00:00', 'device_silent', 'raised'],
      ['2026-03-02 10:30:00', 'device_silent', 'resolved'],
    ]);
    expect(seen[0]?.message).toMatchObject({
      severity: 'info',
      device: 'lounge-temp',
      reason: 'lounge-temp (lounge) has sent nothing since 00:00 (6 h); check its battery and range.',
    });
  });

  it('low_battery: raised under the limit, resolved only well above it', () => {
    const config = homeConfig('low_battery: { below: 15 }');
    const seen = simulate(config, [
      ['2026-03-02 09:00', 'remote-battery', 16],
      ['2026-03-02 10:00', 'remote-battery', 12],
      ['2026-03-02 11:00', 'remote-battery', 16],
      ['2026-03-02 12:00', 'remote-battery', 100],
    ]);
    expect(states(seen)).toEqual([
      ['2026-03-02 10:00:00', 'low_battery', 'raised'],
      ['2026-03-02 12:00:00', 'low_battery', 'resolved'],
    ]);
  });
});

describe('daylight saving (Europe/London, 2026)', () => {
  const twoHourly = homeConfig(`inactivity:
  windows:
    - { from: "00:00", to: "12:00", quiet: 2h }
    - { from: "12:00", to: "00:00", quiet: 2h }
  prompt: 0
  escalate: 1h`);

  it('29 March: two real hours after 00:30 GMT is 03:30 BST', () => {
    expect(
      states(simulate(twoHourly, [['2026-03-29 00:30', 'kitchen-motion', true]], '2026-03-29 04:29')),
    ).toEqual([['2026-03-29 03:30:00', 'inactivity', 'raised']]);
  });

  it('25 October: two real hours after 00:30 BST is 01:30 GMT, the second 01:30 of the night', () => {
    const seen = simulate(twoHourly, [['2026-10-25 00:30', 'kitchen-motion', true]], '2026-10-25 02:29');
    expect(seen.map((s) => s.message.at)).toEqual(['2026-10-25T01:30:00+00:00']);
  });

  it('local windows follow the clocks: not_up at 10:00 BST and 10:00 GMT on the change days', () => {
    const c = homeConfig('not_up: { by: "10:00" }');
    const spring = simulate(c, [['2026-03-28 21:00', 'bedroom-motion', true]], '2026-03-29 11:00');
    const raised = (seen: typeof spring) => seen.filter((s) => s.message.state === 'raised');
    expect(raised(spring).map((s) => s.message.at)).toEqual(['2026-03-29T10:00:00+01:00']);
    const autumn = simulate(c, [['2026-10-24 21:00', 'bedroom-motion', true]], '2026-10-25 11:00');
    expect(raised(autumn).map((s) => s.message.at)).toEqual(['2026-10-25T10:00:00+00:00']);
  });

  it('the long night of 25 October: out of bed at 01:30 BST for 30 min raises at the first 02:00... which is 01:00 GMT', () => {
    const c = homeConfig(`night_out_of_bed:
  window: { from: "22:00", to: "07:00" }
  after: 30m`);
    const seen = simulate(
      c,
      [
        ['2026-10-24 23:00', 'bed-pad', true],
        ['2026-10-25 00:40', 'bed-pad', false],
      ],
      '2026-10-25 03:00',
    );
    // Asked ten minutes before, at 01:00 BST.
    expect(seen.map((s) => [s.message.at, s.message.state])).toEqual([
      ['2026-10-25T01:00:00+01:00', 'pre-alert'],
      ['2026-10-25T01:10:00+01:00', 'raised'],
    ]);
  });
});
