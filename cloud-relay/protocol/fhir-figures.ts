// Which figures of a summary message become which Observations: code, value and span, one row each.
import type { SummaryMessage } from './messages.ts';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
/** Hearth's code system for figures LOINC has no code for. */
export const HEARTH_CODES = 'urn:hearth:fhir:summary';

export type Coding = { system: string; code: string; display?: string };
export type CodeableConcept = { coding?: Coding[]; text?: string };
export type Quantity = { value: number; unit: string; system: string; code: string };
export type Value =
  | { valueQuantity: Quantity }
  | { valueInteger: number }
  | { valueDateTime: string }
  | { valueString: string }
  | { valueSampledData: { origin: Quantity; period: number; dimensions: number; data: string } };
export type Component = { code: CodeableConcept } & Value;

/** One Observation to make: `night` figures span the sleep period, the rest are dated with the day. */
export type Draft = {
  key: string;
  code: CodeableConcept;
  value: Value;
  of: 'night' | 'day';
  category?: 'activity' | 'vital-signs';
  component?: Component[];
  /** The baseline figure whose median is the usual range. */
  figure?: string;
  /** Name the sleep source and its confidence. */
  sourced?: boolean;
};

const loinc = (code: string, display: string): Coding => ({ system: LOINC, code, display });
const hearth = (code: string, display: string): Coding => ({ system: HEARTH_CODES, code, display });
const concept = (text: string, coding: Coding): CodeableConcept => ({ coding: [coding], text });
const qty = (value: number, unit: string, code = unit): { valueQuantity: Quantity } => ({
  valueQuantity: { value, unit, system: UCUM, code },
});
const mins = (value: number) => qty(value, 'min');
const bpm = (value: number) => qty(value, 'beats/minute', '/min');
const celsius = (value: number) => qty(value, 'degrees C', 'Cel');
const part = (text: string, code: string, value: Value): Component => ({
  code: concept(text, hearth(code, text)),
  ...value,
});

/** A figure with Hearth's code: the code's display is the text. */
function own(key: string, text: string, value: Value | null, rest: Partial<Draft> = {}): Draft | null {
  return value && { key, code: concept(text, hearth(key, text)), value, of: 'day', ...rest };
}

const int = (n: number | null) => (n === null ? null : { valueInteger: n });
const minOrNull = (n: number | null) => (n === null ? null : mins(n));
const minutesBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 60_000);
const when = (iso: string | null) => (iso === null ? null : { valueDateTime: iso });

function sleepDrafts(m: SummaryMessage): (Draft | null)[] {
  const s = m.sleep;
  const night = { of: 'night' as const, category: 'activity' as const };
  const hr = s.heart_rate;
  const period = s.slept && s.bedtime && s.wake ? minutesBetween(s.bedtime, s.wake) : null;
  return [
    // The sleep found (bedtime to wake): the span its Observation is dated with.
    period === null
      ? null
      : {
          key: 'sleep-duration',
          code: concept(
            'Sleep duration (the main sleep period, bedtime to wake)',
            loinc('93832-4', 'Sleep duration'),
          ),
          value: mins(period),
          ...night,
          sourced: true,
        },
    // LOINC has no code for time in bed that Hearth could verify, so it is Hearth's own.
    own(
      'time-in-bed',
      'Time in bed in the main sleep period (out-of-bed episodes left out)',
      minOrNull(s.time_in_bed_min),
      { ...night, figure: 'time_in_bed_min', sourced: true },
    ),
    own('bedtime', 'Bedtime (start of the main sleep period)', when(s.bedtime), {
      ...night,
      figure: 'bedtime',
      sourced: true,
    }),
    own('wake', 'Wake (end of the main sleep period)', when(s.wake), {
      ...night,
      figure: 'wake',
      sourced: true,
    }),
    own('out-of-bed-episodes', 'Out-of-bed episodes in the night', int(s.out_of_bed?.count ?? null), {
      ...night,
      figure: 'out_of_bed_count',
      component: s.out_of_bed
        ? [
            part('Time out of bed in the night', 'out-of-bed-total', mins(s.out_of_bed.total_min)),
            part('Longest time out of bed', 'out-of-bed-longest', mins(s.out_of_bed.longest_min)),
          ]
        : [],
    }),
    own('night-bathroom-visits', 'Bathroom visits in the night', int(s.bathroom_visits), {
      ...night,
      figure: 'bathroom_visits',
    }),
    own('bed-changes', 'Bed occupancy changes in the night', int(s.restlessness.bed_changes), night),
    own(
      'night-movement',
      'Minutes with movement in the bedroom in the night',
      minOrNull(s.restlessness.movement_min),
      night,
    ),
    hr && {
      key: 'heart-rate',
      code: concept('Heart rate during the night, mean', loinc('8867-4', 'Heart rate')),
      value: bpm(hr.mean),
      of: 'night',
      category: 'vital-signs',
      figure: 'heart_rate_night_mean',
      component: [part('Lowest heart rate in the night', 'heart-rate-night-min', bpm(hr.min))],
    },
  ];
}

