// An alert's updates of one state (another press while unanswered) are ordered by the home's own
// time, not by when an instance received them: instances sharing one subscription, and a home
// sending again what had no receipt, deliver a home's messages out of order. The home's time is
// capped at its arrival, as a summary's is, so that a clock in 2999 does not win for ever.
import { type Kysely, type Migration, sql } from 'kysely';

export const alertOrderMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('alerts').addColumn('state_order_ms', 'bigint').execute();
    await sql`update alerts set state_order_ms = case
      when state_received_at is not null and state_received_at < state_at_ms then state_received_at
      else state_at_ms end`.execute(db);
  },
};
