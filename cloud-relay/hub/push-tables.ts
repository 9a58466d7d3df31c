// The push outbox's table, beside the hub's and the console's: each row one message to one
// person's phone on one channel, written in the transaction that stored what caused it, and sent
// by whichever hub instance claims it first. Same columns on PostgreSQL and SQLite.
import type { Kysely, Transaction } from 'kysely';
import type { ConsoleDb } from './console-tables.ts';
import type { HubDb } from './tables.ts';

export const PUSH_CHANNELS = ['ntfy', 'webpush'] as const;
export type PushChannel = (typeof PUSH_CHANNELS)[number];

/** due -> sending (claimed, until `next_at`) -> deleted once sent, or due again, or failed. */
export type PushState = 'due' | 'sending' | 'failed';

export type PushOutboxTable = {
  id: string;
  /** The member of staff it is for. */
  recipient: string;
  channel: PushChannel;
  /** JSON of push-plan.ts's PushPayload. */
  payload: string;
  /** Claims so far; also the fence a finishing sender must still hold. */
  attempts: number;
  /** When it is due; while `sending`, when the claim lapses and another instance may take it. */
  next_at: number;
  state: PushState;
  last_error: string | null;
  created: number;
};

export type PushDb = ConsoleDb & { push_outbox: PushOutboxTable };

/** The hub's database seen with the push tables too (the migration list holds them). */
export const pushDb = (db: Kysely<HubDb>): Kysely<PushDb> => db as unknown as Kysely<PushDb>;
export const pushTx = (t: Transaction<HubDb>): Transaction<PushDb> => t as unknown as Transaction<PushDb>;
