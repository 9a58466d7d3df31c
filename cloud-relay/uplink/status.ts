// What the relay says of itself to the trust: the retained status (online at connect and when
// the home's disk fails or recovers, offline as the last will and on a clean stop) and a
// heartbeat every schedules.heartbeat, queued in the outbox like any message; and the queue
// limit, kept as each heartbeat is queued.
import type { MqttClient } from 'mqtt';
import { heartbeatMessage, PROTOCOL_VERSION, statusMessage, topics } from '../protocol/messages.ts';
import type { Drain } from './drain.ts';
import { ownEnvelope, type RelayDeps, type RelayLimits } from './relay-deps.ts';
import type { Session } from './session.ts';

export class RelayStatus {
  readonly #d: RelayDeps;
  readonly #limits: RelayLimits;
  readonly #session: Session;
  readonly #drain: Drain;
  readonly #gw: string;
  #startedMono = 0;

  constructor(d: RelayDeps, limits: RelayLimits, session: Session, drain: Drain) {
    this.#d = d;
    this.#limits = limits;
    this.#session = session;
    this.#drain = drain;
    this.#gw = d.config.gateway.id;
  }

  /** From now on the heartbeat's uptime. */
  start(): void {
    this.#startedMono = this.#d.clock.monotonic();
  }

  publish(c: MqttClient | null, state: 'online' | 'offline', done?: () => void): void {
    const topic = topics.status(this.#gw);
    const payload = this.#status(state);
    c?.publish(topic, payload, { qos: 1, retain: true, ...this.#session.signed(topic, payload) }, () =>
      done?.(),
    );
  }

  /** The last will, made afresh for each connection attempt. */
  will() {
    const topic = topics.status(this.#gw);
    const payload = this.#status('offline');
    return { topic, payload, ...this.#session.signed(topic, payload) };
  }

  heartbeat(): void {
    const { outbox, clock } = this.#d;
    const now = clock.now();
    const payload = heartbeatMessage.parse({
      ...ownEnvelope(this.#d, 'heartbeat', `${this.#gw}-heartbeat-${now}`),
      queue_depth: outbox.stats().rows,
      uptime_s: Math.round((clock.monotonic() - this.#startedMono) / 1000),
    });
    outbox.unit(
      () =>
        outbox.add({
          id: payload.id,
          topic: topics.heartbeat(this.#gw),
          type: 'heartbeat',
          payload: JSON.stringify(payload),
          created_at: now,
        }),
      false,
    );
    this.enforceLimit();
    this.#drain.run();
  }

  enforceLimit(): void {
    const { outbox, log, counters } = this.#d;
    const dropped = outbox.enforceLimit(this.#limits.maxRows, this.#limits.maxBytes);
    for (const [type, n] of Object.entries(dropped)) {
      counters.add(`relay.dropped.${type}`, n);
      log.warn(
        { type, dropped: n },
        `relay: the queue is full; dropped the ${n} oldest ${type} message(s) (alerts are never dropped)`,
      );
    }
  }

  #status(state: 'online' | 'offline'): string {
    const { outbox, clock, version } = this.#d;
    const stats = outbox.stats();
    const receipts = outbox.receipts();
    const now = clock.now();
    const ageS = (at: number | null) => (at === null ? null : Math.round((now - at) / 1000));
    return JSON.stringify(
      statusMessage.parse({
        ...ownEnvelope(this.#d, 'status', `${this.#gw}-status-${state}-${now}`),
        state,
        versions: { hearth: version, protocol: PROTOCOL_VERSION },
        queue_depth: stats.rows,
        oldest_undelivered_alert_s: ageS(stats.oldestAlertAt),
        awaiting_receipt: receipts.awaiting,
        oldest_awaiting_receipt_s: ageS(receipts.oldestAt),
        storage_fault: outbox.health().fault,
      }),
    );
  }
}
