// Care modes over simulated days, on the real engine and a real SQLite store: what each mode
// keeps and quiets (the same days without the mode for comparison), the sentence a carer reads,
// the end by itself at `until` (after a power cut too), the end of a mode, what it refuses, and
// the day's summary.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summaryMessage } from '../cloud-relay/protocol/messages.ts';
import { Zone } from '../core/zone.ts';
import { CARE_MODES, MODE_POLICY } from '../gateway/modes/policy.ts';
import { daysInModes } from '../gateway/modes/spans.ts';
import { RULES } from '../gateway/rules/index.ts';
import { modeSpans } from '../gateway/store/mode-spans.ts';
import { type DaySummary, summarizeDay, summaryPayload } from '../gateway/summaries/index.ts';
import { addDays, localAt } from '../gateway/summaries/timeline.ts';
import { dayReadings, eventsFor, homeWith, toEvents } from './helpers/home-week.ts';
import { type Act, modeHome, told } from './helpers/mode-home.ts';
import { homeConfig, local } from './helpers/simulate.ts';

const RULES_ON = `inactivity:
  windows:
    - { from: "07:00", to: "22:00", quiet: 3h }
    - { from: "22:00", to: "07:00", quiet: off }
  prompt: 10m
  escalate: 30m
not_up: { by: "10:00" }
night_out_of_bed:
  window: { from: "22:00", to: "07:00" }
  after: 30m
front_door_at_night:
  window: { from: "23:00", to: "06:00" }
help_button: {}
cold_home: { below: 16, for: 2h }`;

const config = homeConfig(RULES_ON, {
  devices: [
    '{ id: visitor-button, source: zigbee2mqtt, topic: z/visitor, room: hall, kind: button, role: visitor-button }',
    '{ id: fall-radar, source: jsonl, port: /dev/ttyUSB9, sensor: fall1, room: bathroom, kind: fall }',
  ],
});
const london = new Zone('Europe/London');

/** The days played from `start`: what was told (and its sentences), what the modes were asked. */
function play(acts: Act[], until: string, start = '2026-03-02 07:00') {
  const h = modeHome(config, start);
  h.play(acts, until);
  const out = {
    told: told(h.seen),
    reasons: h.seen.map((s) => s.message.reason),
    messages: h.seen.map((s) => s.message),
    answers: h.answers,
    spans: modeSpans(h.store, 0, local('2030-01-01 00:00')),
    counters: h.counters.snapshot(),
  };
  h.close();
  return out;
}
const withoutModes = (acts: Act[]) => acts.filter((a) => a[1] !== 'mode');

describe('the table of what each mode keeps', () => {
  it('names every rule, and no mode quiets a call for help', () => {
    for (const r of RULES) expect(MODE_POLICY[r.key], r.key).toBeDefined();
    for (const m of CARE_MODES) {
      expect(MODE_POLICY.help_button?.[m]).toBe('keep');
      expect(MODE_POLICY.fall?.[m]).toBe('keep');
    }
    const kept = (m: (typeof CARE_MODES)[number]) =>
      Object.entries(MODE_POLICY)
        .filter(([, p]) => p[m] === 'keep')
        .map(([k]) => k);
    expect(kept('away')).toEqual([
      'help_button',
      'fall',
      'cold_home',
      'device_silent',
      'low_battery',
      'check_in',
    ]);
    expect(kept('visitor')).toEqual([
      'help_button',
      'fall',
      'inactivity',
      'not_up',
      'cold_home',
      'device_silent',
      'low_battery',
      'check_in',
    ]);
    expect(kept('paused')).toEqual(['help_button', 'fall']);
  });

  it('is the one the README prints, row for row', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const [rule, p] of Object.entries(MODE_POLICY)) {
      const quieted = CARE_MODES.some((m) => p[m] === 'quiet');
      const end = quieted ? (p.atEnd === 'tell' ? 'told' : 'afresh') : '—';
      expect(readme).toContain(`| ${rule} | ${p.away} | ${p.visitor} | ${p.paused} | ${end} | ${p.why} |`);
    }
  });
});

