// `hearth evaluate`: how a home's rules judge a recorded home. Two numbers decide it: how often
// they cry wolf (alerts per resident-month on days with no emergency: every alert is false) and
// how long a person would lie on the floor before anyone knows (simulated collapses: every reading
// after a seeded instant removed, the time to the first alert a carer must act on).

import { TEST_CALL_RULE } from '../../cloud-relay/protocol/messages.ts';
import type { Config } from '../../config/schema.ts';
import { type Zone, zoneNamed } from '../../core/zone.ts';
import type { OutMessage } from '../engine/messages.ts';
import type { ReplayInput } from '../engine/replay.ts';
import { BASELINE_NAME, baselineAlarms, baselineDetectedAfterMin } from './baseline.ts';
import { collapseInstants, type Detection, detection, type Sample } from './collapses.ts';
import type { Label } from './home.ts';
import { isOut, outIntervals } from './labels.ts';
import { actionable, replayHome } from './replay-home.ts';
import { type SleepErrors, sleepErrors } from './sleep-errors.ts';

const DAY = 86_400_000;
/** The "I'm OK" button the simulated resident answers prompts with. */
const OK_BUTTON = 'evaluation-ok-button';

/** The home's file with the button she answers prompts on. */
function withOkButton(config: Config): Config {
  if (config.devices.some((d) => d.id === OK_BUTTON)) return config;
  const button = {
    id: OK_BUTTON,
    source: 'zigbee2mqtt',
    topic: 'evaluation/ok',
    kind: 'button',
  } as Config['devices'][number];
  return { ...config, devices: [...config.devices, button] };
}

type Answering = ReplayInput['answerPrompts'];
/** A resident-month, as the figures are quoted: 30 days. */
export const MONTH_DAYS = 30;
/** n alerts over `days` days, as a figure per resident-month. */
const perMonth = (n: number, days: number) => (days > 0 ? (n / days) * MONTH_DAYS : 0);

export type EvaluateOptions = {
  config: Config;
  lines: readonly string[];
  labels?: readonly Label[] | null;
  /** The care team acknowledges each alert this long after it arrives. */
  ackAfterMs: number;
  /**
   * The resident answers each prompt this long after it sounds ("I'm OK"), as a resident who is fine
   * would, unless the labels say she is out (or, in a simulated collapse, after the instant); null:
   * she never answers (every prompt becomes an alert).
   */
  answerAfterMs: number | null;
  /** Days at the start whose alerts are reported apart (learning has too little history). */
  warmupDays: number;
  /** Simulated collapses by day (07:00–22:00) and as many by night. */
  collapses: number;
  seed: number;
};

export type AlertFigures = {
  days: number;
  /** Alerts a carer must act on (warning, urgent), raised to the trust. */
  raised: number;
  perMonth: number;
  byRule: Record<string, number>;
  /** About devices (info): a silent sensor, a low battery. */
  notices: number;
  /** "Are you OK?" prompts in the home (answered or not). */
  prompts: number;
  promptsPerMonth: number;
  /** Each alert raised, with the sentence a carer read: what a reviewer checks a figure by. */
  list: { at: string; rule: string; reason: string }[];
};

export type Collapses = { day: Detection; night: Detection; all: Detection; samples: Sample[] };

/** The published-style detector of baseline.ts on the same input, warm-up and collapse instants. */
export type BaselineFigures = {
  name: string;
  /** After the warm-up: every alarm is false, as Hearth's alerts. */
  days: number;
  raised: number;
  perMonth: number;
  list: string[];
  collapses: Collapses;
};

export type Evaluation = {
  from: number;
  to: number;
  warmup: AlertFigures;
  after: AlertFigures;
  collapses: Collapses;
  sleep: SleepErrors | null;
  baseline: BaselineFigures;
};

const timeOf = (line: string): number => {
  const m = /"at":\s*"([^"]+)"/.exec(line);
  return m ? Date.parse(m[1] as string) : Number.NaN;
};

