// The daily summary as the gateway computes it (camelCase), and the knobs it is computed with.
// On the wire it is the snake_case `summary` message of cloud-relay/protocol/messages.ts.
import type { AlertState } from '../../cloud-relay/protocol/messages.ts';

/** A span of time as local ISO 8601 instants with their offset. */
export type Interval = { from: string; to: string };

export type SleepSource = 'bed' | 'radar' | 'motion' | 'none';
export type Confidence = 'high' | 'medium' | 'low';

/** The night that ends on the summary's day. */
export type SleepSummary = {
  /** The source used: a bed sensor, a bedroom radar, motion alone; none: no data, or away overnight. */
  source: SleepSource;
  confidence: Confidence | null;
  slept: boolean;
  /** One sentence a carer understands: where the figures come from, or why there are none. */
  note: string;
  /** Start and end of the main sleep period. */
  bedtime: string | null;
  wake: string | null;
  /** Minutes in bed within the main period (out-of-bed episodes left out); 0 when no sleep was found. */
  timeInBedMin: number | null;
  midSleep: string | null;
  outOfBed: { count: number; totalMin: number; longestMin: number } | null;
  bathroomVisits: number | null;
  restlessness: { bedChanges: number | null; movementMin: number | null };
  heartRate: { min: number; mean: number; readings: number } | null;
  /** In bed (or asleep) from noon to noon: what sleep regularity is computed from. */
  inBed: Interval[];
};

export type ActivitySummary = {
  /** Signs of life per local clock hour 0..23 (the hour repeated in autumn counts twice in its slot). */
  perHour: number[];
  perRoom: { room: string; count: number }[];
  signsOfLife: number;
  /** Distinct minutes with at least one sign of life. */
  activeMin: number;
  /** First sign of life outside the bedroom after the night, and the day's last sign of life. */
  first: string | null;
  last: string | null;
  /** null without a front-door sensor. */
  outOfHomeMin: number | null;
  /** Spells out of home that touch the day, with their true start (an absence of days says since when). */
  away: Interval[];
  kitchen: {
    /** Openings of a kitchen contact sensor whose id names the fridge; null without one. */
    fridgeOpened: number | null;
    meals: { meal: string; activeMin: number }[];
    /** Meal windows with any kitchen activity. */
    mealsWithActivity: number;
  };
  temperature: { room: string; min: number; mean: number; max: number }[];
  steps: number | null;
  devices: {
    silent: { device: string; room: string | null; lastSeen: string | null }[];
    lowBattery: { device: string; room: string | null; battery: number }[];
  };
  alerts: { rule: string; state: AlertState; count: number }[];
};

export type MentalHealthSummary = {
  /** Sleep Regularity Index (-100..100) over the last 7 and 14 days; null with too few days. */
  sri7: number | null;
  sri14: number | null;
  midSleep: string | null;
  /** Least-squares slope of mid-sleep over the last 7 nights, minutes per day (+ = later). */
  midSleepDriftMinPerDay: number | null;
  /** Minutes in the night window with a sign of life outside the bedroom. */
  nightActivityMin: number;
  /** Consecutive days, this one included, without leaving home; null without a front-door sensor. */
  daysWithoutLeaving: number | null;
  /** The resident's own word: each check-in of the day (role check-in), in time order. */
  checkIns: { at: string; answer: 'good' | 'so-so' | 'not good' }[];
};

/** A figure beside the median of the previous 14 days; clock figures as "HH:MM". */
export type Baseline = {
  figure: string;
  value: number | string | null;
  median: number | string;
  days: number;
};
export type Notable = { figure: string; value: number | string | null; usual: number | string; text: string };

/** A care mode on during the day (README: Care modes), with its true start and end. */
export type ModeOnDay = { mode: 'away' | 'visitor' | 'paused'; from: string; to: string; by: string };

export type DaySummary = {
  /** The local day, YYYY-MM-DD. */
  date: string;
  /** When the summary was made (local ISO). */
  at: string;
  sleep: SleepSummary;
  activity: ActivitySummary;
  mentalHealth: MentalHealthSummary;
  baselines: Baseline[];
  notable: Notable[];
  /** Absent when no care mode was on: a day in one is left out of the baselines. */
  modes?: ModeOnDay[];
};

export type DailyWindow = { from: string; to: string };

export type SummaryOptions = {
  /** The main sleep period must overlap this window (the night ending on the day). */
  sleepSearch: DailyWindow;
  /** Shortest main sleep period; less is "no sleep found". */
  minSleepMs: number;
  /** Out of bed for less than this is turning over, not getting up. */
  minOutOfBedMs: number;
  /** Out of bed for longer than this ends a sleep period. */
  maxOutOfBedMs: number;
  /** Motion alone: a burst of activity outside the bedroom at most this long, between quiet spells, is a night-time visit. */
  excursionMaxMs: number;
  /** Motion alone: the quiet spell on the far side of such a visit must last this long. */
  excursionQuietMs: number;
  /** Signs of life closer than this belong to one visit (bathroom visits, excursions). */
  visitGapMs: number;
  /** In-bed spells outside the main period shorter than this are not sleep (sitting on the bed). */
  minNapMs: number;
  meals: { meal: string; from: string; to: string }[];
  /** Night-time activity is counted in this window when rules.night_out_of_bed names none. */
  night: DailyWindow;
  /** A device with no reading for this long is silent, when rules.device_silent names no limit. */
  silentAfterMs: number;
  /** Low battery limit when rules.low_battery is off. */
  lowBattery: number;
};

const MINUTE = 60_000;

export const DEFAULT_OPTIONS: SummaryOptions = {
  sleepSearch: { from: '18:00', to: '12:00' },
  minSleepMs: 60 * MINUTE,
  minOutOfBedMs: 2 * MINUTE,
  maxOutOfBedMs: 90 * MINUTE,
  excursionMaxMs: 20 * MINUTE,
  excursionQuietMs: 30 * MINUTE,
  visitGapMs: 5 * MINUTE,
  minNapMs: 10 * MINUTE,
  meals: [
    { meal: 'breakfast', from: '06:00', to: '10:00' },
    { meal: 'lunch', from: '11:30', to: '14:30' },
    { meal: 'dinner', from: '17:00', to: '20:30' },
  ],
  night: { from: '22:00', to: '07:00' },
  silentAfterMs: 24 * 60 * MINUTE,
  lowBattery: 15,
};
