// The embedded local broker (aedes). Authentication is always on: users from the provisioning
// file, passwords by reference and kept as scrypt hashes, ACLs per user. The policy is pure
// (acl.ts, guard.ts, slots.ts, pending.ts, retained.ts, backlog.ts, frame-limit.ts); sign-in.ts,
// hooks.ts and listeners.ts adapt it to aedes and to sockets, and this file puts them together.

import { Aedes, type Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { resolveSecret } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import type { AclUser } from './acl.ts';
import { generatePassword, hashPassword, type PasswordHash } from './credentials.ts';
import type { Connection } from './frame-limit.ts';
import { SignInGuard } from './guard.ts';
import { publishHooks } from './hooks.ts';
import { openListeners, portOf } from './listeners.ts';
import { PendingConnections } from './pending.ts';
import { type Refusals, refusalLog } from './refusal-log.ts';
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

/** The file's users and the gateway's own, each with its password hashed. */
async function usersOf(config: Config, own: { username: string; password: string }) {
  const table: (AclUser & { password: string })[] = [
    ...config.local_broker.users.map((u) => ({
      name: u.name,
      publish: u.publish,
      subscribe: u.subscribe,
      password: resolveSecret(u.password),
    })),
    { name: own.username, publish: ['hearth/local/#'], subscribe: ['#'], password: own.password },
  ];
  // Hashed together: scrypt runs on libuv's thread pool, so start-up pays for one, not each.
  const hashes = await Promise.all(table.map((u) => hashPassword(u.password)));
  return new Map<string, BrokerUser>(
    table.map((u, i) => [
      u.name,
      { name: u.name, publish: u.publish, subscribe: u.subscribe, hash: hashes[i] as PasswordHash },
    ]),
  );
}

/** The gateway's own subscriber: hears what matches `filter`, whatever its handler does. */
function internalSubscriber(aedes: Aedes, refused: Refusals['refused']): LocalBroker['subscribe'] {
  return (filter, handler) => {
    const deliver = (packet: { topic: string; payload: Buffer | string }, cb: () => void) => {
      try {
        handler(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
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
  };
}

export async function startBroker(o: BrokerOptions): Promise<LocalBroker> {
  const { config, log, counters, clock } = o;
  const credential = { username: INTERNAL_USER, password: generatePassword() };
  const users = await usersOf(config, credential);
  const signedIn = new WeakMap<Client, AclUser>();
  const byId = new Map<string, Client>();
  const limits = config.local_broker.limits;
  const pending = new PendingConnections({
    maxPending: limits.max_pending,
    maxPerAddress: limits.max_pending_per_address,
  });
  const { warn, refused } = refusalLog(log, counters, () => clock.now());

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
      // No session is kept for a client that is away: what the broker would queue for one (every
      // QoS 1 message on its topics, for as long as it stays away) has no bound on a Pi. It gets a
      // clean session (CONNACK: no session present), subscribes again, as clients do on a fresh
      // session, and misses what was sent while it was away, as with QoS 0.
      if (!packet.clean) {
        packet.clean = true;
        counters.add('broker.session_made_clean');
      }
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
    ...publishHooks({
      warn,
      refused,
      limits,
      signedIn,
      now: () => clock.now(),
      count: (name) => counters.add(name),
      clearRetained: (topic) =>
        // aedes-persistence's interface: an empty retained message clears its topic.
        void (aedes as unknown as { persistence: { storeRetained(p: object): Promise<void> } }).persistence
          .storeRetained({ cmd: 'publish', topic, payload: Buffer.alloc(0), qos: 0, retain: true })
          .catch((err: Error) =>
            log.warn({ err: err.message }, 'local broker: a stale retained message stays'),
          ),
    }),
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
    subscribe: internalSubscriber(aedes, refused),
    addresses: () => listening.map((l) => ({ host: l.host, port: portOf(l.server), kind: l.kind })),
    stop: close,
  };
}