describe('away mode', () => {
  // She leaves for hospital at 09:31; a neighbour looks in on the 3rd (by day and late at night);
  // the lounge goes cold in the night; someone presses the pendant.
  const hospital: Act[] = [
    ['2026-03-02 08:00', 'kitchen-motion', true],
    ['2026-03-02 09:00', 'hall-motion', true],
    ['2026-03-02 09:30', 'front-door', true],
    ['2026-03-02 09:31', 'front-door', false],
    ['2026-03-02 09:40', 'mode', { mode: 'away', until: '2026-03-05 00:00' }],
    ['2026-03-03 02:00', 'lounge-temp', 14.5],
    ['2026-03-03 04:10', 'lounge-temp', 14.2],
    ['2026-03-03 11:00', 'front-door', true],
    ['2026-03-03 11:02', 'kitchen-motion', true],
    ['2026-03-03 11:10', 'front-door', true],
    ['2026-03-03 11:10', 'front-door', false],
    ['2026-03-03 15:00', 'pendant', 'single'],
    ['2026-03-03 23:30', 'front-door', true],
    ['2026-03-03 23:31', 'hall-motion', true],
    ['2026-03-03 23:40', 'front-door', false],
    ['2026-03-03 23:40:30', 'front-door', true],
    ['2026-03-03 23:41', 'front-door', false],
  ];
  // She is home on the 4th at 14:00, and about as usual until noon on the 5th.
  const home: Act[] = [
    ['2026-03-04 14:00', 'front-door', true],
    ['2026-03-04 14:00:30', 'front-door', false],
    ...(['14:02', '16:00', '18:00', '20:00', '21:45'].map((t) => [
      `2026-03-04 ${t}`,
      'lounge-motion',
      true,
    ]) as Act[]),
    // To bed, and up in the morning: the bed mat says so.
    ['2026-03-04 22:00', 'bed-pad', true],
    ['2026-03-05 07:25', 'bed-pad', false],
    ...(['07:30', '09:00', '10:30', '11:45'].map((t) => [
      `2026-03-05 ${t}`,
      'kitchen-motion',
      true,
    ]) as Act[]),
  ];

  it('quiets the rules about her, keeps the cold home and a call for help, and ends by itself through the day she is back', () => {
    // Without the mode, the empty home and the neighbour's comings and goings raise alerts.
    expect(play(withoutModes([...hospital, ...home]), '2026-03-05 12:00').told).toEqual([
      ['2026-03-02 21:31:00', 'away', 'raised'],
      ['2026-03-03 04:00:00', 'cold_home', 'raised'],
      ['2026-03-03 11:00:00', 'away', 'resolved'],
      ['2026-03-03 15:00:00', 'help_button', 'raised'],
      ['2026-03-03 15:15:00', 'help_button', 'escalated'],
      ['2026-03-03 18:00:00', 'inactivity', 'pre-alert'],
      ['2026-03-03 18:10:00', 'inactivity', 'raised'],
      ['2026-03-03 18:40:00', 'inactivity', 'escalated'],
      ['2026-03-03 23:30:00', 'front_door_at_night', 'raised'],
      ['2026-03-03 23:30:00', 'inactivity', 'resolved'],
      ['2026-03-04 11:41:00', 'away', 'raised'],
      ['2026-03-04 14:00:00', 'away', 'resolved'],
    ]);
    const r = play([...hospital, ...home], '2026-03-05 12:00');
    expect(r.answers).toEqual([
      {
        at: '2026-03-02 09:40',
        ok: true,
        detail: 'away mode until the end of 4 Mar (2026-03-05T00:00:00+00:00)',
      },
    ]);
    expect(r.told).toEqual([
      ['2026-03-03 04:00:00', 'cold_home', 'raised'],
      ['2026-03-03 15:00:00', 'help_button', 'raised'],
      ['2026-03-03 15:15:00', 'help_button', 'escalated'],
    ]);
    expect(r.reasons).toEqual([
      'The lounge has been below 16 °C since 02:00 (2 h); now 14.5 °C. (away mode until the end of 4 Mar)',
      'The help button (pendant) was pressed at 15:00. (away mode until the end of 4 Mar)',
      'The help button (pendant) was pressed at 15:00 (1 press) and nobody has acknowledged it for 15 m. (away mode until the end of 4 Mar)',
    ]);
    expect(r.messages[0]).toMatchObject({ care_mode: 'away', care_mode_until: '2026-03-05T00:00:00+00:00' });
    // Ended by itself at its until, with nothing left over: she came home during the day.
    expect(r.spans).toEqual([
      {
        mode: 'away',
        from: local('2026-03-02 09:40'),
        to: local('2026-03-05 00:00'),
        on: false,
        by: 'nurse-jo',
        source: 'trust',
      },
    ]);
    expect(r.counters).toMatchObject({ 'modes.set': 1, 'modes.expired': 1 });
    expect(daysInModes(r.spans, london)).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
  });

  it('not back when it ends: the away rule starts afresh and says so at once', () => {
    const r = play(hospital, '2026-03-05 06:00');
    expect(r.told.at(-1)).toEqual(['2026-03-05 00:00:00', 'away', 'raised']);
    expect(r.reasons.at(-1)).toBe(
      'Out since 23:41 (1 d 19 m) by the front door; not back. If she is in, she has not moved since.',
    );
  });
});

