// The test_calls table, as a hub migration of its own: each home's daily test call (a `test`
// alert), when the home sent it, when the hub stored it, when it was acknowledged (by the hub
// itself or an operator) and when the home confirmed the acknowledgement. Only column types both
// dialects know.
import type { Kysely, Migration } from 'kysely';

export const testCallsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('test_calls')
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('resident', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text', (c) => c.notNull())
      .addColumn('sent_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('stored_at', 'bigint', (c) => c.notNull())
      .addColumn('acked_at', 'bigint')
      .addColumn('acked_by', 'text')
      .addColumn('confirmed_at', 'bigint')
      .addPrimaryKeyConstraint('test_calls_pk', ['gateway', 'alert_id'])
      .execute();
    await db.schema
      .createIndex('test_calls_stored')
      .on('test_calls')
      .columns(['gateway', 'stored_at'])
      .execute();
  },
};
