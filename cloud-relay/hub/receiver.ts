// The hub's MQTT side: one persistent session per instance (client id hub-{instance}, clean
// false, an MQTT 5 session expiry), subscribed to every home's messages at QoS 1. Messages are
// stored in batches (intake.ts), and each is acknowledged to the broker (PUBACK) only once its
// batch is committed. mqtt.js would send the PUBACK as soon as `handleMessage` calls back, and
// reads the next packet only after that; so the callback is given an error, which makes mqtt.js
// read on without a PUBACK (handlers/publish.js), and the PUBACK is written here after the commit,
// on the connection the message came by. A message in flight when the process dies, or on a
// connection that has dropped, is delivered again, and is a repeat the store drops.
import type { KeyObject } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient, type Packet } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { safeText } from '../../core/json.ts';
import { type Logger, rateLimited } from '../../core/log.ts';
import type { MessageType } from '../protocol/envelope.ts';
import { SIG_PROPERTY, signMessage } from '../protocol/signature.ts';
import { type Parsed, parseIncoming, rejectKey, SHARED_SUBSCRIPTIONS, SUBSCRIPTIONS } from './incoming.ts';
import { Intake, type IntakeLimits } from './intake.ts';
import type { HomeSignatures } from './signatures.ts';
import type { HubAlertDraft, HubStore, Received, ReceiveResult } from './store.ts';
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
  /** Messages that came from the broker. */
  received: number;
  /** Of those, the ones dealt with: stored, found again, refused or failed, and acknowledged. */
  handled: number;
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
  /**
   * Called after each committed message that changed something (for measurements, tests), with
   * its type as read from its topic, so that no one reads the topic again.
   */
  onStored?: (topic: string, result: ReceiveResult, type: MessageType) => void;
  /** Called after this instance raised a supervision alert of its own (the console's live pages). */
  onHubAlert?: () => void;
  /** Called after a message another instance had already stored (the console's live pages). */
  onSeen?: (topic: string, type: MessageType) => void;
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
  /** How much one transaction takes and how much waits (intake.ts); the defaults otherwise. */
  intake?: IntakeLimits;
  /** broker.share: one shared subscription for every instance, each message to one of them. */
  share?: boolean;
};

/** A message as it came, before anything is decided about it. */
type Arrival = { topic: string; payload: Buffer; userProperties: unknown; receivedAt: number };

/** What a batch does with each message: nothing more (the ACL probe's), refuse it, or store it. */
type Plan =
  | { kind: 'watched' }
  | {
      kind: 'refuse';
      a: Arrival;
      gateway: string | null;
      reason: string;
      /** Someone else signed for this gateway. */
      impostor?: boolean;
      /** A listed gateway spoke for another resident. */
      claim?: string;
    }
  | { kind: 'store'; a: Arrival; parsed: Extract<Parsed, { ok: true }>; received: Received };

type Stored = { ok: true; value: ReceiveResult } | { ok: false; error: string };

/** Ours goes after the commit: an error handed back tells mqtt.js to send none and read on. */
const AFTER_COMMIT = new Error('acknowledged once stored');

/** MQTT 5 packet options for writing our own PUBACKs. */
const MQTT5 = { protocolVersion: 5 } as const;

/** What a home keeps until the hub's receipt: heartbeats, statuses and command results need none. */
const RECEIPTED: ReadonlySet<string> = new Set(['alert', 'summary', 'night']);

/** A week: a hub instance down for longer than that starts afresh (the others kept the store). */
const SESSION_EXPIRY_S = 7 * 24 * 3600;
/**
 * Sharing, two minutes. A broker keeps handing a share of the homes' messages to the session of an
 * instance that is down (Mosquitto does: each in turn, connected or not), where they wait for it.
 * An instance restarted within two minutes takes them up; one gone for good lets its session
 * lapse, and from then on the live instances have every message. What its session held is lost
 * with it at the broker, and the homes send again each alert, summary and night that had no
 * receipt (relay.receipts), to an instance that is there.
 */
