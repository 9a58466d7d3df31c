// The PostgreSQL types of the columns the intake writes a batch at a time, for the arrays they
// travel in (pg-arrays.ts); `homes` is in home-rows.ts.
import type { PgColumns } from './pg-arrays.ts';

export const MESSAGE_ID_COLUMNS = {
  gateway: 'text',
  id: 'text',
  received_at: 'bigint',
} as const satisfies PgColumns<{ gateway: string; id: string; received_at: number }>;

export const ALERT_HISTORY_COLUMNS = {
  message_id: 'text',
  gateway: 'text',
  alert_id: 'text',
  state: 'text',
  at: 'text',
  at_ms: 'bigint',
  received_at: 'bigint',
  severity: 'text',
  reason: 'text',
} as const;

export const ALERT_COLUMNS = {
  state: 'text',
  rank: 'integer',
  severity: 'text',
  reason: 'text',
  state_at: 'text',
  state_at_ms: 'bigint',
  state_received_at: 'bigint',
  state_order_ms: 'bigint',
  message_id: 'text',
  gateway: 'text',
  alert_id: 'text',
  resident: 'text',
  rule: 'text',
  room: 'text',
  device: 'text',
  first_at: 'text',
  first_received_at: 'bigint',
  ack_by: 'text',
  ack_command_id: 'text',
  ack_requested_at: 'bigint',
  ack_confirmed_at: 'bigint',
} as const;
