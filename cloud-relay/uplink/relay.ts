// The uplink: drains the outbox to the trust broker with QoS 1, in order, removing a row only on
// the broker's PUBACK; keeps the link (backoff, last will, retained status, heartbeats); answers
// commands from the trust; and notices when an alert cannot be delivered.
import type { MqttClient } from 'mqtt';
import type { Config } from '../../config/schema.ts';
import { backoff } from '../../core/backoff.ts';
import type { Cancel, Clock } from '../../core/clock.ts';
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import type { Zone } from '../../core/zone.ts';
import {
  type CmdResultMessage,
  cmdResultMessage,
  heartbeatMessage,
  PROTOCOL_VERSION,
  statusMessage,
  topics,
} from '../protocol/messages.ts';
import { parseCommand } from './commands.ts';
import { connectOnce, unsupportedProtocol } from './link.ts';
import type { CommandLog, NewOutboxRow, Outbox, OutboxRow } from './outbox.ts';
import { relaySigner, type Signer } from './signer.ts';

/** Messages published and not yet acknowledged, at most: enough to fill a fast link. */
export const WINDOW = 256;

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

export type CommandHandlers = {
  ack(alertId: string, by: string): { ok: boolean; detail: string };
  requestSummary?(date: string): { ok: boolean; detail: string };
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

export class Relay {
  #d: RelayDeps;
  #limits: RelayLimits;
  #gw: string;
  #client: MqttClient | null = null;
  #protocol: 4 | 5 = 5;
  #stopped = false;
  #inflight = new Set<number>();
  #lastSent = 0;
  #timers: Cancel[] = [];
  #wake: (() => void) | null = null;
  #lastError: string | null = null;
  #undelivered = false;
  #startedMono = 0;
  #loop: Promise<void> = Promise.resolve();
  #signing: Signer | null = null;

  constructor(d: RelayDeps) {
    this.#d = d;
    this.#gw = d.config.gateway.id;
    const r = d.config.relay;
    this.#limits = {
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

  get connected(): boolean {
    return this.#client?.connected === true;
  }

  start(): void {
    const { clock } = this.#d;
    this.#startedMono = clock.monotonic();
    this.#loop = this.#connectLoop();
    const every = (ms: number, fn: () => void) => {
      const tick = () => {
        fn();
        this.#timers.push(clock.timer(clock.now() + ms, tick));
      };
      this.#timers.push(clock.timer(clock.now() + ms, tick));
    };
    every(this.#d.config.schedules.heartbeat, () => this.#heartbeat());
    // The trust hears of a failing disk (and of its recovery) at once, on the retained status.
    this.#d.outbox.onHealth(() => {
      if (this.connected) this.#publishStatus(this.#client, 'online');
    });
    every(this.#limits.watchEveryMs, () => this.#watch());
    this.#enforceLimit();
  }

  /** New rows are in the outbox: send them if the link is up. */
  kick(): void {
    this.#drain();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return this.#loop;
    this.#stopped = true;
    for (const cancel of this.#timers.splice(0)) cancel();
    this.#wake?.();
    const c = this.#client;
    if (c?.connected) {
      // A clean disconnect sends no last will: say offline ourselves.
      await new Promise<void>((r) => this.#publishStatus(c, 'offline', () => r()));
      await new Promise<void>((r) => c.end(false, {}, () => r()));
    } else c?.end(true);
    await this.#loop;
  }

  async #connectLoop(): Promise<void> {
    const { log, clock } = this.#d;
    const relay = this.#d.config.relay;
    if (!relay) return;
    let attempt = 0;
    while (!this.#stopped) {
      try {
        const client = await connectOnce({
          config: relay,
          clientId: relay.client_id ?? `hearth-${this.#gw}`,
          will: this.#will(),
          protocolVersion: this.#protocol,
          keepaliveS: this.#limits.keepaliveS,
          connectTimeoutMs: this.#limits.connectTimeoutMs,
        });
        if (this.#stopped) {
          client.end(true);
          break;
        }
        attempt = 0;
        const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
        this.#connected(client);
        await closed;
        this.#client = null;
        this.#d.counters.add('relay.disconnects');
        if (!this.#stopped) log.warn(`relay: connection to ${relay.url} lost; reconnecting`);
      } catch (err) {
        const e = err as Error & { code?: unknown };
        if (this.#protocol === 5 && unsupportedProtocol(e)) {
          this.#protocol = 4;
          log.info('relay: the trust broker speaks no MQTT 5; using MQTT 3.1.1');
          if (this.#signer().signs)
            log.error(
              'relay: over MQTT 3.1.1 messages cannot carry their signature: a hub that requires signatures refuses them',
            );
          continue;
        }
        if (e.message !== this.#lastError)
          log.warn(
            { queue: this.#d.outbox.stats().rows },
            `relay: cannot reach ${relay.url}: ${e.message}; retrying with backoff`,
          );
        this.#lastError = e.message;
        this.#d.counters.add('relay.connect_failed');
      }
      if (this.#stopped) break;
      attempt++;
      await new Promise<void>((resolve) => {
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

  #connected(client: MqttClient): void {
    const { log, outbox } = this.#d;
    this.#client = client;
    this.#lastError = null;
    this.#inflight.clear();
    this.#lastSent = 0;
    log.info(
      { mqtt: this.#protocol === 5 ? '5' : '3.1.1', queue: outbox.stats().rows },
      `relay: connected to ${this.#d.config.relay?.url}`,
    );
    client.on('error', (err) => log.warn(`relay: ${err.message}`));
    this.#publishStatus(client, 'online');
    client.subscribe(
      topics.command(this.#gw, '+'),
      { qos: 1 },
      (err) => err && log.error(`relay: cannot subscribe to commands: ${err.message}`),
    );
    client.on('message', (topic, payload, packet) =>
      this.#command(topic, payload, packet.properties?.userProperties),
    );
    this.#drain();
  }

  #drain(): void {
    const client = this.#client;
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
          if (err || client !== this.#client) return;
          this.#inflight.delete(row.seq);
          outbox.unit(() => outbox.remove(row.seq), false);
          counters.add('relay.delivered');
          this.#d.onDelivered?.(row);
          // Only a flagged delay needs a fresh look; the periodic watch covers the rest.
          if (row.type === 'alert' && this.#undelivered) this.#watch();
          // Refill in batches: one query per half window, not one per acknowledgement.
          if (this.#inflight.size <= WINDOW / 2) this.#drain();
        });
      }
    }
  }

  #publishOptions(row: OutboxRow) {
    if (this.#protocol === 4) return { qos: 1 as const };
    return {
      qos: 1 as const,
      properties: {
        userProperties: { id: row.id, ...this.#signer().sign(row.topic, row.payload) },
        ...(row.type === 'heartbeat'
          ? { messageExpiryInterval: Math.ceil((2 * this.#d.config.schedules.heartbeat) / 1000) }
          : {}),
      },
    };
  }

  #envelope(type: string, id: string) {
    const { config, clock, zone } = this.#d;
    return {
      v: PROTOCOL_VERSION,
      id,
      type,
      gateway: config.gateway.id,
      resident: config.gateway.resident,
      at: zone.iso(clock.now()),
    };
  }

  /** Read once: the key that signs what this gateway sends, the hub certificates commands need. */
  #signer(): Signer {
    if (!this.#signing) {
      const relay = this.#d.config.relay;
      this.#signing = relay
        ? relaySigner(relay, this.#d.log)
        : { signs: false, sign: () => ({}), refuseCommand: () => 'no relay is configured' };
    }
    return this.#signing;
  }

  /** Signature properties for a message published now (MQTT 3.1.1 has nowhere to carry them). */
  #signed(topic: string, payload: string) {
    if (this.#protocol === 4 || !this.#signer().signs) return {};
    return { properties: { userProperties: this.#signer().sign(topic, payload) } };
  }

  #publishStatus(c: MqttClient | null, state: 'online' | 'offline', done?: () => void): void {
    const topic = topics.status(this.#gw);
    const payload = this.#status(state);
    c?.publish(topic, payload, { qos: 1, retain: true, ...this.#signed(topic, payload) }, () => done?.());
  }

  #will() {
    const topic = topics.status(this.#gw);
    const payload = this.#status('offline');
    return { topic, payload, ...this.#signed(topic, payload) };
  }

  #status(state: 'online' | 'offline'): string {
    const stats = this.#d.outbox.stats();
    const now = this.#d.clock.now();
    return JSON.stringify(
      statusMessage.parse({
        ...this.#envelope('status', `${this.#gw}-status-${state}-${now}`),
        state,
        versions: { hearth: this.#d.version, protocol: PROTOCOL_VERSION },
        queue_depth: stats.rows,
        oldest_undelivered_alert_s:
          stats.oldestAlertAt === null ? null : Math.round((now - stats.oldestAlertAt) / 1000),
        storage_fault: this.#d.outbox.health().fault,
      }),
    );
  }

  #heartbeat(): void {
    const { outbox, clock } = this.#d;
    const now = clock.now();
    const payload = heartbeatMessage.parse({
      ...this.#envelope('heartbeat', `${this.#gw}-heartbeat-${now}`),
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
    this.#enforceLimit();
    this.#drain();
  }

  #enforceLimit(): void {
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

  /** Is an alert waiting longer than it should? Tells the home (and the log) when that changes. */
  #watch(): void {
    const { outbox, clock, log } = this.#d;
    const { oldestAlertAt } = outbox.stats();
    const age = oldestAlertAt === null ? null : clock.now() - oldestAlertAt;
    const undelivered = age !== null && age >= this.#limits.undeliveredAfterMs;
    if (undelivered === this.#undelivered) return;
    this.#undelivered = undelivered;
    const reason = undelivered
      ? (this.#lastError ??
        (this.connected ? 'the trust broker has not acknowledged it' : 'no connection to the trust broker'))
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

  /** Whatever arrives and whatever a handler does, a command never throws into the MQTT client. */
  #command(topic: string, payload: Buffer, props?: Record<string, string | string[]>): void {
    const { outbox, commandLog, log, counters, commands } = this.#d;
    let answer: { id: string | null; name: string } = { id: null, name: 'unknown' };
    let refused = false;
    const refuse = (reason: string) => {
      refused = true;
      counters.add('relay.command_refused');
      log.warn({ topic, command_id: answer.id }, `relay: command refused: ${reason}`);
      if (answer.id) this.#result(answer.id, answer.name, false, reason);
    };
    try {
      const parsed = parseCommand(this.#gw, topic, payload);
      if (!parsed.ok) {
        answer = parsed;
        refuse(parsed.reason);
        return;
      }
      // Another home, under a broker that let it, must not acknowledge this home's alerts.
      const unsigned = this.#signer().refuseCommand(topic, payload, props);
      if (unsigned) {
        answer = { id: parsed.command.id, name: parsed.command.name };
        counters.add('relay.command_unsigned');
        refuse(unsigned);
        return;
      }
      const cmd = parsed.command;
      answer = { id: cmd.id, name: cmd.name };
      const known = commandLog.result(cmd.id);
      if (known) {
        // The same command again (at-least-once delivery): the same answer, no second effect.
        outbox.unit(() => outbox.add(JSON.parse(known) as NewOutboxRow), true);
        this.#drain();
        return;
      }
      const r =
        cmd.name === 'ack'
          ? commands.ack(cmd.alert_id, cmd.by)
          : cmd.name === 'request-summary'
            ? (commands.requestSummary?.(cmd.date) ?? {
                ok: false,
                detail: 'daily summaries are not available in this version',
              })
            : { ok: true, detail: 'pong' };
      log.info(
        { command: cmd.name, command_id: cmd.id, ok: r.ok },
        `relay: command ${cmd.name}: ${r.detail}`,
      );
      this.#result(cmd.id, cmd.name, r.ok, r.detail);
    } catch (err) {
      try {
        if (!refused) refuse(`the command failed: ${(err as Error).message}`);
        else throw err;
      } catch (again) {
        // Not even the refusal could be kept (a failing disk): the log is what is left.
        log.error({ topic, err: again }, `relay: command not answered: ${(again as Error).message}`);
      }
    }
  }

  #result(commandId: string, name: string, ok: boolean, detail: string): void {
    const { outbox, commandLog, clock } = this.#d;
    const msg: CmdResultMessage = cmdResultMessage.parse({
      ...this.#envelope('cmd_result', `${commandId}:result`),
      command_id: commandId,
      command: name,
      ok,
      detail,
    });
    const row = {
      id: msg.id,
      topic: topics.commandResult(this.#gw),
      type: 'cmd_result',
      payload: JSON.stringify(msg),
      created_at: clock.now(),
    };
    outbox.unit(() => {
      commandLog.record(commandId, name, JSON.stringify(row), clock.now());
      outbox.add(row);
    }, true);
    this.#drain();
  }
}
