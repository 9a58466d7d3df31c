// The hub's tables as Kysely sees them: the same columns on PostgreSQL and on SQLite. Times
// received or decided by the hub are epoch milliseconds (bigint); times a home wrote stay as
// its ISO text, next to their milliseconds for ordering.
import type { ColumnType, Generated } from 'kysely';

export type HomesTable = {
  gateway: string;
  resident: string;
  /** 1: listed in the hub file, watched even before it is first heard. */
  expected: number;
  heartbeat_ms: number;
  first_known_at: number;
  status: string | null;
  status_at: number | null;
  hearth_version: string | null;
  queue_depth: number | null;
  /** Heartbeats in a row whose queue was deeper than the one before. */
  queue_growth: Generated<number>;
  oldest_undelivered_alert_s: number | null;
  /** Why the home's storage is failing, while its status says so. */
  storage_fault: string | null;
  last_heartbeat_at: number | null;
  last_seen_at: number | null;
  /** The home's `at` minus the hub's receive time, on its last heartbeat. */
  clock_skew_ms: number | null;
  /** Heartbeats in a row, each at least half an interval after the one before, beyond the skew limit. */
  clock_skew_count: Generated<number>;
};

/** Each resident speaks through one gateway: the first one heard, or the hub file's. */
export type ResidentsTable = { resident: string; gateway: string; bound_at: number };

/** Ids of the messages each home sent, to drop repeats (at-least-once delivery, exactly-once effect). */
export type MessageIdsTable = { gateway: string; id: string; received_at: number };

export type AlertsTable = {
  gateway: string;
  alert_id: string;
  resident: string;
  rule: string;
  state: string;
  rank: number;
  severity: string;
  reason: string;
  room: string | null;
  device: string | null;
  first_at: string;
  state_at: string;
  state_at_ms: number;
  message_id: string;
  ack_by: string | null;
  ack_command_id: string | null;
  ack_requested_at: number | null;
  ack_confirmed_at: number | null;
  /** When the hub received its first state, and its current one: the queue's order. */
  first_received_at: number | null;
  state_received_at: number | null;
  /** The home's time of the current state, never later than it arrived: the order of its updates. */
  state_order_ms: number | null;
};

export type AlertHistoryTable = {
  message_id: string;
  gateway: string;
  alert_id: string;
  state: string;
  at: string;
  at_ms: number;
  received_at: number;
  severity: string;
  reason: string;
};

export type SummariesTable = {
  resident: string;
  date: string;
  gateway: string;
  message_id: string;
  at: string;
  at_ms: number;
  /** The home's `at`, but never later than the hub received it: a clock in 2999 does not win. */
  order_ms: number | null;
  json: string;
  fhir: string;
};

/** The night a home sends the morning it ends; the day's summary a day later carries it too. */
export type NightsTable = {
  resident: string;
  /** The morning the night ended on. */
  date: string;
  gateway: string;
  message_id: string;
  at: string;
  at_ms: number;
  /** As the summaries': the home's `at`, but never later than the hub received it. */
  order_ms: number;
  json: string;
};

/**
 * Each home's daily test call: sent (the home's time), stored (the hub's), acknowledged (by whom:
 * `hub` when the hub acknowledges by itself) and confirmed by the home. Complete once confirmed.
 */
export type TestCallsTable = {
  gateway: string;
  alert_id: string;
  resident: string;
  sent_at: string;
  sent_at_ms: number;
  stored_at: number;
  acked_at: number | null;
  acked_by: string | null;
  confirmed_at: number | null;
};

export type CommandsTable = {
  id: string;
  gateway: string;
  name: string;
  payload: string;
  alert_id: string | null;
  by: string | null;
  sent_at: number;
  /** sent -> confirmed | failed, or unconfirmed once command_timeout passes without a reply. */
  state: string;
  detail: string | null;
  result_at: number | null;
};

/** A command as it is recorded when sent: no reply yet (the ack and the mode command alike). */
export const sentCommand = (c: {
  id: string;
  gateway: string;
  name: string;
  payload: string;
  alertId?: string;
  by: string;
  at: number;
}): CommandsTable => ({
  id: c.id,
  gateway: c.gateway,
  name: c.name,
  payload: c.payload,
  alert_id: c.alertId ?? null,
  by: c.by,
  sent_at: c.at,
  state: 'sent',
  detail: null,
  result_at: null,
});

export type HubAlertsTable = {
  /** kind/gateway/episode: the same on every instance, so each alert is raised once. */
  key: string;
  gateway: string;
  kind: string;
  severity: string;
  reason: string;
  raised_at: number;
  raised_by: string;
  resolved_at: number | null;
  /** Who acknowledged it at the console (migration 0014): the hub's own alerts have no home to tell. */
  ack_by: ColumnType<string | null, string | null | undefined, string | null>;
  ack_at: ColumnType<number | null, number | null | undefined, number | null>;
};

export type RejectedTable = {
  /** A hash of topic and payload: the same bad message seen by two instances is one row. */
  key: string;
  topic: string;
  gateway: string | null;
  payload: string;
  reason: string;
  received_at: number;
  instance: string;
};

export type HubDb = {
  homes: HomesTable;
  message_ids: MessageIdsTable;
  residents: ResidentsTable;
  alerts: AlertsTable;
  alert_history: AlertHistoryTable;
  summaries: SummariesTable;
  nights: NightsTable;
  test_calls: TestCallsTable;
  commands: CommandsTable;
  hub_alerts: HubAlertsTable;
  rejected: RejectedTable;
};
