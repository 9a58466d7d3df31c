// Monitoring screens, as a hub migration of their own: the devices an admin marked as a screen
// (the browser holds a signed cookie naming its row; deleting the row unmarks it), and the live
// streams such a device holds open, by session: while one is open the session is not idle.
// Only column types both dialects know.
import type { Kysely, Migration } from 'kysely';

export const screenMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('screens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('marked_by', 'text', (c) => c.notNull())
      .addColumn('marked_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('screen_streams')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('session', 'text', (c) => c.notNull())
      .addColumn('screen', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('screen_streams_session').on('screen_streams').column('session').execute();
  },
};
