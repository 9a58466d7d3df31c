// Call handling (migration 0014): whether a claim is "on my way" or "I'm handling this"; the first
// answer to each alert (acknowledgement or claim: what the answer-time figures count); the outcome
// an alert was closed with; and the acknowledgement of the hub's own alerts, which have no home.
import type { Kysely, Migration } from 'kysely';

const ms = 'bigint';

export const callsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('alert_claims')
      .addColumn('kind', 'text', (c) => c.notNull().defaultTo('way'))
      .execute();
    await db.schema
      .createTable('alert_answers')
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('staff', 'text', (c) => c.notNull())
      .addColumn('how', 'text', (c) => c.notNull())
      .addColumn('at', ms, (c) => c.notNull())
      .addPrimaryKeyConstraint('alert_answers_pk', ['gateway', 'alert_id'])
      .execute();
    await db.schema
      .createTable('alert_closures')
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('staff', 'text', (c) => c.notNull())
      .addColumn('at', ms, (c) => c.notNull())
      .addPrimaryKeyConstraint('alert_closures_pk', ['gateway', 'alert_id'])
      .execute();
    await db.schema.createIndex('alert_closures_at').on('alert_closures').column('at').execute();
    await db.schema.alterTable('hub_alerts').addColumn('ack_by', 'text').execute();
    await db.schema.alterTable('hub_alerts').addColumn('ack_at', ms).execute();
  },
};
