// The uplink: drains the outbox to the trust broker with QoS 1, in order, removing a row only on
// the broker's PUBACK (with relay.receipts, on the hub's receipt: receipts.ts); keeps the link (backoff, last will, retained status, heartbeats); answers
// commands from the trust; and notices when an alert cannot be delivered. This file puts the
// parts together: the connect loop (connect-loop.ts), the windowed drain and the delivery watch
// (drain.ts), the status and heartbeats (status.ts), the commands (command-answers.ts, with one
// handler per command in command-table.ts).
import type { MqttClient } from 'mqtt';
import type { Cancel } from '../../core/clock.ts';
import { topics } from '../protocol/messages.ts';
import { CommandAnswers } from './command-answers.ts';
import { ConnectLoop } from './connect-loop.ts';
import { DeliveryWatch, Drain } from './drain.ts';
import { ReceiptKeeper } from './receipts.ts';
import { limitsOf, type RelayDeps, type RelayLimits } from './relay-deps.ts';
import { Session } from './session.ts';
import { RelayStatus } from './status.ts';

export type { CommandHandlers } from './command-table.ts';
export { WINDOW } from './drain.ts';
export { DEFAULT_LIMITS, type DeliveryState, type RelayDeps, type RelayLimits } from './relay-deps.ts';

export class Relay {
  readonly #d: RelayDeps;
  readonly #limits: RelayLimits;
  readonly #session: Session;
  readonly #watch: DeliveryWatch;
  readonly #drain: Drain;
  readonly #status: RelayStatus;
  readonly #answers: CommandAnswers;
  readonly #receipts: ReceiptKeeper;
  readonly #loop: ConnectLoop;
  #timers: Cancel[] = [];
  #running: Promise<void> = Promise.resolve();

  constructor(d: RelayDeps) {
    this.#d = d;
    this.#limits = limitsOf(d);
    this.#session = new Session(d.config.relay, d.log);
    this.#watch = new DeliveryWatch(d, this.#limits, this.#session);
    this.#drain = new Drain(d, this.#limits, this.#session, this.#watch);
    this.#status = new RelayStatus(d, this.#limits, this.#session, this.#drain);
    this.#answers = new CommandAnswers(d, this.#session, this.#drain);
    this.#receipts = new ReceiptKeeper(d, this.#limits, this.#session, this.#drain, this.#watch);
    this.#loop = new ConnectLoop(d, this.#limits, this.#session, {
      will: () => this.#status.will(),
      connected: (client) => this.#connected(client),
    });
  }

  get connected(): boolean {
    return this.#session.connected;
  }

  start(): void {
    const { clock } = this.#d;
    this.#status.start();
    this.#running = this.#loop.run();
    const every = (ms: number, fn: () => void) => {
      const tick = () => {
        fn();
        this.#timers.push(clock.timer(clock.now() + ms, tick));
      };
      this.#timers.push(clock.timer(clock.now() + ms, tick));
    };
    every(this.#d.config.schedules.heartbeat, () => this.#status.heartbeat());
    // The trust hears of a failing disk (and of its recovery) at once, on the retained status.
    this.#d.outbox.onHealth(() => {
      if (this.connected) this.#status.publish(this.#session.client, 'online');
    });
    // The retained status says it too when an alert starts or stops waiting too long.
    every(this.#limits.watchEveryMs, () => {
      if (this.#watch.check() && this.connected) this.#status.publish(this.#session.client, 'online');
    });
    if (this.#d.config.relay?.receipts) every(this.#limits.resendEveryMs, () => this.#receipts.resend());
    this.#status.enforceLimit();
  }

  /** New rows are in the outbox: send them if the link is up. */
  kick(): void {
    this.#drain.run();
  }

  async stop(): Promise<void> {
    const s = this.#session;
    if (s.stopped) return this.#running;
    s.stopped = true;
    for (const cancel of this.#timers.splice(0)) cancel();
    this.#loop.wake();
    const c = s.client;
    if (c?.connected) {
      // A clean disconnect sends no last will: say offline ourselves.
      await new Promise<void>((r) => this.#status.publish(c, 'offline', () => r()));
      await new Promise<void>((r) => c.end(false, {}, () => r()));
    } else c?.end(true);
    await this.#running;
  }

  #connected(client: MqttClient): void {
    const { log, outbox, config } = this.#d;
    const s = this.#session;
    s.client = client;
    s.lastError = null;
    this.#drain.reset();
    log.info(
      { mqtt: s.protocol === 5 ? '5' : '3.1.1', queue: outbox.stats().rows },
      `relay: connected to ${config.relay?.url}`,
    );
    client.on('error', (err) => log.warn(`relay: ${err.message}`));
    this.#status.publish(client, 'online');
    const receiptTopic = topics.receipt(config.gateway.id);
    client.subscribe(
      [topics.command(config.gateway.id, '+'), ...(config.relay?.receipts ? [receiptTopic] : [])],
      { qos: 1 },
      (err) => err && log.error(`relay: cannot subscribe to commands: ${err.message}`),
    );
    client.on('message', (topic, payload, packet) => {
      const props = packet.properties?.userProperties;
      if (topic === receiptTopic) this.#receipts.handle(topic, payload, props);
      else this.#answers.handle(topic, payload, props);
    });
    this.#drain.run();
  }
}
