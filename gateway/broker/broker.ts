// The embedded local broker (aedes). Authentication is always on: users from the provisioning
// file, passwords by reference and kept as scrypt hashes, ACLs per user. The policy is pure
// (acl.ts, guard.ts, frame-limit.ts); this file only adapts it to aedes's hooks and to sockets.

import { Aedes, type Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { resolveSecret } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../clock.ts';
import type { Counters } from '../counters.ts';
import type { Logger } from '../log.ts';
import { type AclUser, canPublish, canSubscribe, topicProblem } from './acl.ts';
import { forward } from './backlog.ts';
import { generatePassword, hashPassword, type PasswordHash } from './credentials.ts';
import type { Connection } from './frame-limit.ts';
import { SignInGuard } from './guard.ts';
import { openListeners, portOf } from './listeners.ts';
import { LogBudget } from './log-budget.ts';
import { PendingConnections } from './pending.ts';
import { RetainedBudget } from './retained.ts';
import { authenticator, type BrokerUser } from './sign-in.ts';
import { ConnectionSlots } from './slots.ts';

// mqtt-packet (aedes's and the relay's encoder) would otherwise make a Buffer for each of the
// 65,536 packet ids and lengths on its first write: about 6 MB kept for the gateway's life to
// save a 2-byte allocation per packet.
mqttPacket.writeToStream.cacheNumbers = false;

/** The gateway's own user: its tools (hearth status, a dashboard in the home) read everything local. */
export const INTERNAL_USER = 'hearth';
/** Zigbee2MQTT's bridge/devices message runs to hundreds of kilobytes in a large network. */
export const MAX_PACKET_BYTES = 1024 * 1024;
/** The first packet, CONNECT, before anyone has signed in: a name, a password and a small will. */
export const MAX_CONNECT_BYTES = 64 * 1024;
/** A client that asks for no keep-alive gets this one: silent connections are closed. */
export const KEEPALIVE_S = 60;
export const KEEPALIVE_MAX_S = 600;

export type LocalBroker = {
  /** Publishes as the gateway itself (not subject to the ACL). */
  publish(topic: string, payload: string | Buffer, opts?: { retain?: boolean; qos?: 0 | 1 }): Promise<void>;
  /** Hears every message published to topics matching the filter. */
  subscribe(filter: string, handler: (topic: string, payload: Buffer) => void): () => void;
  addresses(): { host: string; port: number; kind: 'tcp' | 'tls' | 'ws' }[];
  credential: { username: string; password: string };
  stop(): Promise<void>;
};

export type BrokerOptions = { config: Config; log: Logger; counters: Counters; clock: Clock };

export async function startBroker(o: BrokerOptions): Promise<LocalBroker> {
  const { config, log, counters, clock } = o;
  const credential = { username: INTERNAL_USER, password: generatePassword() };
  const table: (AclUser & { password: string })[] = [
    ...config.local_broker.users.map((u) => ({
      name: u.name,
      publish: u.publish,
      subscribe: u.subscribe,
      password: resolveSecret(u.password),
    })),
    { name: INTERNAL_USER, publish: ['hearth/local/#'], subscribe: ['#'], password: credential.password },
  ];
  // Hashed together: scrypt runs on libuv's thread pool, so start-up pays for one, not each.
  const hashes = await Promise.all(table.map((u) => hashPassword(u.password)));
  const users = new Map<string, BrokerUser>(
    table.map((u, i) => [
      u.name,
      { name: u.name, publish: u.publish, subscribe: u.subscribe, hash: hashes[i] as PasswordHash },
    ]),
  );

  const signedIn = new WeakMap<Client, AclUser>();
  const byId = new Map<string, Client>();
  const limits = config.local_broker.limits;
  const pending = new PendingConnections({
    maxPending: limits.max_pending,
    maxPerAddress: limits.max_pending_per_address,
  });
  const budget = new LogBudget();
  /** A warning, at most a few a minute of each kind. */
  const warn = (kind: string, fields: Record<string, unknown>, msg: string) => {
    const t = budget.take(kind, clock.now());
    if (t.ok) log.warn(t.held ? { ...fields, not_logged_before: t.held } : fields, msg);
  };
  /** A refusal: counted, every one, and logged a few times a minute. */
  const refused = (kind: string, fields: Record<string, unknown>, msg: string) => {
    counters.add(kind);
    warn(kind, fields, msg);
  };
  const retained = new RetainedBudget({
    perUserBytes: limits.max_retained_per_user,
    totalBytes: limits.max_retained,
  });
  /** A retained message past the bounds is delivered but not kept; the older one on its topic goes. */
  const keepRetained = (
    user: string,
    packet: { topic: string; payload: Buffer | string; retain: boolean },
  ) => {
    const r = retained.admit(user, packet.topic, Buffer.byteLength(packet.payload));
    if (r.keep) return;
    refused(
      'broker.retained_refused',
      { user, topic: packet.topic },
      `local broker: not retained: ${r.reason}`,
    );
    packet.retain = false;
    // aedes's persistence (aedes-persistence's interface): an empty retained message clears the topic.
    if (r.clearOlder)
      void (aedes as unknown as { persistence: { storeRetained(p: object): Promise<void> } }).persistence
        .storeRetained({
          cmd: 'publish',
          topic: packet.topic,
          payload: Buffer.alloc(0),
          qos: 0,
          retain: true,
        })
        .catch((err: Error) =>
          log.warn({ err: err.message }, 'local broker: a stale retained message stays'),
        );
  };
  /** Since when each client has had more waiting for it than max_backlog. */
  const behind = new WeakMap<Client, number>();

  const aedes = await Aedes.createBroker({
    connectTimeout: limits.connect_timeout,
    keepaliveLimit: KEEPALIVE_MAX_S,
    // Writes do not wait for the client (frame-limit.ts): one that does not read is dealt with in
    // authorizeForward, before aedes would hold a delivery slot for it.
    drainTimeout: limits.stalled_after,
    maxTopicLevels: 32,
    preConnect(client, packet, done) {
      // Its CONNECT came: no longer one of the connections that may be closed to make room.
      pending.remove((client.conn as Connection).key);
      if (!packet.keepalive) packet.keepalive = KEEPALIVE_S;
      done(null, true);
    },
    authenticate: authenticator({
      users,
      guard: new SignInGuard({
        maxFailures: limits.max_failures,
        banMs: limits.sign_in_ban,
        maxAddressFailures: limits.max_address_failures,
      }),
      slots: new ConnectionSlots({
        maxConnections: limits.max_connections,
        maxPerUser: limits.max_connections_per_user,
      }),
      now: () => clock.now(),
      holderOf: (id) => {
        const holder = byId.get(id);
        return holder ? signedIn.get(holder) : undefined;
      },
      signedIn,
      refused,
    }),
    authorizePublish(client, packet, done) {
      const bad = topicProblem(packet.topic);
      if (bad) {
        refused('broker.topic_refused', { client: client?.id }, `local broker: ${bad}`);
        return done(new Error(bad)); // MQTT 3.1.1: the connection is closed
      }
      const user = client ? signedIn.get(client) : undefined;
      const d = canPublish(user, packet.topic);
      if (!d.ok) {
        refused('broker.publish_denied', { client: client?.id }, `local broker: ${d.reason}`);
        return done(new Error(d.reason));
      }
      if (packet.retain && user) keepRetained(user.name, packet);
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      const bad = topicProblem(sub.topic);
      if (bad) {
        refused('broker.topic_refused', { client: client.id }, `local broker: ${bad}`);
        return done(new Error(bad), null);
      }
      const d = canSubscribe(signedIn.get(client), sub.topic);
      if (d.ok) return done(null, sub);
      refused('broker.subscribe_denied', { client: client.id }, `local broker: ${d.reason}`);
      done(null, null); // SUBACK 0x80 for this filter, as MQTT 3.1.1 specifies
    },
    authorizeForward(client, packet) {
      const conn = client.conn as Connection;
      const now = clock.now();
      const d = forward(conn.backlog(), packet.qos, behind.get(client) ?? null, now, {
        maxBytes: limits.max_backlog,
        stalledMs: limits.stalled_after,
      });
      if (d.overSince === null) behind.delete(client);
      else {
        if (!behind.has(client))
          warn(
            'broker.slow',
            { client: client.id },
            'local broker: a client is not reading; its QoS 0 messages are dropped',
          );
        behind.set(client, d.overSince);
      }
      if (d.action === 'send') return packet;
      if (d.action === 'drop') counters.add('broker.slow_dropped');
      else {
        refused('broker.slow_closed', { client: client.id }, `local broker closed a connection: ${d.reason}`);
        // Not from inside aedes's delivery: once it is done with this message.
        setImmediate(() => conn.destroy());
      }
      return null;
    },
  });
  // Who holds each client id, for sign-in: another user's connection may not take it over.
  aedes.on('client', (client) => byId.set(client.id, client));
  aedes.on('clientDisconnect', (client) => byId.get(client.id) === client && byId.delete(client.id));
  aedes.on('clientError', (client, err) =>
    log.debug({ client: client.id, err: err.message }, 'local broker client error'),
  );

  const { listening, close: closeListening } = await openListeners(config.local_broker.listen, {
    packets: { maxBytes: MAX_PACKET_BYTES, maxConnectBytes: MAX_CONNECT_BYTES },
    // Past every bound of ours, so that Node's own refusal of a socket never comes first.
    maxSockets: limits.max_connections + limits.max_pending + 16,
    handshakeMs: limits.connect_timeout,
    pending,
    evicted: (address) =>
      refused(
        'broker.pending_closed',
        { address },
        'local broker closed a connection that had not sent CONNECT',
      ),
    handle: (conn, req) => aedes.handle(conn, req),
    oversized: (address, why) =>
      refused('broker.oversized', { address }, `local broker closed a connection: ${why}`),
  }).catch(async (err: Error) => {
    await new Promise<void>((r) => aedes.close(() => r()));
    throw err;
  });
  for (const l of listening)
    log.info(
      `local broker listening on ${l.kind === 'tcp' ? 'mqtt' : l.kind === 'tls' ? 'mqtts' : 'ws'}://${l.host}:${portOf(l.server)}`,
    );
  const close = async () => {
    // Clients first: a server's close waits for every connection it still has.
    await new Promise<void>((r) => aedes.close(() => r()));
    await closeListening();
  };

  return {
    credential,
    publish: (topic, payload, opts = {}) =>
      new Promise((resolve, reject) =>
        aedes.publish(
          {
            cmd: 'publish',
            topic,
            payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
            qos: opts.qos ?? 0,
            retain: opts.retain ?? false,
            dup: false,
          },
          (err) => (err ? reject(err) : resolve()),
        ),
      ),
    subscribe(filter, handler) {
      const deliver = (packet: { topic: string; payload: Buffer | string }, cb: () => void) => {
        try {
          handler(
            packet.topic,
            Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
          );
        } catch (err) {
          // The gateway's own handlers are not to throw; if one does, that message is lost, not the broker.
          refused(
            'broker.handler_failed',
            { topic: packet.topic, err: String(err) },
            'local broker: a handler failed',
          );
        }
        // Never synchronously: aedes's emitter would run its whole backlog of waiting messages
        // as one deep recursion through here, and overflow the stack.
        setImmediate(cb);
      };
      aedes.subscribe(filter, deliver as never, () => {});
      return () => aedes.unsubscribe(filter, deliver as never, () => {});
    },
    addresses: () => listening.map((l) => ({ host: l.host, port: portOf(l.server), kind: l.kind })),
    stop: close,
  };
}
