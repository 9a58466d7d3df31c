// What the relay is given, and the bounds it keeps: shared by the relay's parts (relay.ts puts
// them together).
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import type { Zone } from '../../core/zone.ts';
import { type Envelope, envelope, type MessageType } from '../protocol/messages.ts';
import type { CommandHandlers } from './command-table.ts';
import type { CommandLog, Outbox, OutboxRow } from './outbox.ts';

export type RelayLimits = {
  maxRows: number;
  maxBytes: number;
  undeliveredAfterMs: number;
  watchEveryMs: number;
  reconnectCapMs: number;
  /** MQTT keep-alive: a link that answers nothing (a dead router) is given up after about 1.5x. */
  keepaliveS: number;
  /** A CONNECT unanswered this long is given up and tried again. */
  connectTimeoutMs: number;
};
export const DEFAULT_LIMITS: RelayLimits = {
  maxRows: 500_000,
  maxBytes: 256 * 1024 * 1024,
  undeliveredAfterMs: 120_000,
  watchEveryMs: 10_000,
  reconnectCapMs: 60_000,
  keepaliveS: 30,
  connectTimeoutMs: 10_000,
};

export type DeliveryState = { undelivered: boolean; oldestAlertAgeS: number | null; reason: string | null };

export type RelayDeps = {
  config: Config;
  /** What the relay drains to the trust, and where its own messages are queued. */
  outbox: Outbox;
  /** The commands answered, by id. */
  commandLog: CommandLog;
  clock: Clock;
  zone: Zone;
  log: Logger;
  counters: Counters;
  version: string;
  commands: CommandHandlers;
  limits?: Partial<RelayLimits>;
  onDelivery?: (s: DeliveryState) => void;
  /** Each row the trust broker acknowledged (for measurements). */
  onDelivered?: (row: OutboxRow) => void;
};

/** The limits of the provisioning file (relay.queue, relay.alert_undelivered_after), then the caller's. */
export function limitsOf(d: RelayDeps): RelayLimits {
  const r = d.config.relay;
  return {
    ...DEFAULT_LIMITS,
    ...(r
      ? {
          maxRows: r.queue.max_rows,
          maxBytes: r.queue.max_bytes,
          undeliveredAfterMs: r.alert_undelivered_after,
        }
      : {}),
    ...d.limits,
  };
}

/** The envelope of a message the relay makes itself (status, heartbeat, cmd_result), dated now. */
export function ownEnvelope<T extends MessageType>(d: RelayDeps, type: T, id: string): Envelope<T> {
  const { config, clock, zone } = d;
  return envelope({
    id,
    type,
    gateway: config.gateway.id,
    resident: config.gateway.resident,
    at: zone.iso(clock.now()),
  });
}
