// Call handling (migration 0014): whether a claim is "on my way" or "I'm handling this"; the first
// answer to each alert (acknowledgement or claim: what the answer-time figures count); the outcome
// an alert was closed with; and the acknowledgement of the hub's own alerts, which have no home.
import { type Kysely, type Migration, sql } from 'kysely';

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
    // The answers before this migration, so the figures do not count them unanswered: each
    // alert's earliest claim, or its acknowledgement when that came first. An alert acknowledged
    // again (a command that failed, sent again) kept only its last request: its answer is late by
    // as much.
    await sql`insert into alert_answers (gateway, alert_id, staff, how, at)
      select c.gateway, c.alert_id, c.staff, 'way', c.at from alert_claims c
      where not exists (select 1 from alert_claims d where d.gateway = c.gateway and d.alert_id = c.alert_id
        and (d.at < c.at or (d.at = c.at and d.staff < c.staff)))`.execute(db);
    await sql`update alert_answers set
        staff = (select a.ack_by from alerts a where a.gateway = alert_answers.gateway and a.alert_id = alert_answers.alert_id),
        how = 'ack',
        at = (select a.ack_requested_at from alerts a where a.gateway = alert_answers.gateway and a.alert_id = alert_answers.alert_id)
      where exists (select 1 from alerts a where a.gateway = alert_answers.gateway and a.alert_id = alert_answers.alert_id
        and a.ack_by is not null and a.ack_requested_at < alert_answers.at)`.execute(db);
    await sql`insert into alert_answers (gateway, alert_id, staff, how, at)
      select a.gateway, a.alert_id, a.ack_by, 'ack', a.ack_requested_at from alerts a
      where a.ack_by is not null and a.ack_requested_at is not null
        and not exists (select 1 from alert_answers w where w.gateway = a.gateway and w.alert_id = a.alert_id)`.execute(
      db,
    );
    await db.schema.alterTable('hub_alerts').addColumn('ack_by', 'text').execute();
    await db.schema.alterTable('hub_alerts').addColumn('ack_at', ms).execute();
  },
};