describe('visitor mode', () => {
  it('keeps inactivity and a fall, saying so, and ends by itself at 18:00', () => {
    const r = play(
      [
        ['2026-03-02 08:00', 'kitchen-motion', true],
        ['2026-03-02 10:00', 'mode', { mode: 'visitor', until: '2026-03-02 18:00', by: 'Ann (daughter)' }],
        ['2026-03-02 10:05', 'kitchen-motion', true],
        ['2026-03-02 13:07', 'ok-button', 'ok'],
        ['2026-03-02 14:00', 'fall-radar', true],
        ['2026-03-02 14:05', 'hall-motion', true],
        ['2026-03-02 17:00', 'lounge-motion', true],
      ],
      '2026-03-02 20:30',
    );
    expect(r.told).toEqual([
      ['2026-03-02 13:05:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 13:07:00', 'inactivity', 'cancelled'],
      ['2026-03-02 14:00:00', 'fall', 'raised'],
      ['2026-03-02 14:10:00', 'fall', 'escalated'],
      ['2026-03-02 20:00:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 20:10:00', 'inactivity', 'raised'],
    ]);
    expect(r.reasons[2]).toBe('A fall was detected by fall-radar at 14:00. (visitor mode until 18:00)');
    expect(r.reasons[0]).toMatch(/prompting the resident to press "I'm OK"\. \(visitor mode until 18:00\)$/);
    // After 18:00 the mode is over, and the sentence says nothing of it.
    expect(r.reasons[4]).toBe(
      'No sign of life since 17:00 (3 h), last seen in the lounge; prompting the resident to press "I\'m OK".',
    );
    expect(r.spans).toMatchObject([
      { mode: 'visitor', to: local('2026-03-02 18:00'), on: false, by: 'Ann (daughter)' },
    ]);
  });

  // Her daughter stays the evening: she presses the visitor button when she arrives; she leaves
  // by the front door late; the resident gets up in the night and back to bed.
  const evening: Act[] = [
    ['2026-03-02 21:00', 'lounge-motion', true],
    ['2026-03-02 22:30', 'visitor-button', 'single'],
    ['2026-03-02 22:40', 'bed-pad', true],
    ['2026-03-02 23:30', 'front-door', true],
    ['2026-03-02 23:30:30', 'front-door', false],
    ['2026-03-03 00:00', 'bed-pad', false],
    ['2026-03-03 00:01', 'hall-motion', true],
    ['2026-03-03 00:45', 'bed-pad', true],
    ['2026-03-03 03:00', 'front-door', true],
    ['2026-03-03 03:00:30', 'front-door', false],
  ];

  it('a visitor button starts it for home.visitor_for: the door and getting up in the night are quiet, and the door rule is armed again after', () => {
    expect(
      play(
        withoutModes(evening.filter((a) => a[1] !== 'visitor-button')),
        '2026-03-03 04:00',
        '2026-03-02 20:00',
      ).told,
    ).toEqual([
      ['2026-03-02 23:30:00', 'front_door_at_night', 'raised'],
      ['2026-03-03 00:20:00', 'night_out_of_bed', 'pre-alert'],
      ['2026-03-03 00:30:00', 'night_out_of_bed', 'raised'],
      ['2026-03-03 00:45:00', 'night_out_of_bed', 'resolved'],
    ]);
    const r = play(evening, '2026-03-03 04:00', '2026-03-02 20:00');
    // The front door alert held back was still open at 02:30: the rule starts afresh, and the
    // next opening in the night is raised as it always is.
    expect(r.told).toEqual([['2026-03-03 03:00:00', 'front_door_at_night', 'raised']]);
    expect(r.reasons).toEqual(['The front door opened at 03:00, in the night.']);
    expect(r.spans).toEqual([
      {
        mode: 'visitor',
        from: local('2026-03-02 22:30'),
        to: local('2026-03-03 02:30'),
        on: false,
        by: 'visitor-button',
        source: 'button',
      },
    ]);
  });

  it('a second press ends it', () => {
    const r = play(
      [
        ['2026-03-02 10:00', 'visitor-button', 'single'],
        ['2026-03-02 11:15', 'visitor-button', 'single'],
      ],
      '2026-03-02 12:00',
    );
    expect(r.spans).toMatchObject([
      { mode: 'visitor', from: local('2026-03-02 10:00'), to: local('2026-03-02 11:15') },
    ]);
    expect(r.counters).toMatchObject({ 'modes.set': 1, 'modes.ended': 1 });
  });
});

