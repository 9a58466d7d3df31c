// Version 1 of the messages between a home and the trust (DESIGN.md section 5). Every payload
// passes one function per type, so keys come out snake_case, validated and in a stable order.
import { z } from 'zod';
import { MESSAGE_TYPES, PROTOCOL_VERSION } from './envelope.ts';

export { type Envelope, envelope, MESSAGE_TYPES, type MessageType, PROTOCOL_VERSION } from './envelope.ts';
export {
  type HomeTopicKind,
  type LocalTopicKind,
  type ParsedTopic,
  parseTopic,
  type TopicKind,
  topics,
} from './topics.ts';

export const ALERT_STATES = [
  'pre-alert',
  'raised',
  'escalated',
  'acknowledged',
  'resolved',
  'cancelled',
] as const;
export const alertState = z.enum(ALERT_STATES);
export type AlertState = z.infer<typeof alertState>;

/** States that stay in the home: the resident's prompt, and its cancellation. */
export const LOCAL_ONLY_STATES: ReadonlySet<AlertState> = new Set(['pre-alert', 'cancelled']);

export const severity = z.enum(['info', 'warning', 'urgent']);

/**
 * The rule of the daily test call: an `info` alert the home sends at schedules.test_call, which
 * the trust acknowledges (the hub by itself, or an operator) to prove the whole chain works. It is
 * nobody's emergency: never pushed to carers, never a false alarm.
 */
export const TEST_CALL_RULE = 'test';
export type Severity = z.infer<typeof severity>;

// Every string a home sends is bounded and free of control characters: it is stored by the
// trust's database (PostgreSQL refuses NUL) and shown on every queue page and phone.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;
export const text = (max: number) =>
  z
    .string()
    .max(max, { error: `at most ${max} characters` })
    .refine((s) => !CONTROL.test(s), { error: 'a control character (such as NUL) is not allowed here' });
const name = (max = 128) => text(max).min(1);

const ISO_RE = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,9})?([+-](\d\d):(\d\d)|Z)$/;

/** A date and time that exists: 2026-02-31T25:61:61 has the shape of one and is not. */
export function realIso(s: string): boolean {
  const m = ISO_RE.exec(s);
  if (!m) return false;
  const [, y, mo, d, h, mi, sec, , , oh, om] = m.map(Number);
  const days = new Date(Date.UTC(y as number, mo as number, 0)).getUTCDate();
  return (
    (mo as number) >= 1 &&
    (mo as number) <= 12 &&
    (d as number) >= 1 &&
    (d as number) <= days &&
    (h as number) <= 23 &&
    (mi as number) <= 59 &&
    (sec as number) <= 59 &&
    (m[8] === 'Z' || ((oh as number) <= 14 && (om as number) <= 59)) &&
    Number.isFinite(Date.parse(s))
  );
}

/** A time as a home writes it: ISO 8601 with its offset, and one that exists. */
export const isoLocal = z
  .string()
  .max(40)
  .regex(ISO_RE, { error: 'expected an ISO 8601 time with its offset, 2026-03-02T07:31:00+00:00' })
  .refine(realIso, { error: 'not a real date and time' });
const fact = z.union([text(256), z.number(), z.boolean(), z.null()]);
/** Facts beside an alert's sentence: a few, not a second payload. */
const MAX_FACTS = 40;

/** What `envelope()` makes, checked: every message's schema begins with it. */
export const envelopeSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: name().describe('Unique, and the same on every retry: the trust drops repeats by it.'),
  type: z.enum(MESSAGE_TYPES),
  gateway: name(64),
  resident: name(64),
  at: isoLocal,
});

const ALERT_KEY_ORDER = [
  'v',
  'id',
  'type',
  'gateway',
  'resident',
  'at',
  'alert_id',
  'rule',
  'state',
  'severity',
  'device',
  'room',
  'reason',
];

export const alertMessage = envelopeSchema
  .extend({
    type: z.literal('alert'),
    alert_id: name(),
    rule: name(64),
    state: alertState,
    severity,
    device: name().optional(),
    room: name(64).optional(),
    reason: text(1000).min(1),
  })
  .catchall(fact)
  .refine((m) => Object.keys(m).length <= ALERT_KEY_ORDER.length + MAX_FACTS, {
    error: `at most ${MAX_FACTS} facts beside the sentence`,
  });
export type AlertMessage = z.infer<typeof alertMessage>;

/** The one way an alert payload is made: validated, known keys first, facts after in name order. */
export function alertPayload(m: AlertMessage): AlertMessage {
  const valid = alertMessage.parse(m);
  const rest = Object.keys(valid)
    .filter((k) => !ALERT_KEY_ORDER.includes(k))
    .sort();
  const ordered: Record<string, unknown> = {};
  for (const k of [...ALERT_KEY_ORDER, ...rest]) if (valid[k] !== undefined) ordered[k] = valid[k];
  return ordered as AlertMessage;
}