const SHARED_SESSION_EXPIRY_S = 120;
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
    handled: 0,
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
  readonly #intake: Intake<Arrival>;

  constructor(d: ReceiverDeps) {
    this.#d = d;
    this.#limit = rateLimited(60_000, d.now);
    this.#intake = new Intake((batch) => this.#batch(batch), d.intake);
  }

  /** Transactions committed for messages, and messages held unacknowledged now. */
  get intake(): { batches: number; held: number } {
    return { batches: this.#intake.batches, held: this.#intake.size };
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
      properties: listens
        ? { sessionExpiryInterval: this.#d.share ? SHARED_SESSION_EXPIRY_S : SESSION_EXPIRY_S }
        : {},
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
    client.handleMessage = (packet, done) => this.#arrive(client, packet, done);
    client.on('connect', (connack) => {
      this.#d.log.info(
        { client_id: this.clientId, session_present: connack.sessionPresent },
        'hub: connected to the trust broker',
      );
      if (!listens) return;
      // Every connect, since the hub file may have changed between sharing and not: the filters
      // wanted (retained statuses only for a subscription the session did not already hold) and
      // none of the others, which would give this instance every message twice.
      const want = this.#d.share ? SHARED_SUBSCRIPTIONS : SUBSCRIPTIONS;
      const drop = [...SUBSCRIPTIONS, ...SHARED_SUBSCRIPTIONS].filter((t) => !want.includes(t));
      client.subscribe(want, { qos: 1, rh: 1 }, (err) => {
        if (err) this.#d.log.error({ err }, `hub: subscribing failed: ${err.message}`);
      });
      if (connack.sessionPresent) client.unsubscribe(drop, () => {});
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

  /** Hands a message to the intake; mqtt.js reads the next once there is room. */
  #arrive(client: MqttClient, packet: Packet, done: (err?: Error) => void): void {
    if (packet.cmd !== 'publish') {
      done();
      return;
    }
    try {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      this.counters.received++;
      const stream = client.stream;
      const id = packet.messageId;
      const ack = () => {
        if (packet.qos !== 1 || id === undefined || client.stream !== stream || stream.destroyed) return;
        // A batch's PUBACKs leave in one write, not one system call each.
        if (stream.writableCorked === 0) {
          stream.cork();
          process.nextTick(() => stream.uncork());
        }
        mqttPacket.writeToStream({ cmd: 'puback', messageId: id }, stream, MQTT5);
      };
      const a: Arrival = {
        topic: packet.topic,
        payload,
        userProperties: packet.properties?.userProperties,
        receivedAt: this.#d.now(),
      };
      void this.#intake
        .add(a, packet.topic.endsWith('/alert'), payload.length, ack)
        .then(() => done(AFTER_COMMIT));
    } catch (err) {
      this.counters.failed++;
      this.#d.log.error({ err: (err as Error).message }, 'hub: a message could not be taken');
      done(AFTER_COMMIT);
    }
  }

  /**
   * One batch: each message checked, those to keep stored in one transaction, then each one's
   * aftermath (refusals kept, receipts, logs, the console told). Nothing a home sends may stop
   * the hub: a message that broke this code is logged, counted and acknowledged.
   */
  async #batch(batch: Arrival[]): Promise<void> {
    const plans = batch.map((a) => {
      try {
        return this.#plan(a);
      } catch (err) {
        this.#broke(err, a.topic);
        return { kind: 'watched' } as const;
      }
    });
    const toStore = plans.filter((p) => p.kind === 'store');
    const stored = await this.#store(toStore.map((p) => p.received));
    let k = 0;
    for (const p of plans)
      try {
        if (p.kind === 'refuse') await this.#refuse(p);
        else if (p.kind === 'store') await this.#stored(p, stored[k++] as Stored);
      } catch (err) {
        this.#broke(err, p.kind === 'watched' ? '' : p.a.topic);
      } finally {
        this.counters.handled++;
      }
  }

  #broke(err: unknown, topic: string): void {
    this.counters.failed++;
    this.#d.log.error({ err: (err as Error).message, topic }, 'hub: a message could not be handled');
  }

  #plan(a: Arrival): Plan {
    const { topic, payload } = a;
    if (this.#watched(topic, payload)) return { kind: 'watched' };
    const parsed = parseIncoming(topic, payload);
    if (!parsed.ok) return { kind: 'refuse', a, gateway: parsed.gateway, reason: parsed.reason };
    if (this.#d.signatures) {
      const v = this.#d.signatures.check(
        parsed.gateway,
        topic,
        payload,
        a.userProperties as Parameters<HomeSignatures['check']>[3],
      );
      if (!v.ok)
        return { kind: 'refuse', a, gateway: parsed.gateway, reason: v.reason, impostor: v.impostor };
    }
    const refused = this.#policy(parsed.incoming.msg);
    if (refused)
      return {
        kind: 'refuse',
        a,
        gateway: parsed.gateway,
        reason: refused.reason,
        claim: refused.claim ? parsed.incoming.msg.resident : undefined,
      };
    return {
      kind: 'store',
      a,
      parsed,
      received: {
        incoming: parsed.incoming,
        topic,
        receivedAt: a.receivedAt,
        instance: this.#d.instance,
        defaultHeartbeatMs: this.#d.homes.defaultHeartbeatMs,
        clockSkewMs: this.#d.homes.clockSkewMs,
      },
    };
  }

  /**
   * The batch in one transaction. One message the database refuses (a constraint, an encoding)
   * must not refuse the others with it: then each goes alone, and only that one is refused.
   */
  async #store(rs: Received[]): Promise<Stored[]> {
    if (rs.length === 0) return [];
    const all = await this.#commit(() => this.#d.store.receiveBatch(rs));
    if (all.ok) return all.value.map((value) => ({ ok: true, value }));
    if (rs.length === 1) return [all];
    const out: Stored[] = [];
    for (const r of rs) {
      const one = await this.#commit(() => this.#d.store.receiveBatch([r]));
      out.push(one.ok ? { ok: true, value: one.value[0] as ReceiveResult } : one);
    }
    return out;
  }

  async #refuse(p: Extract<Plan, { kind: 'refuse' }>): Promise<void> {
    const { topic, payload, receivedAt } = p.a;
    await this.#reject(topic, payload, p.gateway, p.reason, receivedAt);
    if (p.gateway !== null && p.impostor) await this.#impostor(p.gateway, p.reason, receivedAt);
    if (p.gateway !== null && p.claim !== undefined)
      await this.#claimed(p.gateway, p.claim, p.reason, receivedAt);
  }

  async #stored(p: Extract<Plan, { kind: 'store' }>, done: Stored): Promise<void> {
    const { topic, payload, receivedAt } = p.a;
    const { gateway, incoming } = p.parsed;
    if (!done.ok)
      return this.#reject(topic, payload, gateway, `the store refused it: ${done.error}`, receivedAt);
    const r = done.value;
    if (r.refused) {
      await this.#reject(topic, payload, gateway, r.refused, receivedAt);
      return this.#claimed(gateway, incoming.msg.resident, r.refused, receivedAt);
    }
    if (RECEIPTED.has(incoming.type)) this.#d.onKept?.(gateway, incoming.msg.id);
    if (r.duplicate) {
      this.counters.duplicates++;
      this.#d.onSeen?.(topic, incoming.type);
      return;
    }
    this.counters.stored++;
    if (r.alert)
      this.#d.log.info(
        { gateway: r.alert.gateway, alert_id: r.alert.alertId, state: r.alert.state, applied: r.alert.moved },
        'hub: alert',
      );
    this.#d.onStored?.(topic, r, incoming.type);
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