describe('paused mode', () => {
  it('only a call for help alerts, saying so', () => {
    const r = play(
      [
        ['2026-03-02 09:00', 'kitchen-motion', true],
        ['2026-03-02 09:30', 'mode', { mode: 'paused', until: '2026-03-02 13:00', by: 'tech-ali' }],
        ['2026-03-02 09:45', 'lounge-temp', 12],
        ['2026-03-02 11:30', 'pendant', 'single'],
        ['2026-03-02 11:31', 'ok-button', 'ok'],
        ['2026-03-02 11:50', 'lounge-temp', 21],
      ],
      '2026-03-02 13:30',
    );
    // The heating off for two hours, on again and warm for half an hour before 13:00: not told.
    expect(r.told).toEqual([
      ['2026-03-02 11:30:00', 'help_button', 'raised'],
      ['2026-03-02 11:45:00', 'help_button', 'escalated'],
    ]);
    expect(r.reasons[0]).toBe('The help button (pendant) was pressed at 11:30. (paused mode until 13:00)');
  });

  it('when it ends, a room still cold is told, and a still spell is prompted afresh', () => {
    const acts: Act[] = [
      ['2026-03-02 08:00', 'kitchen-motion', true],
      ['2026-03-02 09:55', 'lounge-temp', 14.5],
      ['2026-03-02 10:00', 'mode', { mode: 'paused', until: '2026-03-02 12:00', by: 'tech-ali' }],
      ['2026-03-02 11:55', 'lounge-temp', 14.2],
    ];
    expect(play(withoutModes(acts), '2026-03-02 12:30').told).toEqual([
      ['2026-03-02 11:00:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 11:10:00', 'inactivity', 'raised'],
      ['2026-03-02 11:40:00', 'inactivity', 'escalated'],
      ['2026-03-02 11:55:00', 'cold_home', 'raised'],
    ]);
    const r = play(acts, '2026-03-02 12:30');
    expect(r.told).toEqual([
      ['2026-03-02 12:00:00', 'cold_home', 'raised'],
      ['2026-03-02 12:00:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 12:10:00', 'inactivity', 'raised'],
    ]);
    expect(r.reasons).toEqual([
      'The lounge has been below 16 °C since 09:55 (2 h); now 14.2 °C. (held back while paused mode was on)',
      'No sign of life since 08:00 (4 h), last seen in the kitchen; prompting the resident to press "I\'m OK".',
      'No movement seen since 08:00 (4 h 10 m), last seen in the kitchen; the prompt was not answered.',
    ]);
    expect(r.messages[0]).toMatchObject({ held_back_since: '2026-03-02T11:55:00+00:00' });
  });

  it('stops a prompt that is sounding when it begins', () => {
    const r = play(
      [
        ['2026-03-02 08:00', 'kitchen-motion', true],
        ['2026-03-02 11:05', 'mode', { mode: 'paused', until: '2026-03-02 13:00' }],
      ],
      '2026-03-02 12:59',
    );
    expect(r.told).toEqual([
      ['2026-03-02 11:00:00', 'inactivity', 'pre-alert'],
      ['2026-03-02 11:05:00', 'inactivity', 'cancelled'],
    ]);
    expect(r.reasons[1]).toBe('The prompt was stopped at 11:05: paused mode until 13:00.');
  });
});