export const statusMessage = envelopeSchema.extend({
  type: z.literal('status'),
  state: z.enum(['online', 'offline']),
  versions: z.object({ hearth: name(64), protocol: z.literal(PROTOCOL_VERSION) }),
  queue_depth: z.number().int().nonnegative().optional(),
  oldest_undelivered_alert_s: z.number().nonnegative().nullable().optional(),
  /** Messages the trust broker took that await the hub's receipt (relay.receipts), and the oldest's age. */
  awaiting_receipt: z.number().int().nonnegative().optional(),
  oldest_awaiting_receipt_s: z.number().nonnegative().nullable().optional(),
  dropped: z
    .record(name(64), z.number())
    .refine((r) => Object.keys(r).length <= 16, { error: 'at most 16 kinds of message' })
    .optional(),
  /** Why the home's storage is failing (a full or failing disk), while it is; alerts still flow. */
  storage_fault: text(256).nullable().optional(),
});
export type StatusMessage = z.infer<typeof statusMessage>;

export const heartbeatMessage = envelopeSchema.extend({
  type: z.literal('heartbeat'),
  queue_depth: z.number().int().nonnegative(),
  uptime_s: z.number().nonnegative(),
});
export type HeartbeatMessage = z.infer<typeof heartbeatMessage>;

export const cmdResultMessage = envelopeSchema.extend({
  type: z.literal('cmd_result'),
  command_id: name(),
  command: name(64),
  ok: z.boolean(),
  detail: text(1000),
});
export type CmdResultMessage = z.infer<typeof cmdResultMessage>;

/**
 * Care modes (README: Care modes): for a while the home's usual rules do not all apply. away: she
 * is not home; visitor: someone else is in the home with her; paused: a technician is working.
 */
export const CARE_MODES = ['away', 'visitor', 'paused'] as const;
export type CareModeName = (typeof CARE_MODES)[number];
const DAY_MS = 86_400_000;
/** How far ahead a mode may be set to end: a longer stay is set again, by someone who knows. */
export const CARE_MODE_MAX_MS: Readonly<Record<CareModeName, number>> = {
  away: 90 * DAY_MS,
  visitor: 90 * DAY_MS,
  // Nothing but a call for help alerts while paused: a week at most, then someone decides again.
  paused: 7 * DAY_MS,
};

/**
 * Why a care mode's end is refused, or null: it is needed, ahead of `now` and within the mode's
 * maximum. Both ends ask it, in the same words: the hub before it sends ("the trust's clock"), the
 * home on its own clock when the command arrives. Pure.
 */
export function careModeUntilProblem(
  mode: CareModeName,
  until: number | undefined,
  now: number,
  o: { iso: (t: number) => string; clock: string },
): string | null {
  if (until === undefined || !Number.isFinite(until))
    return `${mode} mode needs an until: it always ends by itself`;
  if (until <= now) return `until ${o.iso(until)} is not ahead of ${o.clock} (${o.iso(now)})`;
  const max = CARE_MODE_MAX_MS[mode];
  if (until > now + max)
    return `until ${o.iso(until)} is too far: ${mode} mode may be set for ${max / DAY_MS} days at most (until ${o.iso(now + max)}); set it again later`;
  return null;
}

/** Commands the trust may send (hearth/v1/{gw}/cmd/{name}). */
const commandBase = z.strictObject({ v: z.literal(PROTOCOL_VERSION), id: z.string().min(1).max(128) });
export const commands = {
  ack: commandBase.extend({ alert_id: z.string().min(1).max(256), by: z.string().min(1).max(128) }),
  /**
   * The call is over at the trust: who closed it and the outcome's words ("Responder sent"). The
   * home keeps them on the alert (acknowledging it first if nobody had) and tells the hub so; the
   * rule still ends the alert itself, when what raised it is over. A home older than this command
   * refuses it by name, as any unknown command.
   */
  close: commandBase.extend({
    alert_id: z.string().min(1).max(256),
    by: z.string().min(1).max(128),
    outcome: z.string().min(1).max(128),
  }),
  'request-summary': commandBase.extend({ date: z.iso.date() }),
  ping: commandBase,
  /** A care mode on until `until` (the home checks it is ahead, and not too far), or `off`. */
  mode: commandBase.extend({
    mode: z.enum([...CARE_MODES, 'off']),
    until: isoLocal.optional(),
    by: z.string().min(1).max(128),
  }),
} as const;
export type CommandName = keyof typeof commands;
export type Command = { [K in CommandName]: { name: K } & z.infer<(typeof commands)[K]> }[CommandName];

/** Ids in one receipt at most: a burst of stored messages goes as a few receipts, each a few KB. */
export const MAX_RECEIPT_IDS = 200;
/**
 * The hub's receipt (hearth/v1/{gw}/receipt): the ids of the home's alerts, summaries and nights
 * it has stored (or had stored already: a message sent again is receipted again). Signed like a
 * command; the home deletes each message it names and re-sends what none has named in time.
 */
export const receiptMessage = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  ids: z.array(z.string().min(1).max(128)).min(1).max(MAX_RECEIPT_IDS),
});
export type ReceiptMessage = z.infer<typeof receiptMessage>;

