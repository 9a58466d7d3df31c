// How long the hub keeps each kind of record (the hub file's `retention`), enforced a small
// batch at a time: each delete is a short transaction of its own, so storing a home's message
// never waits long behind one. Any instance may run it; deleting twice deletes nothing more.
import { type Kysely, sql } from 'kysely';
import type { ConsoleDb } from './console-tables.ts';
import type { HubDb } from './tables.ts';

export type RetentionPeriods = { messages: number; rejected: number; audit: number; sessions: number };
export type RetentionResult = {
  message_ids: number;
  rejected: number;
  audit: number;
  sessions: number;
  batches: number;
};

type Target = { table: keyof RetentionPeriods extends never ? never : string; key: string[]; time: string };

/** Each table by the columns that name a row and the time its retention counts from. */
const TARGETS: Record<
  Exclude<keyof RetentionResult, 'batches'>,
  Target & { period: keyof RetentionPeriods }
> = {
  message_ids: { table: 'message_ids', key: ['gateway', 'id'], time: 'received_at', period: 'messages' },
  rejected: { table: 'rejected', key: ['key'], time: 'received_at', period: 'rejected' },
  audit: { table: 'audit', key: ['id'], time: 'at', period: 'audit' },
  // A session is deleted a while after it was last used: long after any idle or absolute limit.
  sessions: { table: 'sessions', key: ['id'], time: 'seen_at', period: 'sessions' },
};

const yieldToIo = () => new Promise<void>((r) => setImmediate(r));

/** Deletes up to `batch` rows of `t` older than `before`; how many it deleted. */
async function deleteBatch(db: Kysely<ConsoleDb>, t: Target, before: number, batch: number) {
  const keys = sql.join(t.key.map((k) => sql.ref(k)));
  const r = await sql`delete from ${sql.table(t.table)} where (${keys}) in (
      select ${keys} from ${sql.table(t.table)} where ${sql.ref(t.time)} < ${before} limit ${batch})`.execute(
    db,
  );
  return Number(r.numAffectedRows ?? 0n);
}

export async function enforceRetention(
  hub: Kysely<HubDb>,
  now: number,
  periods: RetentionPeriods,
  batch: number,
): Promise<RetentionResult> {
  const db = hub as unknown as Kysely<ConsoleDb>;
  const out: RetentionResult = { message_ids: 0, rejected: 0, audit: 0, sessions: 0, batches: 0 };
  for (const [name, t] of Object.entries(TARGETS) as [
    keyof typeof TARGETS,
    (typeof TARGETS)[keyof typeof TARGETS],
  ][]) {
    const before = now - periods[t.period];
    for (;;) {
      const n = await deleteBatch(db, t, before, batch);
      out[name] += n;
      out.batches++;
      if (n < batch) break;
      await yieldToIo();
    }
  }
  return out;
}