describe('setting and ending a mode', () => {
  it('off ends it early; a new one replaces the one on; each is a span of its own', () => {
    const r = play(
      [
        ['2026-03-02 09:00', 'mode', { mode: 'away', until: '2026-03-09 00:00' }],
        ['2026-03-03 14:00', 'mode', { mode: 'visitor', until: '2026-03-03 20:00', by: 'Ann' }],
        ['2026-03-03 16:00', 'mode', { mode: 'off', by: 'Ann' }],
        ['2026-03-03 17:00', 'mode', { mode: 'off' }],
      ],
      '2026-03-03 18:00',
    );
    expect(r.answers.map((a) => a.detail)).toEqual([
      'away mode until the end of 8 Mar (2026-03-09T00:00:00+00:00)',
      'visitor mode until 20:00 (2026-03-03T20:00:00+00:00)',
      'visitor mode ended',
      'no care mode was on',
    ]);
    expect(r.spans.map((s) => [s.mode, london.iso(s.from), london.iso(s.to), s.on])).toEqual([
      ['away', '2026-03-02T09:00:00+00:00', '2026-03-03T14:00:00+00:00', false],
      ['visitor', '2026-03-03T14:00:00+00:00', '2026-03-03T16:00:00+00:00', false],
    ]);
    expect(r.counters).toMatchObject({ 'modes.set': 1, 'modes.replaced': 1, 'modes.ended': 1 });
  });

  it('refuses an unknown mode, an until not ahead or too far, and no until, saying why, each counted', () => {
    const r = play(
      [
        ['2026-03-02 09:00', 'mode', { mode: 'holiday', until: '2026-03-03 09:00' }],
        ['2026-03-02 09:00', 'mode', { mode: 'visitor', until: '2026-03-02 08:00' }],
        ['2026-03-02 09:00', 'mode', { mode: 'away', until: '2026-06-01 09:00' }],
        ['2026-03-02 09:00', 'mode', { mode: 'paused', until: '2026-03-10 09:00' }],
        ['2026-03-02 09:00', 'mode', { mode: 'paused' }],
        ['2026-03-02 09:00', 'mode', { mode: 'visitor', until: '2026-03-02 18:00', by: ' ' }],
      ],
      '2026-03-02 10:00',
    );
    expect(r.answers.map((a) => [a.ok, a.detail])).toEqual([
      [false, 'unknown mode "holiday"; one of: away, visitor, paused, off'],
      [false, "until 2026-03-02T08:00:00+00:00 is not ahead of the home's clock (2026-03-02T09:00:00+00:00)"],
      [
        false,
        'until 2026-06-01T09:00:00+01:00 is too far: away mode may be set for 90 days at most (until 2026-05-31T10:00:00+01:00); set it again later',
      ],
      [
        false,
        'until 2026-03-10T09:00:00+00:00 is too far: paused mode may be set for 7 days at most (until 2026-03-09T09:00:00+00:00); set it again later',
      ],
      [false, 'paused mode needs an until: it always ends by itself'],
      [false, 'by: who sets the mode, 1 to 128 characters without control characters'],
    ]);
    expect(r.counters['modes.refused']).toBe(6);
    expect(r.spans).toEqual([]);
  });

  it('survives a power cut; one whose until passed while the power was off ends at its until', () => {
    const first = modeHome(config, '2026-03-02 07:00');
    first.play(
      [
        ['2026-03-02 09:30', 'kitchen-motion', true],
        ['2026-03-02 10:00', 'mode', { mode: 'visitor', until: '2026-03-02 18:00' }],
      ],
      '2026-03-02 11:00',
    );
    // The mode was committed and synced when it was set (with the reading before it).
    const disk = first.cut();
    // Back at 12:00, before its until: still on.
    const second = modeHome(config, '2026-03-02 12:00', disk);
    expect(second.engine.mode()).toMatchObject({ mode: 'visitor', until: local('2026-03-02 18:00') });
    second.play([['2026-03-02 12:10', 'fall-radar', true]], '2026-03-02 12:15');
    expect(told(second.seen)).toEqual([['2026-03-02 12:10:00', 'fall', 'raised']]);
    expect(second.seen[0]?.message.reason).toBe(
      'A fall was detected by fall-radar at 12:10. (visitor mode until 18:00)',
    );
    const again = second.cut();
    // Back at 19:30, after it: ended at 18:00, not at the restart.
    const third = modeHome(config, '2026-03-02 19:30', again);
    expect(third.engine.mode()).toBeNull();
    expect(modeSpans(third.store, 0, local('2026-03-03 00:00'))).toMatchObject([
      { mode: 'visitor', to: local('2026-03-02 18:00'), on: false },
    ]);
    expect(third.counters.snapshot()).toMatchObject({ 'modes.expired': 1 });
    third.close();
  });
});

