// Numbered migrations, run by Kysely's Migrator under its lock (an advisory lock on PostgreSQL),
// so instances starting together migrate once. Only column types both dialects know.

import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { alertOrderMigration } from './alert-order-migration.ts';
import { callsMigration } from './calls-migration.ts';
import { consoleMigration } from './console-migration.ts';
import { fhirMigration } from './fhir-tables.ts';
import { ladderMigration } from './ladder-migration.ts';
import { nightsMigration } from './nights-migration.ts';
import { pushOutboxMigration } from './push-migration.ts';
import { residentRecordsMigration } from './record-migration.ts';
import { screenMigration } from './screen-migration.ts';
import { signinBudgetMigration } from './signin-budget-migration.ts';
import { testCallsMigration } from './test-calls-migration.ts';
import { webPushMigration } from './web-push-migration.ts';

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

/**
 * Each home speaks only for itself. Repeats are dropped per home (`message_ids`, keyed by gateway
 * and id, without the payload copies `messages` kept of every heartbeat); an alert's history is
 * keyed per home too; a resident is bound to one gateway; the queue and a day's summaries follow
 * the hub's receive time, since a Pi's clock may say 1970 or 2999; clock skew is judged from
 * heartbeats in a row.
 */
const m0004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('message_ids')
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('received_at', ms, (c) => c.notNull())
      .addPrimaryKeyConstraint('message_ids_pk', ['gateway', 'id'])
      .execute();
    await db.schema.createIndex('message_ids_received').on('message_ids').column('received_at').execute();
    await sql`insert into message_ids (gateway, id, received_at)
      select gateway, id, received_at from messages where type <> 'heartbeat'`.execute(db);
    await db.schema.dropTable('messages').execute();

    await db.schema
      .createTable('alert_history_v2')
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('at_ms', ms, (c) => c.notNull())
      .addColumn('received_at', ms, (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('alert_history_v2_pk', ['gateway', 'message_id'])
      .execute();
    await sql`insert into alert_history_v2 select message_id, gateway, alert_id, state, at, at_ms,
      received_at, severity, reason from alert_history`.execute(db);
    await db.schema.dropTable('alert_history').execute();
    await db.schema.alterTable('alert_history_v2').renameTo('alert_history').execute();
    await db.schema
      .createIndex('alert_history_alert')
      .ifNotExists()
      .on('alert_history')
      .columns(['gateway', 'alert_id'])
      .execute();

    await db.schema.alterTable('alerts').addColumn('first_received_at', ms).execute();
    await db.schema.alterTable('alerts').addColumn('state_received_at', ms).execute();
    await sql`update alerts set
      first_received_at = (select min(h.received_at) from alert_history h
        where h.gateway = alerts.gateway and h.alert_id = alerts.alert_id),
      state_received_at = (select max(h.received_at) from alert_history h
        where h.gateway = alerts.gateway and h.alert_id = alerts.alert_id)`.execute(db);
    await db.schema
      .createIndex('alerts_received')
      .on('alerts')
      .columns(['state', 'first_received_at'])
      .execute();

    await db.schema.alterTable('summaries').addColumn('order_ms', ms).execute();
    await sql`update summaries set order_ms = at_ms`.execute(db);

    await db.schema
      .alterTable('homes')
      .addColumn('clock_skew_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('residents')
      .addColumn('resident', 'text', (c) => c.primaryKey())
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('bound_at', ms, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('residents_gateway').on('residents').column('gateway').execute();
    // The first gateway heard for each resident keeps her.
    await sql`insert into residents (resident, gateway, bound_at)
      select h.resident, h.gateway, h.first_known_at from homes h
      where not exists (select 1 from homes o where o.resident = h.resident
        and (o.first_known_at < h.first_known_at
          or (o.first_known_at = h.first_known_at and o.gateway < h.gateway)))`.execute(db);
    await db.schema.createIndex('rejected_received').on('rejected').column('received_at').execute();
    await db.schema.createIndex('sessions_seen').on('sessions').column('seen_at').execute();
  },
};

/** In order; a new one is appended with the next number, never edited once released. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-console': consoleMigration,
  '0003-storage-fault': m0003,
  '0004-per-home': m0004,
  '0005-signin-budget': signinBudgetMigration,
  '0006-nights': nightsMigration,
  '0007-push-outbox': pushOutboxMigration,
  '0008-web-push': webPushMigration,
  '0009-ladders': ladderMigration,
  '0010-test-calls': testCallsMigration,
  '0011-fhir-outbox': fhirMigration,
  '0012-alert-order': alertOrderMigration,
  '0013-resident-records': residentRecordsMigration,
  '0014-call-handling': callsMigration,
  '0016-screens': screenMigration,
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
