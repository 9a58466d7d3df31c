// The call-handling tables (migration 0014), beside the hub's: each alert's first answer and the
// outcome it was closed with. An alert is named by gateway and alert id; the hub's own alerts by
// HUB_GATEWAY and their key, which no home can be (a gateway id is lower-case letters, digits, -
// and _), so a home cannot answer or close one of the hub's by naming its own alert so.
import type { Kysely, Transaction } from 'kysely';
import type { ConsoleDb } from './console-tables.ts';
import type { PushDb } from './push-tables.ts';
import type { HubDb } from './tables.ts';

export const HUB_GATEWAY = '#hub';

/** An alert of a home, or one of the hub's own (gateway HUB_GATEWAY, alertId its key). */
export type CallRef = { gateway: string; alertId: string };
export const hubRef = (key: string): CallRef => ({ gateway: HUB_GATEWAY, alertId: key });
export const isHubRef = (r: CallRef): boolean => r.gateway === HUB_GATEWAY;

/** The first acknowledgement or claim: who, how ('ack', 'handling', 'way', 'close') and when. */
export type AlertAnswersTable = { gateway: string; alert_id: string; staff: string; how: string; at: number };

export type AlertClosuresTable = {
  gateway: string;
  alert_id: string;
  /** One of the hub file's console.outcomes codes, as it was when closed. */
  outcome: string;
  note: string | null;
  staff: string;
  at: number;
};

export type CallDb = ConsoleDb &
  PushDb & {
    alert_answers: AlertAnswersTable;
    alert_closures: AlertClosuresTable;
  };

/** The hub's database seen with the call tables too (the migration list holds them). */
export const callDb = (db: Kysely<HubDb> | Kysely<ConsoleDb>): Kysely<CallDb> =>
  db as unknown as Kysely<CallDb>;
export const callTx = (t: Transaction<HubDb>): Transaction<CallDb> => t as unknown as Transaction<CallDb>;
