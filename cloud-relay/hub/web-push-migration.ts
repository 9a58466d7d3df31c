// Web Push's tables, as a hub migration of its own: each phone's subscription (per member of
// staff, keyed by a hash of its endpoint so that subscribing again replaces it), who said "I'm on
// my way" to which alert, and the action tokens already used (so a replayed one is refused). Only
// column types both dialects know.
import type { Kysely, Migration } from 'kysely';

export const webPushMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('push_subscriptions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('staff', 'text', (c) => c.notNull())
      .addColumn('endpoint', 'text', (c) => c.notNull())
      .addColumn('p256dh', 'text', (c) => c.notNull())
      .addColumn('auth', 'text', (c) => c.notNull())
      .addColumn('created', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('push_subscriptions_staff')
      .on('push_subscriptions')
      .column('staff')
      .execute();
    await db.schema
      .createTable('alert_claims')
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('staff', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('alert_claims_pk', ['gateway', 'alert_id', 'staff'])
      .execute();
    await db.schema
      .createTable('push_tokens_used')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('used_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('push_tokens_used_expires')
      .on('push_tokens_used')
      .column('expires_at')
      .execute();
  },
};