describe('a stored mode that cannot be used', () => {
  it('starts afresh with no mode on, and the care team is told which and why', () => {
    const first = modeHome(config, '2026-03-02 07:00');
    first.play([['2026-03-02 08:00', 'mode', { mode: 'visitor', until: '2026-03-02 18:00' }]]);
    first.store.ruleStates.put('_mode', { current: 'visitor' }, null, local('2026-03-02 08:00'), 1);
    const disk = first.cut();
    const second = modeHome(config, '2026-03-02 09:00', disk);
    expect(second.engine.mode()).toBeNull();
    expect(told(second.seen)).toEqual([['2026-03-02 09:00:00', 'rules', 'raised']]);
    expect(second.seen[0]?.message.reason).toMatch(
      /^The care mode \(away, visitor or paused, and the alerts it held back\) started afresh at this start of the gateway: its stored state could not be used \(it does not fit version 1 \(current: /,
    );
    second.close();
  });
});

describe("a day's summary", () => {
  it('lists the modes of the day, calls nothing unusual, and the next days leave it out of their baselines', () => {
    const kit = { bed: true };
    const home = homeWith(kit);
    const dates = Array.from({ length: 11 }, (_, i) => addDays('2026-03-02', i));
    // Every night 23:00 to 07:00, but the ninth: a visitor keeps her up until 02:00.
    const plans = dates.map((date, i) => ({
      date,
      night: {
        bedtime: localAt(london, date, i === 8 ? '02:00' : '23:00', i === 8 ? 0 : -1),
        wake: localAt(london, date, '07:00'),
        trips: [],
      },
    }));
    const events = toEvents(
      home,
      plans.flatMap((p, i) => dayReadings(london, kit, p, i + 7)),
    );
    const visitor = {
      mode: 'visitor' as const,
      from: localAt(london, dates[8] as string, '20:00', -1),
      to: localAt(london, dates[8] as string, '12:00'),
      by: 'Ann',
    };
    const days: DaySummary[] = [];
    for (const [i, date] of dates.entries()) {
      const modes = i === 8 ? [visitor] : [];
      const inputs = {
        date,
        config: home,
        zone: london,
        events: eventsFor(events, london, date),
        history: days,
      };
      days.push(summarizeDay({ ...inputs, alerts: [], modes }));
      // The same day as if no mode had been on: its late bedtime is called unusual.
      if (i === 8)
        expect(summarizeDay({ ...inputs, alerts: [] }).notable.map((n) => n.figure)).toContain('bedtime');
    }
    const day = days[8] as DaySummary;
    expect(day.notable).toEqual([]);
    expect(day.modes).toEqual([
      { mode: 'visitor', from: '2026-03-09T20:00:00+00:00', to: '2026-03-10T12:00:00+00:00', by: 'Ann' },
    ]);
    const message = summaryPayload(day, home);
    expect(summaryMessage.parse(message).modes).toEqual(day.modes);
    expect(days[7]?.modes).toBeUndefined();
    // The next days: eight usual days before them, the visitor's day left out.
    expect(days[9]?.baselines.find((b) => b.figure === 'bedtime')).toMatchObject({
      median: '23:00',
      days: 8,
    });
    expect(days[10]?.baselines.find((b) => b.figure === 'bedtime')).toMatchObject({ days: 9 });
  });
});
