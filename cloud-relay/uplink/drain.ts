// The windowed drain: the outbox published to the trust broker with QoS 1, in order, at most
// WINDOW messages unacknowledged, each row removed only on the broker's PUBACK; and the watch
// that tells the home (and the log) when an alert waits longer than it should.

import type { OutboxRow } from './outbox.ts';
import type { RelayDeps, RelayLimits } from './relay-deps.ts';
import type { Session } from './session.ts';

/** Messages published and not yet acknowledged, at most: enough to fill a fast link. */
export const WINDOW = 256;

export class Drain {
  readonly #d: RelayDeps;
  readonly #session: Session;
  readonly #watch: DeliveryWatch;
  #inflight = new Set<number>();
  #lastSent = 0;

  constructor(d: RelayDeps, session: Session, watch: DeliveryWatch) {
    this.#d = d;
    this.#session = session;
    this.#watch = watch;
  }

  /** A new connection: what was in flight on the last one goes again, from the oldest row. */
  reset(): void {
    this.#inflight.clear();
    this.#lastSent = 0;
  }

  /** Publishes what fits in the window, if the link is up. */
  run(): void {
    const client = this.#session.client;
    if (!client?.connected) return;
    const { outbox, counters } = this.#d;
    while (this.#inflight.size < WINDOW) {
      const rows = outbox.peekAfter(this.#lastSent, WINDOW - this.#inflight.size);
      if (rows.length === 0) break;
      for (const row of rows) {
        this.#lastSent = row.seq;
        this.#inflight.add(row.seq);
        client.publish(row.topic, row.payload, this.#publishOptions(row), (err) => {
          // Without a PUBACK the row stays: it goes again on the next connection.
          if (err || client !== this.#session.client) return;
          this.#inflight.delete(row.seq);
          outbox.unit(() => outbox.remove(row.seq), false);
          counters.add('relay.delivered');
          this.#d.onDelivered?.(row);
          // Only a flagged delay needs a fresh look; the periodic watch covers the rest.
          if (row.type === 'alert' && this.#watch.undelivered) this.#watch.check();
          // Refill in batches: one query per half window, not one per acknowledgement.
          if (this.#inflight.size <= WINDOW / 2) this.run();
        });
      }
    }
  }

  #publishOptions(row: OutboxRow) {
    if (this.#session.protocol === 4) return { qos: 1 as const };
    return {
      qos: 1 as const,
      properties: {
        userProperties: { id: row.id, ...this.#session.signer().sign(row.topic, row.payload) },
        ...(row.type === 'heartbeat'
          ? { messageExpiryInterval: Math.ceil((2 * this.#d.config.schedules.heartbeat) / 1000) }
          : {}),
      },
    };
  }
}

/** Is an alert waiting longer than it should? Tells the home (and the log) when that changes. */
export class DeliveryWatch {
  readonly #d: RelayDeps;
  readonly #limits: RelayLimits;
  readonly #session: Session;
  #undelivered = false;

  constructor(d: RelayDeps, limits: RelayLimits, session: Session) {
    this.#d = d;
    this.#limits = limits;
    this.#session = session;
  }

  get undelivered(): boolean {
    return this.#undelivered;
  }

  check(): void {
    const { outbox, clock, log } = this.#d;
    const { oldestAlertAt } = outbox.stats();
    const age = oldestAlertAt === null ? null : clock.now() - oldestAlertAt;
    const undelivered = age !== null && age >= this.#limits.undeliveredAfterMs;
    if (undelivered === this.#undelivered) return;
    this.#undelivered = undelivered;
    const reason = undelivered
      ? (this.#session.lastError ??
        (this.#session.connected
          ? 'the trust broker has not acknowledged it'
          : 'no connection to the trust broker'))
      : null;
    if (undelivered)
      log.error(
        { oldest_alert_age_s: Math.round((age ?? 0) / 1000) },
        `relay: an alert has not reached the trust for ${Math.round((age ?? 0) / 1000)} s: ${reason}`,
      );
    else log.info('relay: every alert has reached the trust broker again');
    this.#d.onDelivery?.({
      undelivered,
      oldestAlertAgeS: age === null ? null : Math.round(age / 1000),
      reason,
    });
  }
}