function figures(messages: readonly OutMessage[], from: number, to: number): AlertFigures {
  // The daily test call is no alert and no notice: never a false alarm, whatever its severity.
  const within = messages.filter((m) => m.at >= from && m.at < to && m.payload.rule !== TEST_CALL_RULE);
  const raised = within.filter(actionable);
  const byRule: Record<string, number> = {};
  for (const m of raised) byRule[m.payload.rule] = (byRule[m.payload.rule] ?? 0) + 1;
  const days = Math.max(0, (to - from) / DAY);
  const prompts = within.filter((m) => m.payload.state === 'pre-alert').length;
  return {
    days,
    raised: raised.length,
    perMonth: perMonth(raised.length, days),
    byRule,
    notices: within.filter((m) => !m.local && m.payload.state === 'raised' && m.payload.severity === 'info')
      .length,
    prompts,
    promptsPerMonth: perMonth(prompts, days),
    list: raised.map((m) => ({ at: m.payload.at, rule: m.payload.rule, reason: m.payload.reason })),
  };
}

export function evaluate(o: EvaluateOptions): Evaluation {
  const times = o.lines.map(timeOf).filter((t) => Number.isFinite(t));
  if (times.length === 0) throw new Error('no events to replay');
  const from = Math.min(...times);
  const to = Math.max(...times);
  const warmEnd = Math.min(to, from + o.warmupDays * DAY);
  const zone = zoneNamed(o.config.gateway.timezone);
  const out = o.labels ? outIntervals(o.labels) : [];
  const config = withOkButton(o.config);
  const answering = (until: number): Answering =>
    o.answerAfterMs === null
      ? undefined
      : { afterMs: o.answerAfterMs, device: OK_BUTTON, answers: (t: number) => t < until && !isOut(t, out) };
  const whole = replayHome({
    config,
    lines: o.lines,
    ackAfterMs: o.ackAfterMs,
    summaries: true,
    answerPrompts: answering(Number.POSITIVE_INFINITY),
  });
  const instants = collapseInstants({
    from: warmEnd,
    to,
    perPeriod: o.collapses,
    seed: o.seed,
    zone,
    excluded: (t) => isOut(t, out),
  });
  const samples = instants.map((c) => collapse({ ...o, config }, c.at, c.period, answering(c.at)));
  return {
    from,
    to,
    warmup: figures(whole.messages, from, warmEnd),
    after: figures(whole.messages, warmEnd, to),
    collapses: byPeriod(samples),
    sleep: o.labels ? sleepErrors(whole.summaries, o.labels, zone) : null,
    baseline: baseline(
      [...times].sort((a, b) => a - b),
      { from: warmEnd, to, zone, instants },
    ),
  };
}

const byPeriod = (samples: Sample[]): Collapses => ({
  day: detection(samples.filter((s) => s.period === 'day')),
  night: detection(samples.filter((s) => s.period === 'night')),
  all: detection(samples),
  samples,
});

function baseline(
  times: readonly number[],
  o: { from: number; to: number; zone: Zone; instants: { at: number; period: 'day' | 'night' }[] },
): BaselineFigures {
  const raised = baselineAlarms({ times, zone: o.zone, quietUntil: o.from, until: o.to }).filter(
    (t) => t >= o.from && t < o.to,
  );
  const days = Math.max(0, (o.to - o.from) / DAY);
  const samples = o.instants.map(({ at, period }): Sample => {
    const min = baselineDetectedAfterMin({ times, zone: o.zone, quietUntil: o.from, at, dayMs: DAY });
    return { at, period, detectedAfterMin: min, rule: min === null ? null : 'baseline' };
  });
  return {
    name: BASELINE_NAME,
    days,
    raised: raised.length,
    perMonth: perMonth(raised.length, days),
    list: raised.map((t) => new Date(t).toISOString()),
    collapses: byPeriod(samples),
  };
}

/** Every reading after `at` removed; the first alert a carer must act on, within a day. */
function collapse(o: EvaluateOptions, at: number, period: 'day' | 'night', answerPrompts: Answering): Sample {
  const cut = o.lines.filter((l) => timeOf(l) <= at);
  const r = replayHome({
    config: o.config,
    lines: cut,
    until: at + DAY,
    ackAfterMs: o.ackAfterMs,
    answerPrompts,
  });
  const first = r.messages.find((m) => m.at > at && actionable(m));
  return {
    at,
    period,
    detectedAfterMin: first ? (first.at - at) / 60_000 : null,
    rule: first?.payload.rule ?? null,
  };
}
