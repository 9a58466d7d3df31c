// What the broker does with a message for a client that is not reading (a dashboard on stalled
// Wi-Fi, a tablet asleep): past a bound on the bytes waiting for it, its QoS 0 messages are
// dropped (MQTT allows it) and its QoS 1 messages still sent up to a harder bound; a client that
// stays behind, or passes the harder bound, is disconnected. Pure: the backlog and time are given.

export type BacklogLimits = {
  /** Bytes waiting for one client past which its QoS 0 messages are dropped. */
  maxBytes: number;
  /** Over `maxBytes` this long: the client is disconnected. */
  stalledMs: number;
};

/** A QoS 1 message cannot be dropped: it is sent over `maxBytes`, up to this many times it. */
const HARD_FACTOR = 4;

export type Forward =
  | { action: 'send'; overSince: number | null }
  | { action: 'drop'; overSince: number }
  | { action: 'close'; overSince: number; reason: string };

/**
 * One message for a client with `backlog` bytes still waiting; `overSince` is when it went over
 * the bound (null when it is not), and comes back updated.
 */
export function forward(
  backlog: number,
  qos: number,
  overSince: number | null,
  now: number,
  limits: BacklogLimits,
): Forward {
  if (backlog <= limits.maxBytes) return { action: 'send', overSince: null };
  const since = overSince ?? now;
  const close = (why: string): Forward => ({
    action: 'close',
    overSince: since,
    reason: `${backlog} bytes ${why}`,
  });
  if (now - since >= limits.stalledMs) return close(`not read for ${Math.round((now - since) / 1000)} s`);
  if (qos === 0) return { action: 'drop', overSince: since };
  if (backlog > HARD_FACTOR * limits.maxBytes)
    return close('not read, and a QoS 1 message cannot be dropped');
  return { action: 'send', overSince: since };
}
