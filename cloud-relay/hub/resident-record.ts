// The trust's own record of a resident: who she is, where, how to reach her and her people, how
// to get in. Homes send only pseudonymous ids; this is kept in the hub's database alone and never
// sent to a home nor taken from one. The one schema for the console's form and for a file loaded
// from the command line; every field bounded, lists bounded too. Pure.
import { z } from 'zod';

/** No C0 control but tab and newline: PostgreSQL's text refuses NUL, and none belongs in a record. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not hold control characters');
const required = (max: number) => text(max).min(1, 'is required');

/** What a person types as a phone number: digits, spaces, + ( ) - . and at least 3 digits. */
const PHONE_RE = /^\+?[0-9 ()\-.]{3,30}$/;
export const phoneSchema = text(30).refine(
  (s) => PHONE_RE.test(s) && s.replace(/\D/g, '').length >= 3,
  'is not a phone number (digits, spaces and + ( ) - . only)',
);

/** NHS numbers: 10 digits, the last a modulus-11 check on the nine before it (weights 10 to 2). */
export function nhsCheckOk(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

/** As typed ("943 476 5919", "943-476-5919"), kept as its 10 digits. */
export const nhsSchema = text(20)
  .transform((s) => s.replace(/[\s-]/g, ''))
  .refine((s) => /^\d{10}$/.test(s), 'must be 10 digits')
  .refine(nhsCheckOk, 'has a wrong check digit (mistyped?)');

export const MAX_KIN = 6;
export const MAX_RESPONDERS = 8;

export const kinSchema = z.strictObject({
  name: required(100),
  relation: text(60).optional(),
  phone: phoneSchema,
});

/**
 * Someone who comes when she needs it (a neighbour with a key, a warden); `staff` names their
 * console account when they have one, which links them to her escalation ladder.
 */
export const responderSchema = z.strictObject({
  name: required(100),
  role: text(60).optional(),
  phone: phoneSchema.optional(),
  staff: text(100).optional(),
});

export const LIMITS = {
  resident: 100,
  name: 120,
  address: 300,
  keySafe: 40,
  accessNotes: 1000,
  medicalNotes: 2000,
} as const;

export const recordSchema = z.strictObject({
  resident: required(LIMITS.resident),
  name: required(LIMITS.name),
  address: required(LIMITS.address),
  phone: phoneSchema.optional(),
  callbackPhone: phoneSchema.optional(),
  keySafe: text(LIMITS.keySafe).optional(),
  accessNotes: text(LIMITS.accessNotes).optional(),
  medicalNotes: text(LIMITS.medicalNotes).optional(),
  nhsNumber: nhsSchema.optional(),
  nextOfKin: z.array(kinSchema).max(MAX_KIN, `at most ${MAX_KIN}`).default([]),
  responders: z.array(responderSchema).max(MAX_RESPONDERS, `at most ${MAX_RESPONDERS}`).default([]),
});

export type ResidentRecord = z.output<typeof recordSchema>;
export type Kin = z.output<typeof kinSchema>;
export type Responder = z.output<typeof responderSchema>;

/** The fields an edit may change, in the words an audit line and a person use. */
export const FIELD_WORDS: Record<Exclude<keyof ResidentRecord, 'resident'>, string> = {
  name: 'name',
  address: 'address',
  phone: 'phone',
  callbackPhone: 'call-back phone',
  keySafe: 'key-safe code',
  accessNotes: 'access notes',
  medicalNotes: 'medical notes',
  nhsNumber: 'NHS number',
  nextOfKin: 'next of kin',
  responders: 'responders',
};

/** Which fields differ between two versions (no values: an audit line names fields only). */
export function changedFields(before: ResidentRecord | null, after: ResidentRecord): string[] {
  const keys = Object.keys(FIELD_WORDS) as (keyof typeof FIELD_WORDS)[];
  return keys
    .filter((k) => JSON.stringify(before?.[k] ?? null) !== JSON.stringify(after[k] ?? null))
    .filter((k) => before !== null || after[k] !== undefined)
    .filter((k) => before !== null || !(Array.isArray(after[k]) && (after[k] as unknown[]).length === 0))
    .map((k) => FIELD_WORDS[k]);
}

/** Every problem of a candidate, each naming its field as a person would ("next of kin 2: phone …"). */
export function recordProblems(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const [field, index, sub] = i.path;
    const word = field === undefined ? '' : (FIELD_WORDS[field as keyof typeof FIELD_WORDS] ?? String(field));
    const where =
      typeof index === 'number' ? `${word} ${index + 1}${typeof sub === 'string' ? `: ${sub}` : ''}` : word;
    if (i.code === 'unrecognized_keys')
      return `${where ? `${where}: ` : ''}unknown field ${i.keys.map((k) => `"${k.slice(0, 40)}"`).join(', ')}`;
    return `${where} ${i.message}`;
  });
}

/**
 * A UK number as typed, for a tel: link in E.164: 01632 960 123 → +441632960123, +44 (0)20… →
 * +4420…, 0044… → +44…; another country's +… keeps its digits; a short number (999, 111) stays as it is.
 */
export function telHref(typed: string): string {
  const digits = typed.replace(/\(0\)/g, '').replace(/[^\d+]/g, '');
  if (digits.startsWith('+')) return `tel:+${digits.slice(1).replace(/\+/g, '')}`;
  if (digits.startsWith('00')) return `tel:+${digits.slice(2)}`;
  if (digits.startsWith('0') && digits.length >= 10) return `tel:+44${digits.slice(1)}`;
  return `tel:${digits}`;
}
