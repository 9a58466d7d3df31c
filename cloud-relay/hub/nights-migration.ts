// The nights table, as a hub migration of its own: the night a home sends the morning it ends
// (the `night` message), one per resident and morning, beside the day's summary that carries the
// same night a day later. Only column types both dialects know.
import type { Kysely, Migration } from 'kysely';

export const nightsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('nights')
      .addColumn('resident', 'text', (c) => c.notNull())
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addColumn('order_ms', 'bigint', (c) => c.notNull())
      .addColumn('json', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('nights_pk', ['resident', 'date'])
      .execute();
  },
};
