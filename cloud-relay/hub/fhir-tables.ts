// The queue of days to send to the care record (hub file: fhir), beside the hub's tables: one row
// per resident and day, written in the transaction that stores the day's summary; the bundle
// itself is the summary's (summaries.fhir), read when it is sent. Times are epoch milliseconds.
import type { Kysely, Migration, Transaction } from 'kysely';
import type { HubDb } from './tables.ts';

export type FhirOutboxTable = {
  resident: string;
  date: string;
  /** The summary message whose bundle is to be sent. */
  message_id: string;
  queued_at: number;
  attempts: number;
  /** Not before this time; a sender claims a row by moving it on. */
  next_at: number;
  /** Why the last attempt failed (a network error, an HTTP status): retried. */
  last_error: string | null;
  /** The record refused the bundle (a 4xx): kept with its OperationOutcome, offered again a day later. */
  refused_at: number | null;
  refusal: string | null;
  /** Accepted by the record. */
  sent_at: number | null;
};

export type FhirDb = HubDb & { fhir_outbox: FhirOutboxTable };

/** The hub's database seen with the FHIR queue too (the migration list holds both). */
export const fhirDb = (db: Kysely<HubDb>): Kysely<FhirDb> => db as unknown as Kysely<FhirDb>;

export const fhirMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('fhir_outbox')
      .addColumn('resident', 'text', (c) => c.notNull())
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('queued_at', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_at', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('refused_at', 'bigint')
      .addColumn('refusal', 'text')
      .addColumn('sent_at', 'bigint')
      .addPrimaryKeyConstraint('fhir_outbox_pk', ['resident', 'date'])
      .execute();
    await db.schema
      .createIndex('fhir_outbox_due')
      .on('fhir_outbox')
      .columns(['sent_at', 'next_at'])
      .execute();
  },
};

/**
 * Queues a resident's day to be sent, in the transaction that stored its summary: a newer summary
 * for the day sends its bundle again, and clears a refusal of the one before.
 */
export async function queueFhirDay(
  t: Transaction<HubDb>,
  day: { resident: string; date: string; messageId: string },
  now: number,
): Promise<void> {
  const row = {
    message_id: day.messageId,
    queued_at: now,
    attempts: 0,
    next_at: now,
    last_error: null,
    refused_at: null,
    refusal: null,
    sent_at: null,
  };
  await (t as unknown as Transaction<FhirDb>)
    .insertInto('fhir_outbox')
    .values({ resident: day.resident, date: day.date, ...row })
    .onConflict((oc) => oc.columns(['resident', 'date']).doUpdateSet(row))
    .execute();
}
