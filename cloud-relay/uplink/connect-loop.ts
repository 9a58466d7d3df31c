// The connect loop: one connection to the trust broker at a time (link.ts makes each), tried again
// with backoff after a failure or a lost connection; MQTT 5 first, MQTT 3.1.1 once the broker
// says it speaks no 5. Each failure is logged once while it stays the same.
import type { MqttClient } from 'mqtt';
import { backoff } from '../../core/backoff.ts';
import { connectOnce, type RelayConfig, unsupportedProtocol } from './link.ts';
import type { RelayDeps, RelayLimits } from './relay-deps.ts';
import type { Session } from './session.ts';

export type LoopHooks = {
  /** The last will for the next attempt, made when it is tried. */
  will: () => { topic: string; payload: string };
  /** A connection is up: what the relay does with it until it closes. */
  connected: (client: MqttClient) => void;
};

export class ConnectLoop {
  readonly #d: RelayDeps;
  readonly #limits: RelayLimits;
  readonly #session: Session;
  readonly #hooks: LoopHooks;
  #wake: (() => void) | null = null;

  constructor(d: RelayDeps, limits: RelayLimits, session: Session, hooks: LoopHooks) {
    this.#d = d;
    this.#limits = limits;
    this.#session = session;
    this.#hooks = hooks;
  }

  /** Until the session stops; resolves when it has. */
  async run(): Promise<void> {
    const relay = this.#d.config.relay;
    if (!relay) return;
    const s = this.#session;
    let attempt = 0;
    while (!s.stopped) {
      try {
        const client = await connectOnce({
          config: relay,
          clientId: relay.client_id ?? `hearth-${this.#d.config.gateway.id}`,
          will: this.#hooks.will(),
          protocolVersion: s.protocol,
          keepaliveS: this.#limits.keepaliveS,
          connectTimeoutMs: this.#limits.connectTimeoutMs,
        });
        if (s.stopped) {
          client.end(true);
          break;
        }
        attempt = 0;
        await this.#use(client, relay);
      } catch (err) {
        if (this.#fellBack(err as Error)) continue;
        this.#failed(err as Error, relay);
      }
      if (s.stopped) break;
      attempt++;
      await this.#wait(attempt);
    }
  }

  /** Cuts the wait before the next attempt short (the relay is stopping). */
  wake(): void {
    this.#wake?.();
  }

  async #use(client: MqttClient, relay: RelayConfig): Promise<void> {
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    this.#hooks.connected(client);
    await closed;
    this.#session.client = null;
    this.#d.counters.add('relay.disconnects');
    if (!this.#session.stopped) this.#d.log.warn(`relay: connection to ${relay.url} lost; reconnecting`);
  }

  /** A broker that speaks no MQTT 5: the next attempt, at once, in 3.1.1. */
  #fellBack(e: Error & { code?: unknown }): boolean {
    const s = this.#session;
    if (s.protocol !== 5 || !unsupportedProtocol(e)) return false;
    const { log } = this.#d;
    s.protocol = 4;
    log.info('relay: the trust broker speaks no MQTT 5; using MQTT 3.1.1');
    if (s.signer().signs)
      log.error(
        'relay: over MQTT 3.1.1 messages cannot carry their signature: a hub that requires signatures refuses them',
      );
    return true;
  }

  #failed(e: Error, relay: RelayConfig): void {
    const { log, outbox, counters } = this.#d;
    if (e.message !== this.#session.lastError)
      log.warn(
        { queue: outbox.stats().rows },
        `relay: cannot reach ${relay.url}: ${e.message}; retrying with backoff`,
      );
    this.#session.lastError = e.message;
    counters.add('relay.connect_failed');
  }

  #wait(attempt: number): Promise<void> {
    const { clock } = this.#d;
    return new Promise<void>((resolve) => {
      const cancel = clock.timer(clock.now() + backoff(attempt, this.#limits.reconnectCapMs), () =>
        resolve(),
      );
      this.#wake = () => {
        cancel();
        resolve();
      };
    });
  }
}
