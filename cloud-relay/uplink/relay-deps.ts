// What the relay is given, and the bounds it keeps: shared by the relay's parts (relay.ts puts
// them together).

import type { Config } from '../../config/schema.ts';
import { doubling } from '../../core/backoff.ts';
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
  /** With receipts: an alert the hub has not confirmed this long is a fault in the home. */
  unconfirmedAfterMs: number;
  /** With receipts: a message the broker took goes again when no receipt came this long after... */
  receiptWaitMs: number;
  /** ...and the wait doubles each time it goes again, up to this. */
  receiptWaitCapMs: number;
  /** How often due messages are sent again, and at most how many each time: never a flood. */
  resendEveryMs: number;
  resendPerPass: number;
};
export const DEFAULT_LIMITS: RelayLimits = {
  maxRows: 500_000,
  maxBytes: 256 * 1024 * 1024,
  undeliveredAfterMs: 120_000,
  watchEveryMs: 10_000,
  reconnectCapMs: 60_000,
  keepaliveS: 30,
  connectTimeoutMs: 10_000,
  unconfirmedAfterMs: 600_000,
  // The hub receipts within a second of storing; a minute covers a hub catching up a backlog.
  receiptWaitMs: 60_000,
  receiptWaitCapMs: 30 * 60_000,
  resendEveryMs: 10_000,
  resendPerPass: 100,
};

/** When a message sent for the `attempts`-th time goes again if no receipt names it: pure. */
export function retryAt(
  now: number,
  attempts: number,
  l: Pick<RelayLimits, 'receiptWaitMs' | 'receiptWaitCapMs'>,
): number {
  return now + doubling(attempts, l.receiptWaitMs, l.receiptWaitCapMs);
}

/**
 * Whether alerts reach the trust: `undelivered`, one has not reached the trust broker in time;
 * `unconfirmed` (relay.receipts), one the broker took has no receipt from the hub in time.
 */
export type DeliveryState = {
  undelivered: boolean;
  oldestAlertAgeS: number | null;
  unconfirmed: boolean;
  oldestUnconfirmedAlertAgeS: number | null;
  reason: string | null;
};

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
  /** Each message sent again for want of a receipt, and the ids each receipt named (for the tests). */
  onResent?: (row: OutboxRow) => void;
  onReceipt?: (ids: readonly string[]) => void;
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
          unconfirmedAfterMs: r.alert_unconfirmed_after,
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
