// The residents' records in the hub's database: read whole (the alert and resident pages), read as
// a card's line (the queue: never the key-safe code nor the notes), and written whole by an admin
// or a file. A row that no longer passes the schema reads as unreadable, not as a crash.
import type { Kysely } from 'kysely';
import { parseJson } from '../../core/json.ts';
import type { ConsoleDb } from './console-tables.ts';
import { type ResidentRecord, recordSchema } from './resident-record.ts';
import type { HubDb } from './tables.ts';

export type ResidentRecordsTable = {
  resident: string;
  name: string;
  address: string;
  phone: string | null;
  callback_phone: string | null;
  key_safe: string | null;
  access_notes: string | null;
  medical_notes: string | null;
  nhs_number: string | null;
  /** JSON of Kin[]. */
  next_of_kin: string;
  /** JSON of Responder[]. */
  responders: string;
  updated_at: number;
  updated_by: string;
};

export type RecordDb = ConsoleDb & { resident_records: ResidentRecordsTable };

export const recordDb = (db: Kysely<HubDb> | Kysely<ConsoleDb>): Kysely<RecordDb> =>
  db as unknown as Kysely<RecordDb>;

/** Each list's JSON, bounded before it is parsed (the schema bounds what it may hold). */
const LIST_LIMITS = { maxBytes: 16_000, maxDepth: 3 };

export type StoredRecord = { record: ResidentRecord; updatedAt: number; updatedBy: string };
export type ReadRecord = StoredRecord | { unreadable: string } | null;

const orUndefined = (v: string | null) => v ?? undefined;

function fromRow(r: ResidentRecordsTable): ReadRecord {
  const kin = parseJson(r.next_of_kin, LIST_LIMITS);
  const responders = parseJson(r.responders, LIST_LIMITS);
  if (!kin.ok || !responders.ok)
    return { unreadable: kin.ok ? (responders as { reason: string }).reason : kin.reason };
  const p = recordSchema.safeParse({
    resident: r.resident,
    name: r.name,
    address: r.address,
    phone: orUndefined(r.phone),
    callbackPhone: orUndefined(r.callback_phone),
    keySafe: orUndefined(r.key_safe),
    accessNotes: orUndefined(r.access_notes),
    medicalNotes: orUndefined(r.medical_notes),
    nhsNumber: orUndefined(r.nhs_number),
    nextOfKin: kin.value,
    responders: responders.value,
  });
  if (!p.success) return { unreadable: p.error.issues.map((i) => i.message).join('; ') };
  return { record: p.data, updatedAt: Number(r.updated_at), updatedBy: r.updated_by };
}

export async function recordOf(db: Kysely<RecordDb>, resident: string): Promise<ReadRecord> {
  const row = await db
    .selectFrom('resident_records')
    .selectAll()
    .where('resident', '=', resident)
    .executeTakeFirst();
  return row ? fromRow(row) : null;
}

/** What an alert card shows of her: no key-safe code, no notes. */
export type RecordLine = {
  name: string;
  address: string;
  callbackPhone: string | null;
  phone: string | null;
};

export async function recordLines(
  db: Kysely<RecordDb>,
  residents: string[],
): Promise<Map<string, RecordLine>> {
  if (residents.length === 0) return new Map();
  const rows = await db
    .selectFrom('resident_records')
    .select(['resident', 'name', 'address', 'callback_phone', 'phone'])
    .where('resident', 'in', [...new Set(residents)])
    .execute();
  return new Map(
    rows.map((r) => [
      r.resident,
      { name: r.name, address: r.address, callbackPhone: r.callback_phone, phone: r.phone },
    ]),
  );
}

/** Writes a record (already through the schema) whole, replacing any before it. */
export async function putRecord(
  db: Kysely<RecordDb>,
  r: ResidentRecord,
  by: string,
  now: number,
): Promise<void> {
  const row = {
    name: r.name,
    address: r.address,
    phone: r.phone ?? null,
    callback_phone: r.callbackPhone ?? null,
    key_safe: r.keySafe ?? null,
    access_notes: r.accessNotes ?? null,
    medical_notes: r.medicalNotes ?? null,
    nhs_number: r.nhsNumber ?? null,
    next_of_kin: JSON.stringify(r.nextOfKin),
    responders: JSON.stringify(r.responders),
    updated_at: now,
    updated_by: by,
  };
  await db
    .insertInto('resident_records')
    .values({ resident: r.resident, ...row })
    .onConflict((oc) => oc.column('resident').doUpdateSet(row))
    .execute();
}
