// What a batch of messages does to each home's row: every message says the home is alive, a
// heartbeat or a status says more. Pure: the row as the database holds it (or none) and the
// home's messages in the order they arrived, in; the row to write, out. The store reads the rows
// of a batch's homes, folds each here and writes them all back in one statement, so a thousand
// homes' heartbeats are two round trips, not a thousand.
import type { Incoming } from './incoming.ts';

/** The columns of `homes` a message may change. */
export type HomeSaid = {
  last_seen_at: number | null;
  last_heartbeat_at: number | null;
  queue_depth: number | null;
  queue_growth: number;
  clock_skew_ms: number | null;
  clock_skew_count: number;
  status: string | null;
  status_at: number | null;
  hearth_version: string | null;
  oldest_undelivered_alert_s: number | null;
  storage_fault: string | null;
};

export const HOME_SAID_COLUMNS = [
  'last_seen_at',
  'last_heartbeat_at',
  'queue_depth',
  'queue_growth',
  'clock_skew_ms',
  'clock_skew_count',
  'status',
  'status_at',
  'hearth_version',
  'oldest_undelivered_alert_s',
  'storage_fault',
] as const satisfies readonly (keyof HomeSaid)[];

/** A home the hub has not heard of yet. */
export const UNHEARD: HomeSaid = {
  last_seen_at: null,
  last_heartbeat_at: null,
  queue_depth: null,
  queue_growth: 0,
  clock_skew_ms: null,
  clock_skew_count: 0,
  status: null,
  status_at: null,
  hearth_version: null,
  oldest_undelivered_alert_s: null,
  storage_fault: null,
};

export type Arrival = { incoming: Incoming; receivedAt: number };

/**
 * The row after `arrivals`, in order; `heartbeatMs` is the home's interval, for the skew. One
 * copy of the row, changed in place message by message, not a new row a message: heartbeats are
 * most of what the hub receives, and each one's eleven-column copies were garbage at once.
 */
export function touchHome(
  row: HomeSaid,
  arrivals: readonly Arrival[],
  heartbeatMs: number,
  clockSkewMs: number,
): HomeSaid {
  const h = { ...row };
  for (const { incoming: i, receivedAt } of arrivals) {
    // Heard from: any message but "offline", which is most often its last will, published by
    // the broker when the home had already gone quiet.
    const spoke = !(i.type === 'status' && i.msg.state === 'offline');
    if (spoke) h.last_seen_at = Math.max(h.last_seen_at ?? receivedAt, receivedAt);
    if (i.type === 'heartbeat') {
      const depth = i.msg.queue_depth;
      // The skew and the queue's growth read the row as the previous message left it, so its
      // heartbeat time and queue depth change only after them.
      skew(h, Date.parse(i.msg.at) - receivedAt, receivedAt, heartbeatMs, clockSkewMs);
      // Heartbeats in a row with a deeper queue: a home that cannot deliver.
      h.queue_growth = h.queue_depth !== null && h.queue_depth < depth ? h.queue_growth + 1 : 0;
      h.last_heartbeat_at = receivedAt;
      h.queue_depth = depth;
    } else if (i.type === 'status') {
      const m = i.msg;
      h.status = m.state;
      h.status_at = receivedAt;
      h.hearth_version = m.versions.hearth;
      if (m.queue_depth !== undefined) h.queue_depth = m.queue_depth;
      if (m.oldest_undelivered_alert_s !== undefined)
        h.oldest_undelivered_alert_s = m.oldest_undelivered_alert_s;
      if (m.storage_fault !== undefined) h.storage_fault = m.storage_fault;
    }
  }
  return h;
}

/**
 * A heartbeat's `at` minus its arrival. A backlog after an outage arrives all at once and says
 * the clock is hours behind; a clock that really is says so again an interval later. So a skew
 * beyond the limit counts only from heartbeats at least half an interval apart, and is believed
 * from the second; a skew within the limit is believed at once. Sets the row's two skew columns.
 */
function skew(h: HomeSaid, sample: number, receivedAt: number, heartbeatMs: number, limit: number): void {
  if (Math.abs(sample) < limit) {
    h.clock_skew_ms = sample;
    h.clock_skew_count = 0;
    return;
  }
  const spaced = h.last_heartbeat_at === null || receivedAt - h.last_heartbeat_at >= heartbeatMs / 2;
  const count = spaced ? h.clock_skew_count + 1 : h.clock_skew_count;
  h.clock_skew_count = count;
  if (count >= 2) h.clock_skew_ms = sample;
}
