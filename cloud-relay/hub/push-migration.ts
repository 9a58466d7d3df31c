// The push outbox, as a hub migration of its own: pushes to carers' phones survive the instance
// that stored the alert. Indexed by state and time due, the one question the senders ask every
// pass. Only column types both dialects know.
import type { Kysely, Migration } from 'kysely';

export const pushOutboxMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('push_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('push_outbox_due').on('push_outbox').columns(['state', 'next_at']).execute();
  },
};
