// The hub's MQTT side: one persistent session per instance (client id hub-{instance}, clean
// false, an MQTT 5 session expiry), subscribed to every home's messages at QoS 1. A message is
// acknowledged to the broker (PUBACK) only once its row is committed: mqtt.js sends the PUBACK
// when the callback handed to `handleMessage` is called (handlers/publish.js), and takes the next
// packet only after it. A message in flight when the process dies is delivered again.
import type { KeyObject } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient, type Packet } from 'mqtt';
import { safeText } from '../../core/json.ts';
import { type Logger, rateLimited } from '../../core/log.ts';
import { SIG_PROPERTY, signMessage } from '../protocol/signature.ts';
import { parseIncoming, rejectKey, SUBSCRIPTIONS } from './incoming.ts';
import type { HomeSignatures } from './signatures.ts';
import type { HubAlertDraft, HubStore, ReceiveResult } from './store.ts';
import { storeErrorKind } from './store-errors.ts';

export type BrokerOptions = {
  url: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: string;
};

export type HomesPolicy = {
  acceptAny: boolean;
  expected: Map<string, { resident: string }>;
  defaultHeartbeatMs: number;
  /** supervision.clock_skew, for the store's count of skewed heartbeats. */
  clockSkewMs?: number;
};

export type Counters = {
  received: number;
  stored: number;
  duplicates: number;
  rejected: number;
  /** Attempts the database could not take (a lost connection): retried. */
  dbErrors: number;
  /** Messages that could not be handled or kept at all: logged, and acknowledged. */
  failed: number;
};

export type ReceiverDeps = {
  broker: BrokerOptions;
  instance: string;
  store: HubStore;
  homes: HomesPolicy;
  log: Logger;
  now: () => number;
  /** Called after each committed message that changed something (for measurements, tests). */
  onStored?: (topic: string, result: ReceiveResult) => void;
  /** Called after this instance raised a supervision alert of its own (the console's live pages). */
  onHubAlert?: () => void;
  /** Called after a message another instance had already stored (the console's live pages). */
  onSeen?: (topic: string) => void;
  /**
   * Called once a home's alert, summary or night is in the database, whether this message put it
   * there or found it there (a home re-sending what it has no receipt for): its receipt goes.
   */
  onKept?: (gateway: string, id: string) => void;
  /** false: a short-lived client that only publishes (hearth hub ack): no session, no subscriptions. */
  subscribe?: boolean;
  /** homes.signatures required: who may sign for which gateway. */
  signatures?: HomeSignatures | null;
  /** The hub's private key: commands go signed, for gateways that check (relay.hub_cert). */
  commandKey?: KeyObject;
};

/** What a home keeps until the hub's receipt: heartbeats, statuses and command results need none. */
const RECEIPTED: ReadonlySet<string> = new Set(['alert', 'summary', 'night']);

/** A week: a hub instance down for longer than that starts afresh (the others kept the store). */
const SESSION_EXPIRY_S = 7 * 24 * 3600;
const MAX_PAYLOAD_KEPT = 64 * 1024;

