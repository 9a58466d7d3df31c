// What a simulated home sends beside its heartbeats: alert episodes at a fleet's rate, the daily
// summary, and the outbox a home brings back after a time offline. Pure: each takes the time.
import type { HomeTopicKind } from '../../cloud-relay/protocol/messages.ts';
import { alert, heartbeat, status, summary } from './home-messages.ts';

export type Outgoing = { kind: HomeTopicKind; message: { id: string; type: string } };

const DAY_MS = 86_400_000;

/**
 * The wait until the fleet's next alert episode: each home starts episodes at random (a Poisson
 * process) at `perDay` a day, so the fleet's are one Poisson process at `homes` times that rate.
 * `u` is uniform in [0, 1).
 */
export function nextEpisodeIn(homes: number, perDay: number, u: number): number {
  return (-Math.log(1 - u) * DAY_MS) / (homes * perDay);
}

/**
 * One alert episode as a home sends it: raised, acknowledged by the care team after a while
 * (the home reports the state it was told), resolved at the end. `u` places the acknowledgement.
 */
export function episode(
  gw: string,
  resident: string,
  alertId: string,
  start: number,
  lastsMs: number,
  u: number,
): { afterMs: number; out: Outgoing }[] {
  const ackMs = Math.round(lastsMs * (0.2 + 0.3 * u));
  return [
    { afterMs: 0, out: { kind: 'alert', message: alert(gw, resident, alertId, 'raised', start) } },
    {
      afterMs: ackMs,
      out: { kind: 'alert', message: alert(gw, resident, alertId, 'acknowledged', start + ackMs) },
    },
    {
      afterMs: lastsMs,
      out: { kind: 'alert', message: alert(gw, resident, alertId, 'resolved', start + lastsMs) },
    },
  ];
}

/** Yesterday's summary (UTC), sent at `at`; its id carries the time, so a rerun is not a repeat. */
export function dailySummary(gw: string, resident: string, at: number): Outgoing {
  const date = new Date(at - DAY_MS).toISOString().slice(0, 10);
  return { kind: 'summary', message: summary(gw, resident, date, at, `${gw}-summary-${date}-${at}`) };
}

/** Heartbeats a backlog holds at most: an outbox's worth, bounded whatever the options. */
export const MAX_BACKLOG_HEARTBEATS = 1_440;

/**
 * What a home's outbox holds after `offlineMs` without its link, in the order it was queued, as
 * the relay (cloud-relay/uplink/status.ts) leaves it: a heartbeat every `heartbeatMs` (queued like
 * any message, each with the queue's depth when it was made) and an alert raised and resolved
 * meanwhile (nobody at the trust could acknowledge it). Then, first on the new connection, the
 * retained online status with the whole queue's depth; then the queue, less the heartbeats older
 * than two intervals, which the relay's drain drops (cloud-relay/uplink/drain.ts).
 */
export function backlog(
  gw: string,
  resident: string,
  alertId: string,
  now: number,
  offlineMs: number,
  heartbeatMs: number,
): { online: Outgoing; queued: Outgoing[] } {
  const from = now - offlineMs;
  const raisedAt = from + Math.round(offlineMs / 3);
  const resolvedAt = from + Math.round((2 * offlineMs) / 3);
  const beats = Math.min(MAX_BACKLOG_HEARTBEATS, Math.floor(offlineMs / heartbeatMs));
  const timed: { at: number; make: (depth: number) => Outgoing }[] = [
    {
      at: raisedAt,
      make: () => ({ kind: 'alert', message: alert(gw, resident, alertId, 'raised', raisedAt) }),
    },
    {
      at: resolvedAt,
      make: () => ({ kind: 'alert', message: alert(gw, resident, alertId, 'resolved', resolvedAt) }),
    },
  ];
  for (let k = 0; k < beats; k++) {
    const at = from + k * heartbeatMs;
    timed.push({ at, make: (depth) => ({ kind: 'heartbeat', message: heartbeat(gw, resident, at, depth) }) });
  }
  timed.sort((a, b) => a.at - b.at);
  const online = status(gw, resident, 'online', now, { queue_depth: timed.length });
  // The relay's drain drops a heartbeat older than two intervals instead of sending it.
  const queued = timed
    .map((t, depth) => ({ at: t.at, out: t.make(depth) }))
    .filter(({ at, out }) => out.kind !== 'heartbeat' || now - at <= 2 * heartbeatMs)
    .map(({ out }) => out);
  return { online: { kind: 'status', message: online }, queued };
}
