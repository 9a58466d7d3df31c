// The windowed drain: the outbox published to the trust broker with QoS 1, in order, at most
// WINDOW messages unacknowledged, each row removed only on the broker's PUBACK (or, with
// relay.receipts, one the hub receipts kept until its receipt: receipts.ts); and the watch that
// tells the home (and the log) when an alert waits longer than it should.

import { awaitsReceipt, type OutboxRow } from './outbox.ts';
import { type RelayDeps, type RelayLimits, retryAt } from './relay-deps.ts';
import type { Session } from './session.ts';

/** Messages published and not yet acknowledged, at most: enough to fill a fast link. */
export const WINDOW = 256;

export class Drain {
  readonly #d: RelayDeps;
  readonly #session: Session;
  readonly #watch: DeliveryWatch;
  readonly #limits: RelayLimits;
  #inflight = new Set<number>();
  #lastSent = 0;

  constructor(d: RelayDeps, limits: RelayLimits, session: Session, watch: DeliveryWatch) {
    this.#d = d;
    this.#limits = limits;
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
        if (this.#stale(row)) {
          outbox.unit(() => outbox.remove(row.seq), false);
          counters.add('relay.stale_heartbeats');
          continue;
        }
        this.#inflight.add(row.seq);
        client.publish(row.topic, row.payload, this.#publishOptions(row), (err) => {
          // Without a PUBACK the row stays: it goes again on the next connection.
          if (err || client !== this.#session.client) return;
          this.#inflight.delete(row.seq);
          if (this.#d.config.relay?.receipts && awaitsReceipt(row))
            outbox.unit(
              () => outbox.awaitReceipt(row.seq, retryAt(this.#d.clock.now(), 1, this.#limits), 1),
              false,
            );
          else outbox.unit(() => outbox.remove(row.seq), false);
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

  /** Sends one message again (it awaits a receipt), outside the drain's order and window. */
  resend(row: OutboxRow): boolean {
    const client = this.#session.client;
    if (!client?.connected) return false;
    // Its PUBACK changes nothing: the row already waits for its receipt, and goes again if none comes.
    client.publish(row.topic, row.payload, this.#publishOptions(row), () => {});
    return true;
  }

  /**
   * A heartbeat queued more than two intervals ago (its message expiry) says nothing the hub
   * needs: the status sent on connecting, and the next heartbeat, say the home is alive now. A
   * town whose power comes back would otherwise send the trust an hour of them from every home.
   */
  #stale(row: OutboxRow): boolean {
    return row.type === 'heartbeat' && this.#d.clock.now() - row.created_at > this.#heartbeatLifeMs();
  }

  /** How long a heartbeat means anything: two intervals (its message expiry at the broker too). */
  #heartbeatLifeMs(): number {
    return 2 * this.#d.config.schedules.heartbeat;
  }

  #publishOptions(row: OutboxRow) {
    if (this.#session.protocol === 4) return { qos: 1 as const };
    return {
      qos: 1 as const,
      properties: {
        userProperties: { id: row.id, ...this.#session.signer().sign(row.topic, row.payload) },
        ...(row.type === 'heartbeat'
          ? { messageExpiryInterval: Math.ceil(this.#heartbeatLifeMs() / 1000) }
          : {}),
      },
    };
  }
}

/**
 * Is an alert waiting longer than it should, for the trust broker or (relay.receipts) for the
 * hub's receipt? Tells the home (and the log) when that changes.
 */
export class DeliveryWatch {
  readonly #d: RelayDeps;
  readonly #limits: RelayLimits;
  readonly #session: Session;
  #undelivered = false;
  #unconfirmed = false;

  constructor(d: RelayDeps, limits: RelayLimits, session: Session) {
    this.#d = d;
    this.#limits = limits;
    this.#session = session;
  }

  get undelivered(): boolean {
    return this.#undelivered;
  }

  get unconfirmed(): boolean {
    return this.#unconfirmed;
  }

  /** Looks again; true when what the home is told has changed. */
  check(): boolean {
    const { outbox, clock, config } = this.#d;
    const now = clock.now();
    const ageOf = (at: number | null) => (at === null ? null : now - at);
    const age = ageOf(outbox.stats().oldestAlertAt);
    const unconfirmedAge = config.relay?.receipts ? ageOf(outbox.receipts().oldestAlertAt) : null;
    const undelivered = age !== null && age >= this.#limits.undeliveredAfterMs;
    const unconfirmed = unconfirmedAge !== null && unconfirmedAge >= this.#limits.unconfirmedAfterMs;
    if (undelivered === this.#undelivered && unconfirmed === this.#unconfirmed) return false;
    this.#say(undelivered, age, unconfirmed, unconfirmedAge);
    this.#undelivered = undelivered;
    this.#unconfirmed = unconfirmed;
    const s = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));
    this.#d.onDelivery?.({
      undelivered,
      oldestAlertAgeS: s(age),
      unconfirmed,
      oldestUnconfirmedAlertAgeS: s(unconfirmedAge),
      reason: undelivered ? this.#why() : unconfirmed ? UNCONFIRMED : null,
    });
    return true;
  }

  #why(): string {
    return (
      this.#session.lastError ??
      (this.#session.connected
        ? 'the trust broker has not acknowledged it'
        : 'no connection to the trust broker')
    );
  }

  #say(undelivered: boolean, age: number | null, unconfirmed: boolean, unconfirmedAge: number | null): void {
    const { log } = this.#d;
    const s = (ms: number | null) => Math.round((ms ?? 0) / 1000);
    if (undelivered !== this.#undelivered) {
      if (undelivered)
        log.error(
          { oldest_alert_age_s: s(age) },
          `relay: an alert has not reached the trust for ${s(age)} s: ${this.#why()}`,
        );
      else log.info('relay: every alert has reached the trust broker again');
    }
    if (unconfirmed !== this.#unconfirmed) {
      if (unconfirmed)
        log.error(
          { oldest_unconfirmed_alert_age_s: s(unconfirmedAge) },
          `relay: cannot confirm delivery: ${UNCONFIRMED} for ${s(unconfirmedAge)} s`,
        );
      else log.info('relay: the hub has confirmed every alert again');
    }
  }
}

const UNCONFIRMED = 'the trust broker took an alert, and the hub has not confirmed storing it (no receipt)';
