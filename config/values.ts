// Scalar value types of the provisioning file: durations, local times, references, addresses.
// Each is a zod schema whose description is the documentation a technician sees in an editor.
import cron from 'node-cron';
import { z } from 'zod';
import { LOCAL_TIME_RE } from '../core/zone.ts';
import { didYouMean } from './problems.ts';

export { minutesOfDay } from '../core/zone.ts';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_PART = /(\d+)(ms|s|m|h|d)/g;
const DURATION_RE = /^(?:\d+(?:ms|s|m|h|d))+$/;

/** `90s`, `10m`, `1h30m`, `30d` -> milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(DURATION_PART))
    ms += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return ms;
}

/** 10800000 -> "3 h", 11400000 -> "3 h 10 m": how a carer reads a span of time. */
export function formatDuration(ms: number): string {
  // Under a minute in seconds: 40 s rounded to "1 m" would read as longer than it was.
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${Math.max(0, seconds)} s`;
  const total = Math.round(ms / 60_000);
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  return [d && `${d} d`, h && `${h} h`, m && `${m} m`].filter(Boolean).join(' ');
}

const DURATION_HELP = 'a duration such as 30s, 10m, 3h, 1h30m or 30d';

/** A required span of time, in milliseconds once parsed. */
export const duration = z
  .string({ error: `expected ${DURATION_HELP}` })
  .refine((s) => parseDuration(s) !== undefined, { error: `not a duration; expected ${DURATION_HELP}` })
  .transform((s) => parseDuration(s) as number)
  .describe(`A span of time: ${DURATION_HELP}.`);

/** A span that may be switched off: `off` -> null. */
export const durationOrOff = z
  .union([z.literal('off'), z.string()], { error: `expected ${DURATION_HELP}, or off` })
  .refine((s) => s === 'off' || parseDuration(s) !== undefined, {
    error: `not a duration; expected ${DURATION_HELP}, or off`,
  })
  .transform((s) => (s === 'off' ? null : (parseDuration(s) as number)))
  .describe(`A span of time (${DURATION_HELP}), or off.`);

/** A span where 0 means none (e.g. no prompt before raising). */
export const durationOrZero = z
  .union([z.literal(0), z.literal('0'), z.string()], { error: `expected ${DURATION_HELP}, or 0 for none` })
  .refine((s) => s === 0 || s === '0' || parseDuration(s) !== undefined, {
    error: `not a duration; expected ${DURATION_HELP}, or 0 for none`,
  })
  .transform((s) => (s === 0 || s === '0' ? 0 : (parseDuration(s) as number)))
  .describe(`A span of time (${DURATION_HELP}), or 0 for none.`);

export const localTime = z
  .string({ error: 'expected a local time such as "07:00" (24-hour, quoted)' })
  .regex(LOCAL_TIME_RE, { error: 'not a local time; expected HH:MM from 00:00 to 23:59, e.g. "07:00"' })
  .describe('A local time of day in gateway.timezone, HH:MM on the 24-hour clock.');

export const timeWindow = z
  .strictObject({ from: localTime, to: localTime })
  .describe('A daily window of local time; `to` before `from` runs over midnight.');

/** IANA zones known to this runtime's ICU data (aliases such as UTC included). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return name.includes('/') || name === 'UTC';
  } catch {
    return false;
  }
}

export const timeZones = (): string[] => Intl.supportedValuesOf('timeZone');

export const timeZone = z
  .string({ error: 'expected an IANA time zone such as Europe/London' })
  .refine(isTimeZone, {
    error: (issue) =>
      `unknown time zone${didYouMean(String(issue.input), timeZones())}; expected an IANA zone such as Europe/London`,
  })
  .describe('IANA time zone, e.g. Europe/London. Windows and schedules are local times in it.');

export const cronExpression = z
  .string({ error: 'expected a cron expression such as "0 8 * * *"' })
  .refine((s) => cron.validate(s), {
    error: 'not a valid cron expression; expected 5 fields (minute hour day month weekday), e.g. "0 8 * * *"',
  })
  .describe('A cron expression (minute hour day-of-month month day-of-week), in gateway.timezone.');

export const REF_RE = /^\$\{(env|file):([^}]+)\}$/;
export type SecretRef = { kind: 'env' | 'file'; name: string };

export function parseRef(text: string): SecretRef | undefined {
  const m = REF_RE.exec(text);
  return m ? { kind: m[1] as 'env' | 'file', name: m[2] as string } : undefined;
}

export const secretRef = z
  .string({ error: 'expected a reference such as ${env:NAME} or ${file:/etc/hearth/secret}' })
  .regex(REF_RE, {
    error: 'secrets are never written in the file; expected a reference ${env:NAME} or ${file:/path}',
  })
  .describe('A secret, by reference only: ${env:NAME} or ${file:/path/to/file}.');

export const macAddress = z
  .string({ error: 'expected a Bluetooth address such as "a4:c1:38:5d:21:07"' })
  .regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, {
    error: 'not a Bluetooth address; expected six hex pairs separated by colons, e.g. "a4:c1:38:5d:21:07"',
  })
  .transform((s) => s.toLowerCase())
  .describe('A Bluetooth device address, six hex pairs separated by colons.');

export const uuid = z
  .string({ error: 'expected a UUID such as "e2c56db5-dffb-48d2-b060-d0f5a71096e0"' })
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
    error: 'not a UUID; expected 8-4-4-4-12 hex digits, e.g. "e2c56db5-dffb-48d2-b060-d0f5a71096e0"',
  })
  .transform((s) => s.toLowerCase())
  .describe('A UUID, 8-4-4-4-12 hex digits.');

/** True when an MQTT topic filter is well formed: `#` only as the last level, `+` only as a whole level. */
export function isTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\0')) return false;
  const levels = filter.split('/');
  return levels.every(
    (level, i) =>
      (level === '#' && i === levels.length - 1) ||
      level === '+' ||
      (!level.includes('#') && !level.includes('+')),
  );
}

export const topicFilter = z
  .string({ error: 'expected an MQTT topic filter such as "zigbee2mqtt/#"' })
  .refine(isTopicFilter, {
    error: 'not a topic filter; `+` must be a whole level and `#` only the last, e.g. "zigbee2mqtt/+/set"',
  })
  .describe('An MQTT topic filter; `+` matches one level, `#` the rest.');

export const topicName = z
  .string({ error: 'expected an MQTT topic such as "zigbee2mqtt/hall_motion"' })
  .min(1, { error: 'empty topic; expected an MQTT topic such as "zigbee2mqtt/hall_motion"' })
  .refine((s) => !s.includes('+') && !s.includes('#'), {
    error: 'a device topic names one device: no `+` or `#` wildcards',
  })
  .describe('An MQTT topic, without wildcards.');

export const ID_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const identifier = (what: string) =>
  z.string({ error: `expected ${what}: lower-case letters, digits, - and _` }).regex(ID_RE, {
    error: `not a valid ${what}; use lower-case letters, digits, - and _ (at most 63), starting with a letter or digit`,
  });
