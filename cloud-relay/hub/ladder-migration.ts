// The escalation ladder, as a hub migration of its own: each resident's responders in order
// (a member of staff or an ntfy address, and how long to wait for them), and which rung each
// alert has reached and when (one row per rung: instances racing to push a rung insert it once).
// Only column types both dialects know.
import type { Kysely, Migration } from 'kysely';

export const ladderMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('ladder_rungs')
      .addColumn('resident', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('wait_min', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('ladder_rungs_pk', ['resident', 'position'])
      .execute();
    await db.schema
      .createTable('alert_escalations')
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('alert_id', 'text', (c) => c.notNull())
      .addColumn('rung', 'integer', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('alert_escalations_pk', ['gateway', 'alert_id', 'rung'])
      .execute();
  },
};
