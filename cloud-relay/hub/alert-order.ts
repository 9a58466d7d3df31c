// The order of an alert's states (DESIGN.md section 4): a message that arrives late or out of
// order never moves an alert back. Pure.
import type { AlertState } from '../protocol/messages.ts';

export const STATE_RANK: Readonly<Record<AlertState, number>> = {
  'pre-alert': 0,
  raised: 1,
  escalated: 2,
  acknowledged: 3,
  resolved: 4,
  cancelled: 4,
};

/** States after which nobody need act. */
export const closed = (state: string): boolean => state === 'resolved' || state === 'cancelled';

/** An ack asked for by the care team is pending until the home says acknowledged (or later). */
export const ackPending = (a: {
  rank: number;
  ack_requested_at: number | null;
  ack_confirmed_at: number | null;
}) => a.ack_requested_at !== null && a.ack_confirmed_at === null && a.rank < STATE_RANK.acknowledged;
