// The sign-in budget's table, as a hub migration of its own (registered in the hub's list after
// the console's first). One row per name or address that has tried lately: the time its bucket
// is next full again (`tat`, the theoretical arrival time of a generic cell rate algorithm), and
// when its slowing was last written to the audit log. Only column types both dialects know.
import type { Kysely, Migration } from 'kysely';

export const signinBudgetMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('signin_budget')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('tat', 'bigint', (c) => c.notNull())
      .addColumn('noted_at', 'bigint')
      .execute();
    // Full buckets are deleted by age: an index, so that takes no scan.
    await db.schema.createIndex('signin_budget_tat').on('signin_budget').column('tat').execute();
  },
};