// The daily summary (DESIGN section 5): the night that ends on `date` and the day itself, with the
// resident's own baselines. Figures only: no raw event leaves the home. Times are local ISO.
const nullableIso = isoLocal.nullable();
const interval = z.strictObject({ from: isoLocal, to: isoLocal });
const minutes = z.number().int().nonnegative();
const count = z.number().int().nonnegative();
const figureValue = z.union([z.number(), text(64)]);
/** Lists in a day's summary: a day has at most so many rooms, devices, episodes. */
const list = <T extends z.ZodType>(item: T, max: number) =>
  z.array(item).max(max, { error: `at most ${max} entries` });

export const SLEEP_SOURCES = ['bed', 'radar', 'motion', 'none'] as const;

const sleepSummary = z.strictObject({
  source: z
    .enum(SLEEP_SOURCES)
    .describe('bed sensor, bedroom radar, motion alone; none: no data, or away overnight'),
  confidence: z.enum(['high', 'medium', 'low']).nullable(),
  slept: z.boolean(),
  note: text(500).min(1),
  bedtime: nullableIso,
  wake: nullableIso,
  time_in_bed_min: minutes.nullable(),
  mid_sleep: nullableIso,
  out_of_bed: z.strictObject({ count, total_min: minutes, longest_min: minutes }).nullable(),
  bathroom_visits: count.nullable(),
  restlessness: z.strictObject({ bed_changes: count.nullable(), movement_min: minutes.nullable() }),
  heart_rate: z.strictObject({ min: z.number(), mean: z.number(), readings: count }).nullable(),
  in_bed: list(interval, 96),
});

const activitySummary = z.strictObject({
  per_hour: z.array(count).length(24),
  per_room: list(z.strictObject({ room: name(64), count }), 64),
  signs_of_life: count,
  active_min: minutes,
  first: nullableIso,
  last: nullableIso,
  out_of_home_min: minutes.nullable(),
  away: list(interval, 96),
  kitchen: z.strictObject({
    fridge_opened: count.nullable(),
    meals: list(z.strictObject({ meal: name(32), active_min: minutes }), 8),
    meals_with_activity: count,
  }),
  temperature: list(
    z.strictObject({ room: name(64), min: z.number(), mean: z.number(), max: z.number() }),
    64,
  ),
  steps: count.nullable(),
  devices: z.strictObject({
    silent: list(z.strictObject({ device: name(), room: name(64).nullable(), last_seen: nullableIso }), 256),
    low_battery: list(
      z.strictObject({ device: name(), room: name(64).nullable(), battery: z.number() }),
      256,
    ),
  }),
  alerts: list(z.strictObject({ rule: name(64), state: alertState, count }), 64),
});

const mentalHealth = z.strictObject({
  sri_7: z.number().min(-100).max(100).nullable().describe('Sleep Regularity Index over 7 days'),
  sri_14: z.number().min(-100).max(100).nullable(),
  mid_sleep: nullableIso,
  mid_sleep_drift_min_per_day: z.number().nullable(),
  night_activity_min: minutes,
  days_without_leaving: count.nullable(),
  check_ins: list(z.strictObject({ at: text(40), answer: z.enum(['good', 'so-so', 'not good']) }), 96),
});

export const summaryMessage = z.strictObject({
  ...envelopeSchema.shape,
  type: z.literal('summary'),
  date: z.iso.date(),
  sleep: sleepSummary,
  activity: activitySummary,
  mental_health: mentalHealth,
  baselines: list(
    z.strictObject({ figure: name(64), value: figureValue.nullable(), median: figureValue, days: count }),
    128,
  ),
  notable: list(
    z.strictObject({
      figure: name(64),
      value: figureValue.nullable(),
      usual: figureValue,
      text: text(500).min(1),
    }),
    64,
  ),
  /** Care modes on during the day (absent when none was): its figures are not her usual ones. */
  modes: list(
    z.strictObject({ mode: z.enum(CARE_MODES), from: isoLocal, to: isoLocal, by: text(128) }),
    32,
  ).optional(),
});
export type SummaryMessage = z.infer<typeof summaryMessage>;

/** The one way a summary payload is made: validated, keys in the schema's order. */
export const validSummary = (m: unknown): SummaryMessage => summaryMessage.parse(m);

// The night alone (the night part of a day's summary, sent as soon as it is over): the summary of
// day D carries the night that ended on D's morning, so a carer reading it at 08:00 on D+1 sees a
// night a day old. This message, dated the morning the night ended on, is sent that morning once
// the resident has been up a while, or at schedules.night_summary_by whatever the case; the day's
// summary still carries the same night, recomputed with the whole day, for the record.
export const nightMessage = z.strictObject({
  ...envelopeSchema.shape,
  type: z.literal('night'),
  date: z.iso
    .date()
    .describe('The morning the night ended on: the date of the summary that will carry it too'),
  over: z
    .boolean()
    .describe('false: she was not seen up by schedules.night_summary_by; the figures are those known then'),
  sleep: sleepSummary,
});
export type NightMessage = z.infer<typeof nightMessage>;

/** The one way a night payload is made: validated, keys in the schema's order. */
export const validNight = (m: unknown): NightMessage => nightMessage.parse(m);
