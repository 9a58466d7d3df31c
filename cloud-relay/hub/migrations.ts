// Numbered migrations, run by Kysely's Migrator under its lock (an advisory lock on PostgreSQL),
// so instances starting together migrate once. Only column types both dialects know.
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { signinBudgetMigration } from './console/budget-migration.ts';
import { consoleMigration } from './console/migration.ts';

const ms = 'bigint';

const m0001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('homes')
      .addColumn('gateway', 'text', (c) => c.primaryKey())
      .addColumn('resident', 'text', (c) => c.notNull())
      .addColumn('expected', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('heartbeat_ms', ms, (c) => c.notNull())
      .addColumn('first_known_at', ms, (c) => c.notNull())
      .addColumn('status', 'text')
      .addColumn('status_at', ms)
      .addColumn('hearth_version', 'text')
      .addColumn('queue_depth', 'integer')
      .addColumn('queue_growth', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('oldest_undelivered_alert_s', 'integer')
      .addColumn('last_heartbeat_at', ms)
      .addColumn('last_seen_at', ms)
      .addColumn('clock_skew_ms', ms)
      .execute();
    await db.schema
      .createTable('messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('received_at', ms, (c) => c.notNull())
      .addColumn('instance', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('messages_gateway')
      .on('messages')
      .columns(['gateway', 'received_at'])
      .execute();
    await db.schema
      .createTable('alerts')
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('resident', 'text', (c) => c.notNull())
      .addColumn('rule', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('rank', 'integer', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('room', 'text')
      .addColumn('device', 'text')
      .addColumn('first_at', 'text', (c) => c.notNull())
      .addColumn('state_at', 'text', (c) => c.notNull())
      .addColumn('state_at_ms', ms, (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('ack_by', 'text')
      .addColumn('ack_command_id', 'text')
      .addColumn('ack_requested_at', ms)
      .addColumn('ack_confirmed_at', ms)
      .addPrimaryKeyConstraint('alerts_pk', ['gateway', 'alert_id'])
      .execute();
    await db.schema.createIndex('alerts_alert_id').on('alerts').column('alert_id').execute();
    await db.schema
      .createTable('alert_history')
      .addColumn('message_id', 'text', (c) => c.primaryKey())
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('at_ms', ms, (c) => c.notNull())
      .addColumn('received_at', ms, (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('alert_history_alert')
      .on('alert_history')
      .columns(['gateway', 'alert_id'])
      .execute();
    await db.schema
      .createTable('summaries')
      .addColumn('resident', 'text', (c) => c.notNull())
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('at_ms', ms, (c) => c.notNull())
      .addColumn('json', 'text', (c) => c.notNull())
      .addColumn('fhir', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('summaries_pk', ['resident', 'date'])
      .execute();
    await db.schema
      .createTable('commands')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('alert_id', 'text')
      .addColumn('by', 'text')
      .addColumn('sent_at', ms, (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .addColumn('result_at', ms)
      .execute();
    await db.schema
      .createTable('hub_alerts')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('raised_at', ms, (c) => c.notNull())
      .addColumn('raised_by', 'text', (c) => c.notNull())
      .addColumn('resolved_at', ms)
      .execute();
    await db.schema
      .createIndex('hub_alerts_open')
      .on('hub_alerts')
      .columns(['gateway', 'kind', 'resolved_at'])
      .execute();
    await db.schema
      .createTable('rejected')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('gateway', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('received_at', ms, (c) => c.notNull())
      .addColumn('instance', 'text', (c) => c.notNull())
      .execute();
  },
};

/** What a home says of its failing storage (a full or failing disk), on its status. */
const m0003: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('homes').addColumn('storage_fault', 'text').execute();
  },
};

/** In order; a new one is appended with the next number, never edited once released. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-console': consoleMigration,
  '0003-storage-fault': m0003,
  '0005-signin-budget': signinBudgetMigration,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the schema up to date; throws naming the migration that failed. */
export async function migrate(db: Kysely<unknown>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error)
    throw new Error(
      `database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`,
    );
  return (results ?? []).map((r) => r.migrationName);
}