/** Errors a later attempt may not meet: the broker is down or not reachable yet. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'EAI_AGAIN',
]);

export class Receiver {
  readonly counters: Counters = {
    received: 0,
    stored: 0,
    duplicates: 0,
    rejected: 0,
    dbErrors: 0,
    failed: 0,
  };
  #d: ReceiverDeps;
  #client: MqttClient | null = null;
  #stopped = false;
  #limit: ReturnType<typeof rateLimited>;
  #held: { since: number; error: string } | null = null;
  #watches = new Map<string, (payload: Buffer) => boolean>();

  constructor(d: ReceiverDeps) {
    this.#d = d;
    this.#limit = rateLimited(60_000, d.now);
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  get clientId(): string {
    return `hub-${this.#d.instance}`;
  }

  /** Connects and subscribes; resolves on the first CONNACK. */
  start(): Promise<void> {
    const b = this.#d.broker;
    const listens = this.#d.subscribe !== false;
    const opts: IClientOptions = {
      clientId: this.clientId,
      clean: !listens,
      protocolVersion: 5,
      properties: listens ? { sessionExpiryInterval: SESSION_EXPIRY_S } : {},
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
      // mqtt-packet would otherwise keep a ready-made Buffer for each of the 65,536 packet ids
      // and lengths: about 6 MB held for the process's life to save a 2-byte allocation.
      writeCache: false,
      ca: b.ca,
      cert: b.cert,
      key: b.key,
      username: b.username,
      password: b.password,
    };
    const client = mqtt.connect(b.url, opts);
    this.#client = client;
    client.handleMessage = (packet, done) => void this.#handle(packet).then(() => done());
    client.on('connect', (connack) => {
      this.#d.log.info(
        { client_id: this.clientId, session_present: connack.sessionPresent },
        'hub: connected to the trust broker',
      );
      if (listens && !connack.sessionPresent)
        client.subscribe(SUBSCRIPTIONS, { qos: 1 }, (err) => {
          if (err) this.#d.log.error({ err }, `hub: subscribing failed: ${err.message}`);
        });
    });
    client.on('error', (err) =>
      this.#limit(`mqtt:${err.message}`, (held) =>
        this.#d.log.warn({ err: err.message, held }, 'hub: broker link error'),
      ),
    );
    client.on('offline', () => this.#d.log.warn('hub: the trust broker is unreachable; reconnecting'));
    return new Promise((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', (e) => {
        if (client.connected) return;
        // A running hub starts without its broker and keeps trying (its console and store still
        // serve); a one-off command, or a broker that refuses who we are, stops here instead.
        if (listens && UNREACHABLE.has(String((e as NodeJS.ErrnoException).code))) resolve();
        else reject(e);
      });
    });
  }

  /** Publishes a command at QoS 1, signed with the hub's key, and resolves on the broker's PUBACK. */
  publish(topic: string, payload: string): Promise<void> {
    const c = this.#client;
    if (!c) return Promise.reject(new Error('not started'));
    const key = this.#d.commandKey;
    const props = key
      ? { properties: { userProperties: { [SIG_PROPERTY]: signMessage(topic, payload, key) } } }
      : {};
    return new Promise((resolve, reject) =>
      c.publish(topic, payload, { qos: 1, ...props }, (e) => (e ? reject(e) : resolve())),
    );
  }

  /** How long the message in hand has waited for the database, and why; null when none waits. */
  held(now: number): { ms: number; error: string } | null {
    return this.#held ? { ms: now - this.#held.since, error: this.#held.error } : null;
  }

  async #handle(packet: Packet): Promise<void> {
    if (packet.cmd !== 'publish') return;
    try {
      await this.#take(packet);
    } catch (err) {
      // Nothing a home sends may stop the hub: a message that broke this code is logged, counted
      // and acknowledged, and the next one is taken.
      this.counters.failed++;
      this.#d.log.error(
        { err: (err as Error).message, topic: packet.topic },
        'hub: a message could not be handled',
      );
    }
  }

  async #take(packet: Packet & { cmd: 'publish' }): Promise<void> {
    const { topic } = packet;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    this.counters.received++;
    const receivedAt = this.#d.now();
    if (this.#watched(topic, payload)) return;
    const parsed = parseIncoming(topic, payload);
    if (parsed.ok && this.#d.signatures) {
      const v = this.#d.signatures.check(parsed.gateway, topic, payload, packet.properties?.userProperties);
      if (!v.ok) {
        await this.#reject(topic, payload, parsed.gateway, v.reason, receivedAt);
        if (v.impostor) await this.#impostor(parsed.gateway, v.reason, receivedAt);
        return;
      }
    }
    const refused = parsed.ok ? this.#policy(parsed.incoming.msg) : { reason: parsed.reason, claim: false };
    if (refused || !parsed.ok) {
      await this.#reject(topic, payload, parsed.gateway, refused?.reason ?? '', receivedAt);
      if (refused?.claim && parsed.ok)
        await this.#claimed(parsed.gateway, parsed.incoming.msg.resident, refused.reason, receivedAt);
      return;
    }
    const done = await this.#commit(() =>
      this.#d.store.receive({
        incoming: parsed.incoming,
        topic,
        payload: payload.toString('utf8'),
        receivedAt,
        instance: this.#d.instance,
        defaultHeartbeatMs: this.#d.homes.defaultHeartbeatMs,
        clockSkewMs: this.#d.homes.clockSkewMs,
      }),
    );
    if (!done.ok)
      return this.#reject(topic, payload, parsed.gateway, `the store refused it: ${done.error}`, receivedAt);
    const r = done.value;
    if (r.refused) {
      await this.#reject(topic, payload, parsed.gateway, r.refused, receivedAt);
      return this.#claimed(parsed.gateway, parsed.incoming.msg.resident, r.refused, receivedAt);
    }
    if (RECEIPTED.has(parsed.incoming.type)) this.#d.onKept?.(parsed.gateway, parsed.incoming.msg.id);
    if (r.duplicate) {
      this.counters.duplicates++;
      this.#d.onSeen?.(topic);
      return;
    }
    this.counters.stored++;
    if (r.alert)
      this.#d.log.info(
        { gateway: r.alert.gateway, alert_id: r.alert.alertId, state: r.alert.state, applied: r.alert.moved },
        'hub: alert',
      );
    this.#d.onStored?.(topic, r);
  }

  /**
   * Whether this hub takes messages from the home at all; a reason when not, and whether it is a
   * listed gateway speaking for someone else (an administrator must hear of that).
   */
  #policy(m: { gateway: string; resident: string }): { reason: string; claim: boolean } | null {
    const want = this.#d.homes.expected.get(m.gateway);
    if (!want)
      return this.#d.homes.acceptAny
        ? null
        : {
            reason: `gateway "${m.gateway}" is not in homes.expected (and homes.accept_any is false)`,
            claim: false,
          };
    return want.resident === m.resident
      ? null
      : { reason: `resident "${m.resident}" is not the one listed for ${m.gateway}`, claim: true };
  }

  /** A gateway claimed a resident another gateway speaks for: the care team's admin must know. */
  #claimed(gateway: string, resident: string, why: string, now: number): Promise<void> {
    return this.raise(
      {
        key: `resident_claimed/${gateway}/${resident}/${new Date(now).toISOString().slice(0, 10)}`,
        gateway,
        kind: 'resident_claimed',
        severity: 'high',
        reason: `Gateway ${gateway} claims resident ${resident}: ${why}. Its messages are refused; find out which gateway this is.`,
      },
      now,
    );
  }

  /** Someone other than gateway X signed (or tried to sign) a message for X: one alert a day. */
  #impostor(gateway: string, why: string, now: number): Promise<void> {
    return this.raise(
      {
        key: `signature_refused/${gateway}/${new Date(now).toISOString().slice(0, 10)}`,
        gateway,
        kind: 'signature_refused',
        severity: 'high',
        reason: `Messages for ${gateway} signed by someone else were refused (${why}). Check the trust broker's ACL and the certificate that sent them.`,
      },
      now,
    );
  }

  /** Raises a supervision alert once (its key), telling the console's pages. */
  async raise(a: HubAlertDraft, now: number): Promise<void> {
    const raised = await this.#commit(() =>
      this.#d.store.raiseHubAlert({ ...a, reason: safeText(a.reason, 1000) }, now, this.#d.instance),
    );
    if (!raised.ok || !raised.value) return;
    this.#d.log.warn({ gateway: a.gateway, kind: a.kind }, `hub alert: ${safeText(a.reason, 1000)}`);
    this.#d.onHubAlert?.();
  }

  /** Resolves true when a message on `topic` carrying `nonce` arrives within `ms` (the ACL probe). */
  watch(topic: string, nonce: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#watches.delete(topic);
        resolve(false);
      }, ms);
      this.#watches.set(topic, (payload) => {
        if (!payload.includes(nonce)) return false;
        clearTimeout(t);
        this.#watches.delete(topic);
        resolve(true);
        return true;
      });
    });
  }

  #watched(topic: string, payload: Buffer): boolean {
    return this.#watches.get(topic)?.(payload) ?? false;
  }

  /** Keeps a refused message, in a form any database can hold, and acknowledges it. */
  async #reject(topic: string, payload: Buffer, gateway: string | null, reason: string, receivedAt: number) {
    this.counters.rejected++;
    const kept = await this.#commit(() =>
      this.#d.store.reject({
        key: rejectKey(topic, payload),
        topic: safeText(topic, 512),
        gateway: gateway === null ? null : safeText(gateway, 128),
        payload: safeText(payload.subarray(0, MAX_PAYLOAD_KEPT).toString('utf8'), MAX_PAYLOAD_KEPT),
        reason: safeText(reason, 1000),
        receivedAt,
        instance: this.#d.instance,
      }),
    );
    if (!kept.ok) {
      this.counters.failed++;
      this.#d.log.error({ topic, err: kept.error }, 'hub: a refused message could not be kept either');
    }
    this.#limit(`reject:${gateway}:${reason.slice(0, 40)}`, (held) =>
      this.#d.log.warn(
        { topic: safeText(topic, 256), gateway, reason: safeText(reason, 300), held },
        `hub: refused a message on ${safeText(topic, 256)}: ${safeText(reason, 300)}`,
      ),
    );
  }

  /**
   * Runs a write until it commits. The database refusing it (a constraint, an encoding) is final
   * and returned; a lost connection or a full disk is waited out with the PUBACK held, since
   * without the row no acknowledgement may leave. /healthz says so while it lasts.
   */
  async #commit<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
    for (let wait = 200; ; wait = Math.min(wait * 2, 30_000)) {
      try {
        const value = await fn();
        this.#held = null;
        return { ok: true, value };
      } catch (err) {
        const error = safeText(String((err as Error)?.message ?? err), 300);
        if (storeErrorKind(err) === 'refusal') {
          this.#held = null;
          return { ok: false, error };
        }
        this.counters.dbErrors++;
        this.#held = { since: this.#held?.since ?? this.#d.now(), error };
        this.#limit('db', (held) =>
          this.#d.log.error(
            { err: error, held },
            'hub: the database is unavailable; holding the PUBACK of the message in hand and retrying',
          ),
        );
        if (this.#stopped) return new Promise(() => {});
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const c = this.#client;
    if (c) await new Promise<void>((r) => c.end(false, {}, () => r()));
  }
}
