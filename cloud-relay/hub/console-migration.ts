// The console's tables, as the hub's migration 0002. Only column types both dialects know.
import { randomBytes } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';

const ms = 'bigint';

export const consoleMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('staff')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('password', 'text', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('push_url', 'text')
      .execute();
    await db.schema
      .createTable('staff_residents')
      .addColumn('staff', 'text', (c) => c.notNull())
      .addColumn('resident', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('staff_residents_pk', ['staff', 'resident'])
      .execute();
    await db.schema
      .createIndex('staff_residents_resident')
      .on('staff_residents')
      .column('resident')
      .execute();
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('staff', 'text', (c) => c.notNull())
      .addColumn('csrf', 'text', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('seen_at', ms, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('signin_attempts')
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('at', ms, (c) => c.notNull())
      .addColumn('ok', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('signin_attempts_key').on('signin_attempts').columns(['key', 'at']).execute();
    await db.schema
      .createTable('audit')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', ms, (c) => c.notNull())
      .addColumn('staff', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('resident', 'text')
      .addColumn('target', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('audit_at').on('audit').column('at').execute();
    await db.schema
      .createTable('alert_notes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('staff', 'text', (c) => c.notNull())
      .addColumn('at', ms, (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('alert_notes_alert')
      .on('alert_notes')
      .columns(['gateway', 'alert_id'])
      .execute();
    // The alert queue reads open alerts only, however long the history grows.
    await db.schema.createIndex('alerts_state').on('alerts').columns(['state', 'state_at_ms']).execute();
    await db.schema
      .createTable('console_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    // One secret for every instance: a cookie signed by one is good at all of them.
    await (db as Kysely<{ console_secrets: { name: string; value: string } }>)
      .insertInto('console_secrets')
      .values({ name: 'cookie', value: randomBytes(32).toString('base64url') })
      .execute();
  },
};
