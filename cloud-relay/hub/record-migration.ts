// The trust's records of its residents (resident-record.ts), as a hub migration of its own: one
// row per resident, the lists (next of kin, responders) as bounded JSON text. Kept in the hub's
// database alone; no message to or from a home carries any of it. Only column types both
// dialects know.
import type { Kysely, Migration } from 'kysely';

export const residentRecordsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('resident_records')
      .addColumn('resident', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('phone', 'text')
      .addColumn('callback_phone', 'text')
      .addColumn('key_safe', 'text')
      .addColumn('access_notes', 'text')
      .addColumn('medical_notes', 'text')
      .addColumn('nhs_number', 'text')
      .addColumn('next_of_kin', 'text', (c) => c.notNull())
      .addColumn('responders', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
  },
};
