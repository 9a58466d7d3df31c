// Version 1 of the messages between a home and the trust (DESIGN.md section 5). Every payload
// passes one function per type, so keys come out snake_case, validated and in a stable order.
import { z } from 'zod';

export const PROTOCOL_VERSION = 1 as const;

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
export type Severity = z.infer<typeof severity>;

const isoLocal = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/);
const fact = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const envelope = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().min(1).describe('Unique, and the same on every retry: the trust drops repeats by it.'),
  type: z.enum(['alert', 'summary', 'status', 'heartbeat', 'cmd_result']),
  gateway: z.string().min(1),
  resident: z.string().min(1),
  at: isoLocal,
});

export const alertMessage = envelope
  .extend({
    type: z.literal('alert'),
    alert_id: z.string().min(1),
    rule: z.string().min(1),
    state: alertState,
    severity,
    device: z.string().optional(),
    room: z.string().optional(),
    reason: z.string().min(1),
  })
  .catchall(fact);
export type AlertMessage = z.infer<typeof alertMessage>;

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

export const topics = {
  alert: (gw: string) => `hearth/v1/${gw}/alert`,
  summary: (gw: string) => `hearth/v1/${gw}/summary`,
  summaryFhir: (gw: string) => `hearth/v1/${gw}/summary/fhir`,
  status: (gw: string) => `hearth/v1/${gw}/status`,
  heartbeat: (gw: string) => `hearth/v1/${gw}/heartbeat`,
  command: (gw: string, name: string) => `hearth/v1/${gw}/cmd/${name}`,
  commandResult: (gw: string) => `hearth/v1/${gw}/cmd-result`,
  localAlert: 'hearth/local/alert',
  localStatus: 'hearth/local/status',
  localReading: (device: string) => `hearth/local/reading/${device}`,
} as const;

export const statusMessage = envelope.extend({
  type: z.literal('status'),
  state: z.enum(['online', 'offline']),
  versions: z.object({ hearth: z.string(), protocol: z.literal(PROTOCOL_VERSION) }),
  queue_depth: z.number().int().nonnegative().optional(),
  oldest_undelivered_alert_s: z.number().nonnegative().nullable().optional(),
  dropped: z.record(z.string(), z.number()).optional(),
  /** Why the home's storage is failing (a full or failing disk), while it is; alerts still flow. */
  storage_fault: z.string().nullable().optional(),
});
export type StatusMessage = z.infer<typeof statusMessage>;

export const heartbeatMessage = envelope.extend({
  type: z.literal('heartbeat'),
  queue_depth: z.number().int().nonnegative(),
  uptime_s: z.number().nonnegative(),
});
export type HeartbeatMessage = z.infer<typeof heartbeatMessage>;

export const cmdResultMessage = envelope.extend({
  type: z.literal('cmd_result'),
  command_id: z.string(),
  command: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});
export type CmdResultMessage = z.infer<typeof cmdResultMessage>;

/** Commands the trust may send (hearth/v1/{gw}/cmd/{name}). */
const commandBase = z.strictObject({ v: z.literal(PROTOCOL_VERSION), id: z.string().min(1).max(128) });
export const commands = {
  ack: commandBase.extend({ alert_id: z.string().min(1).max(256), by: z.string().min(1).max(128) }),
  'request-summary': commandBase.extend({ date: z.iso.date() }),
  ping: commandBase,
} as const;
export type CommandName = keyof typeof commands;
export type Command = { [K in CommandName]: { name: K } & z.infer<(typeof commands)[K]> }[CommandName];

// The daily summary (DESIGN section 5): the night that ends on `date` and the day itself, with the
// resident's own baselines. Figures only: no raw event leaves the home. Times are local ISO.
const nullableIso = isoLocal.nullable();
const interval = z.strictObject({ from: isoLocal, to: isoLocal });
const minutes = z.number().int().nonnegative();
const count = z.number().int().nonnegative();
const figureValue = z.union([z.number(), z.string()]);

export const SLEEP_SOURCES = ['bed', 'radar', 'motion', 'none'] as const;

const sleepSummary = z.strictObject({
  source: z
    .enum(SLEEP_SOURCES)
    .describe('bed sensor, bedroom radar, motion alone; none: no data, or away overnight'),
  confidence: z.enum(['high', 'medium', 'low']).nullable(),
  slept: z.boolean(),
  note: z.string().min(1),
  bedtime: nullableIso,
  wake: nullableIso,
  time_in_bed_min: minutes.nullable(),
  mid_sleep: nullableIso,
  out_of_bed: z.strictObject({ count, total_min: minutes, longest_min: minutes }).nullable(),
  bathroom_visits: count.nullable(),
  restlessness: z.strictObject({ bed_changes: count.nullable(), movement_min: minutes.nullable() }),
  heart_rate: z.strictObject({ min: z.number(), mean: z.number(), readings: count }).nullable(),
  in_bed: z.array(interval),
});

const activitySummary = z.strictObject({
  per_hour: z.array(count).length(24),
  per_room: z.array(z.strictObject({ room: z.string(), count })),
  signs_of_life: count,
  active_min: minutes,
  first: nullableIso,
  last: nullableIso,
  out_of_home_min: minutes.nullable(),
  away: z.array(interval),
  kitchen: z.strictObject({
    fridge_opened: count.nullable(),
    meals: z.array(z.strictObject({ meal: z.string(), active_min: minutes })),
    meals_with_activity: count,
  }),
  temperature: z.array(
    z.strictObject({ room: z.string(), min: z.number(), mean: z.number(), max: z.number() }),
  ),
  steps: count.nullable(),
  devices: z.strictObject({
    silent: z.array(
      z.strictObject({ device: z.string(), room: z.string().nullable(), last_seen: nullableIso }),
    ),
    low_battery: z.array(
      z.strictObject({ device: z.string(), room: z.string().nullable(), battery: z.number() }),
    ),
  }),
  alerts: z.array(z.strictObject({ rule: z.string(), state: alertState, count })),
});

const mentalHealth = z.strictObject({
  sri_7: z.number().min(-100).max(100).nullable().describe('Sleep Regularity Index over 7 days'),
  sri_14: z.number().min(-100).max(100).nullable(),
  mid_sleep: nullableIso,
  mid_sleep_drift_min_per_day: z.number().nullable(),
  night_activity_min: minutes,
  days_without_leaving: count.nullable(),
  check_ins: z.array(z.strictObject({ at: z.string(), answer: z.enum(['good', 'so-so', 'not good']) })),
});

export const summaryMessage = z.strictObject({
  ...envelope.shape,
  type: z.literal('summary'),
  date: z.iso.date(),
  sleep: sleepSummary,
  activity: activitySummary,
  mental_health: mentalHealth,
  baselines: z.array(
    z.strictObject({ figure: z.string(), value: figureValue.nullable(), median: figureValue, days: count }),
  ),
  notable: z.array(
    z.strictObject({
      figure: z.string(),
      value: figureValue.nullable(),
      usual: figureValue,
      text: z.string().min(1),
    }),
  ),
});
export type SummaryMessage = z.infer<typeof summaryMessage>;

/** The one way a summary payload is made: validated, keys in the schema's order. */
export const validSummary = (m: unknown): SummaryMessage => summaryMessage.parse(m);
