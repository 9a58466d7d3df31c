// The push outbox's table, beside the hub's and the console's: each row one message to one
// person's phone on one channel, written in the transaction that stored what caused it, and sent
// by whichever hub instance claims it first. Same columns on PostgreSQL and SQLite.
import type { ColumnType, Kysely, Transaction } from 'kysely';
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

/** A phone's Web Push subscription, as its browser gave it (RFC 8030 endpoint, RFC 8291 keys). */
export type PushSubscriptionsTable = {
  /** sha256 of the endpoint: one row per phone, whoever signed in on it last. */
  id: string;
  staff: string;
  endpoint: string;
  /** The phone's P-256 public key and auth secret, base64url. */
  p256dh: string;
  auth: string;
  created: number;
};

/** "I'm on my way": who claimed an alert and when; colleagues see it on the queue. */
/** `kind` (migration 0014): 'way', "I'm on my way"; 'handling', "I'm handling this". */
export type AlertClaimsTable = {
  gateway: string;
  alert_id: string;
  staff: string;
  at: number;
  kind: ColumnType<string, string | undefined, string>;
};

/** Action tokens used, until they would have expired anyway: a replay is refused. */
export type PushTokensUsedTable = { id: string; used_at: number; expires_at: number };

/** One rung of a resident's ladder: a member of staff or an ntfy address, and the wait for them. */
export type LadderRungsTable = {
  resident: string;
  position: number;
  kind: 'staff' | 'ntfy';
  /** The staff name, or the ntfy topic URL. */
  target: string;
  wait_min: number;
};

/** The rungs an alert has been pushed to, and when (the centre is the rung after the last). */
export type AlertEscalationsTable = { gateway: string; alert_id: string; rung: number; at: number };

export type PushDb = ConsoleDb & {
  ladder_rungs: LadderRungsTable;
  alert_escalations: AlertEscalationsTable;
  push_outbox: PushOutboxTable;
  push_subscriptions: PushSubscriptionsTable;
  alert_claims: AlertClaimsTable;
  push_tokens_used: PushTokensUsedTable;
};

/** The hub's database seen with the push tables too (the migration list holds them). */
export const pushDb = (db: Kysely<HubDb> | Kysely<ConsoleDb>): Kysely<PushDb> =>
  db as unknown as Kysely<PushDb>;
export const pushTx = (t: Transaction<HubDb>): Transaction<PushDb> => t as unknown as Transaction<PushDb>;
