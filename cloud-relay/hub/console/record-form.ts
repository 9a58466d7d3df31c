// A resident's record as the admin's form sends it, put through the record's one schema: every
// problem named in one pass, each by the field a person sees ("next of kin 2 phone ..."). A
// responder may name a console account, which must exist. Pure.
import {
  MAX_KIN,
  MAX_RESPONDERS,
  type ResidentRecord,
  recordProblems,
  recordSchema,
} from '../resident-record.ts';

type Body = Record<string, unknown>;

/** A field as typed, or undefined when empty; a textarea's CRLF counted as one character, as typed. */
const field = (b: Body, k: string): string | undefined => {
  const v = b[k];
  if (typeof v !== 'string') return undefined;
  const s = v.replace(/\r\n?/g, '\n').trim();
  return s ? s : undefined;
};

/** The non-empty rows of a repeated group, with the form's row number each came from. */
function rows<T extends Record<string, string | undefined>>(
  b: Body,
  prefix: string,
  max: number,
  keys: readonly string[],
): { value: T; row: number }[] {
  const out: { value: T; row: number }[] = [];
  for (let i = 0; i < max; i++) {
    const value = Object.fromEntries(keys.map((k) => [k, field(b, `${prefix}${i}-${k}`)])) as T;
    if (keys.some((k) => value[k] !== undefined)) out.push({ value, row: i + 1 });
  }
  return out;
}

export const KIN_KEYS = ['name', 'relation', 'phone'] as const;
export const RESPONDER_KEYS = ['name', 'role', 'phone', 'staff'] as const;

export type FormResult = { ok: true; record: ResidentRecord } | { ok: false; problems: string[] };

export function parseRecordForm(b: Body, resident: string, accounts: ReadonlySet<string>): FormResult {
  const kin = rows(b, 'kin', MAX_KIN, KIN_KEYS);
  const responders = rows(b, 'resp', MAX_RESPONDERS, RESPONDER_KEYS);
  const candidate = {
    resident,
    name: field(b, 'name') ?? '',
    address: field(b, 'address') ?? '',
    phone: field(b, 'phone'),
    callbackPhone: field(b, 'callbackPhone'),
    keySafe: field(b, 'keySafe'),
    accessNotes: field(b, 'accessNotes'),
    medicalNotes: field(b, 'medicalNotes'),
    nhsNumber: field(b, 'nhsNumber'),
    // A row with a phone but no name is still sent, so that its missing name is named.
    nextOfKin: kin.map((k) => ({ ...k.value, phone: k.value.phone ?? '' })),
    responders: responders.map((r) => r.value),
  };
  const parsed = recordSchema.safeParse(candidate);
  // The schema counts the rows it was given; the form numbers them as shown.
  const renumber = (p: string) =>
    p
      .replace(/^next of kin (\d+)/, (_, n) => `next of kin ${kin[Number(n) - 1]?.row ?? n}`)
      .replace(/^responders (\d+)/, (_, n) => `responder ${responders[Number(n) - 1]?.row ?? n}`);
  const problems = parsed.success ? [] : recordProblems(parsed.error).map(renumber);
  for (const r of responders)
    if (r.value.staff && !accounts.has(r.value.staff))
      problems.push(`responder ${r.row}: there is no console account "${r.value.staff}"`);
  if (problems.length || !parsed.success) return { ok: false, problems };
  return { ok: true, record: parsed.data };
}
