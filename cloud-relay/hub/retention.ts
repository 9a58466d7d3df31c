// How long the hub keeps each kind of record (the hub file's `retention`), enforced a small
// batch at a time: each delete is a short transaction of its own, so storing a home's message
// never waits long behind one. Any instance may run it; deleting twice deletes nothing more.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { ConsoleDb } from './console-tables.ts';
import { deleteClosedAlerts, deleteResolvedHubAlerts } from './retention-alerts.ts';
import type { HubDb } from './tables.ts';

export type RetentionPeriods = {
  messages: number;
  rejected: number;
  audit: number;
  sessions: number;
  /** The periods below are kept for ever when not given (a hub file always gives them). */
  summaries?: number;
  alerts?: number;
  test_calls?: number;
  commands?: number;
  fhir_sent?: number;
  pushes?: number;
  push_tokens?: number;
};

type Target = {
  table: string;
  key: string[];
  /** Epoch-ms columns, the first not null counting: when the row's retention starts. */
  time: string[];
  /** Only rows that are done with (a sent row, a failed push). */
  only?: RawBuilder<unknown>;
  period: keyof RetentionPeriods;
};

/** Each table by the columns that name a row, the time its retention counts from, and its period. */
const TARGETS = {
  message_ids: { table: 'message_ids', key: ['gateway', 'id'], time: ['received_at'], period: 'messages' },
  rejected: { table: 'rejected', key: ['key'], time: ['received_at'], period: 'rejected' },
  audit: { table: 'audit', key: ['id'], time: ['at'], period: 'audit' },
  // A session is deleted a while after it was last used: long after any idle or absolute limit.
  sessions: { table: 'sessions', key: ['id'], time: ['seen_at'], period: 'sessions' },
  // A day's summary and night by the hub's order time (the home's, capped at its arrival).
  summaries: {
    table: 'summaries',
    key: ['resident', 'date'],
    time: ['order_ms', 'at_ms'],
    period: 'summaries',
  },
  nights: { table: 'nights', key: ['resident', 'date'], time: ['order_ms'], period: 'summaries' },
  test_calls: {
    table: 'test_calls',
    key: ['gateway', 'alert_id'],
    time: ['stored_at'],
    period: 'test_calls',
  },
  commands: { table: 'commands', key: ['id'], time: ['sent_at'], period: 'commands' },
  fhir_sent: {
    table: 'fhir_outbox',
    key: ['resident', 'date'],
    time: ['sent_at'],
    only: sql`sent_at is not null`,
    period: 'fhir_sent',
  },
  // A push is deleted once sent; what stays is a push that failed, kept to show it did.
  pushes: {
    table: 'push_outbox',
    key: ['id'],
    time: ['created'],
    only: sql`state = 'failed'`,
    period: 'pushes',
  },
  push_tokens: { table: 'push_tokens_used', key: ['id'], time: ['expires_at'], period: 'push_tokens' },
} satisfies Record<string, Target>;

export type RetentionResult = Record<keyof typeof TARGETS | 'alerts', number> & { batches: number };

const yieldToIo = () => new Promise<void>((r) => setImmediate(r));

const timeOf = (t: Target) =>
  t.time.length === 1
    ? sql.ref(t.time[0] as string)
    : sql`coalesce(${sql.join(t.time.map((c) => sql.ref(c)))})`;

/** Deletes up to `batch` rows of `t` older than `before`; how many it deleted. */
async function deleteBatch(db: Kysely<ConsoleDb>, t: Target, before: number, batch: number) {
  const keys = sql.join(t.key.map((k) => sql.ref(k)));
  const r = await sql`delete from ${sql.table(t.table)} where (${keys}) in (
      select ${keys} from ${sql.table(t.table)} where ${timeOf(t)} < ${before}
      and ${t.only ?? sql`1 = 1`} limit ${batch})`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

export async function enforceRetention(
  hub: Kysely<HubDb>,
  now: number,
  periods: RetentionPeriods,
  batch: number,
): Promise<RetentionResult> {
  const db = hub as unknown as Kysely<ConsoleDb>;
  const out = { alerts: 0, batches: 0 } as RetentionResult;
  for (const [name, t] of Object.entries(TARGETS) as [keyof typeof TARGETS, Target][]) {
    out[name] = 0;
    const period = periods[t.period];
    if (period === undefined) continue;
    const before = now - period;
    for (;;) {
      const n = await deleteBatch(db, t, before, batch);
      out[name] += n;
      out.batches++;
      if (n < batch) break;
      await yieldToIo();
    }
  }
  if (periods.alerts !== undefined)
    for (const remove of [deleteClosedAlerts, deleteResolvedHubAlerts])
      for (;;) {
        const n = await remove(db, now - periods.alerts, batch);
        out.alerts += n;
        out.batches++;
        if (n < batch) break;
        await yieldToIo();
      }
  return out;
}