function dayDrafts(m: SummaryMessage): (Draft | null)[] {
  const a = m.activity;
  const day = { category: 'activity' as const };
  const perHour: Value = {
    valueSampledData: {
      origin: { value: 0, unit: 'signs of life', system: UCUM, code: '1' },
      period: 3_600_000,
      dimensions: 1,
      data: a.per_hour.join(' '),
    },
  };
  return [
    a.steps === null
      ? null
      : {
          key: 'steps',
          code: concept('Steps in the day', loinc('41950-7', 'Number of steps in 24 hour Measured')),
          value: qty(a.steps, 'steps', '{steps}'),
          of: 'day',
          ...day,
          figure: 'steps',
        },
    own('signs-of-life-per-hour', 'Signs of life per hour of the day', perHour, day),
    own('active-minutes', 'Minutes with activity in the day', mins(a.active_min), {
      ...day,
      figure: 'active_min',
    }),
    own('time-out-of-home', 'Time out of home', minOrNull(a.out_of_home_min), {
      ...day,
      figure: 'out_of_home_min',
    }),
    own(
      'meals-with-kitchen-activity',
      'Meal times with kitchen activity',
      int(a.kitchen.meals_with_activity),
      {
        ...day,
        figure: 'meals_with_kitchen_activity',
      },
    ),
    own('fridge-opened', 'Fridge openings', int(a.kitchen.fridge_opened), {
      ...day,
      figure: 'fridge_opened',
    }),
    ...a.temperature.map((t) => ({
      key: `temperature-${t.room}`,
      code: concept(`Room temperature (${t.room}), mean`, loinc('60832-3', 'Room temperature')),
      value: celsius(t.mean),
      of: 'day' as const,
      component: [
        { code: concept('Room', hearth('room', 'Room')), valueString: t.room },
        part('Lowest room temperature', 'room-temperature-min', celsius(t.min)),
        part('Highest room temperature', 'room-temperature-max', celsius(t.max)),
      ],
    })),
  ];
}

function mentalHealthDrafts(m: SummaryMessage): (Draft | null)[] {
  const h = m.mental_health;
  const index = (n: number | null) => (n === null ? null : qty(n, 'index', '1'));
  return [
    own('sri-7', 'Sleep Regularity Index over 7 days', index(h.sri_7)),
    own('sri-14', 'Sleep Regularity Index over 14 days', index(h.sri_14)),
    own('mid-sleep', 'Mid-sleep time', when(h.mid_sleep), { of: 'night' }),
    own(
      'mid-sleep-drift',
      'Mid-sleep drift over 7 nights (minutes per day, later is positive)',
      h.mid_sleep_drift_min_per_day === null ? null : qty(h.mid_sleep_drift_min_per_day, 'min/d'),
    ),
    own(
      'night-activity-minutes',
      'Minutes with activity outside the bedroom at night',
      mins(h.night_activity_min),
      {
        figure: 'night_activity_min',
      },
    ),
    own(
      'days-without-leaving-home',
      'Consecutive days without leaving home',
      h.days_without_leaving === null ? null : qty(h.days_without_leaving, 'days', 'd'),
    ),
    ...m.notable.map((n, i) => ({
      ...(own('notable', 'Outside the usual range', { valueString: n.text }) as Draft),
      key: `notable-${i}`,
    })),
  ];
}

/** Every Observation a summary message makes, in a stable order. */
export const drafts = (m: SummaryMessage): Draft[] =>
  [...sleepDrafts(m), ...dayDrafts(m), ...mentalHealthDrafts(m)].filter((d): d is Draft => d !== null);
