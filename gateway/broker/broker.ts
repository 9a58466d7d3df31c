// The embedded local broker (aedes). Authentication is always on: users from the provisioning
// file, passwords by reference and kept as scrypt hashes, ACLs per user. The policy is pure
// (acl.ts, guard.ts, frame-limit.ts); this file only adapts it to aedes's hooks and to sockets.

import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { resolveSecret } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../clock.ts';
import type { Counters } from '../counters.ts';
import type { Logger } from '../log.ts';
import { type AclUser, canPublish, canSubscribe } from './acl.ts';
import { generatePassword, hashPassword, type PasswordHash, verifyPassword } from './credentials.ts';
import { limitedConnection } from './frame-limit.ts';
import { ConnectGuard, DEFAULT_LIMITS } from './guard.ts';

// mqtt-packet (aedes's and the relay's encoder) would otherwise make a Buffer for each of the
// 65,536 packet ids and lengths on its first write: about 6 MB kept for the gateway's life to
// save a 2-byte allocation per packet.
mqttPacket.writeToStream.cacheNumbers = false;

/** The gateway's own user: its tools (hearth status, a dashboard in the home) read everything local. */
export const INTERNAL_USER = 'hearth';
/** Zigbee2MQTT's bridge/devices message runs to hundreds of kilobytes in a large network. */
export const MAX_PACKET_BYTES = 1024 * 1024;
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

/** The port a server really listens on (port 0 in the file takes any free one). */
const portOf = (server: Server | HttpServer): number => {
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
};

type Listening = { server: Server | HttpServer; kind: 'tcp' | 'tls' | 'ws'; host: string };

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
  const users = new Map<string, AclUser & { hash: PasswordHash }>(
    table.map((u, i) => [
      u.name,
      { name: u.name, publish: u.publish, subscribe: u.subscribe, hash: hashes[i] as PasswordHash },
    ]),
  );

  const signedIn = new WeakMap<Client, AclUser>();
  const guard = new ConnectGuard(DEFAULT_LIMITS);
  const addressOf = (c: Client) => (c.conn as Socket).remoteAddress ?? 'unknown';

  const aedes = await Aedes.createBroker({
    connectTimeout: 10_000,
    keepaliveLimit: KEEPALIVE_MAX_S,
    drainTimeout: 30_000,
    maxTopicLevels: 32,
    preConnect(client, packet, done) {
      const why = guard.refuse(addressOf(client), aedes.connectedClients, clock.now());
      if (why) {
        counters.add('broker.refused');
        log.warn(
          { address: addressOf(client), client: packet.clientId },
          `local broker refused a connection: ${why}`,
        );
        return done(null, false);
      }
      if (!packet.keepalive) packet.keepalive = KEEPALIVE_S;
      done(null, true);
    },
    authenticate(client, username, password, done) {
      const user = username === undefined ? undefined : users.get(username);
      void verifyPassword(password as Buffer | undefined, user?.hash).then((ok) => {
        if (ok && user) {
          guard.succeeded(addressOf(client));
          signedIn.set(client, user);
          return done(null, true);
        }
        guard.failed(addressOf(client), clock.now());
        counters.add('broker.auth_failed');
        log.warn(
          { address: addressOf(client), user: username ?? null },
          username
            ? 'local broker: wrong user name or password'
            : 'local broker: anonymous connection refused',
        );
        const err = new Error(username ? 'bad user name or password' : 'not authorized') as AuthenticateError;
        err.returnCode = username ? 4 : 5;
        done(err, false);
      });
    },
    authorizePublish(client, packet, done) {
      const d = canPublish(client ? signedIn.get(client) : undefined, packet.topic);
      if (d.ok) return done(null);
      counters.add('broker.publish_denied');
      log.warn({ client: client?.id }, `local broker: ${d.reason}`);
      done(new Error(d.reason));
    },
    authorizeSubscribe(client, sub, done) {
      const d = canSubscribe(signedIn.get(client), sub.topic);
      if (d.ok) return done(null, sub);
      counters.add('broker.subscribe_denied');
      log.warn({ client: client.id }, `local broker: ${d.reason}`);
      done(null, null); // SUBACK 0x80 for this filter, as MQTT 3.1.1 specifies
    },
  });
  aedes.on('clientError', (client, err) =>
    log.debug({ client: client.id, err: err.message }, 'local broker client error'),
  );

  const handle = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    const conn = limitedConnection(socket, MAX_PACKET_BYTES, (why) => {
      counters.add('broker.oversized');
      log.warn({ address: socket.remoteAddress }, `local broker closed a connection: ${why}`);
    });
    aedes.handle(conn);
  };

  const listening: Listening[] = [];
  const sockets = new Set<Socket>();
  const close = async () => {
    // Clients first: a server's close waits for every connection it still has.
    await new Promise<void>((r) => aedes.close(() => r()));
    for (const s of sockets) s.destroy();
    await Promise.all(listening.map((l) => new Promise<void>((r) => l.server.close(() => r()))));
  };
  try {
    for (const l of config.local_broker.listen) {
      let server: Server | HttpServer;
      let kind: Listening['kind'];
      if (l.websocket) {
        const http = createHttpServer();
        const wss = new WebSocketServer({ server: http, maxPayload: MAX_PACKET_BYTES });
        wss.on('connection', (ws, req) =>
          // The address goes with the stream, so the sign-in guard counts each client apart.
          aedes.handle(
            Object.assign(createWebSocketStream(ws), { remoteAddress: req.socket.remoteAddress }),
            req,
          ),
        );
        server = http;
        kind = 'ws';
      } else if (l.tls) {
        server = createTlsServer(
          {
            cert: readFileSync(l.tls.cert),
            key: readFileSync(l.tls.key),
            ...(l.tls.ca ? { ca: readFileSync(l.tls.ca) } : {}),
          },
          handle,
        );
        kind = 'tls';
      } else {
        server = createServer(handle);
        kind = 'tcp';
      }
      (server as Server).maxConnections = DEFAULT_LIMITS.maxConnections * 2;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(l.port, l.host, () => resolve());
      });
      listening.push({ server, kind, host: l.host });
      log.info(
        `local broker listening on ${kind === 'tcp' ? 'mqtt' : kind === 'tls' ? 'mqtts' : 'ws'}://${l.host}:${portOf(server)}`,
      );
    }
  } catch (err) {
    await close();
    const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
    throw new Error(
      e.code === 'EADDRINUSE'
        ? `local broker: port ${e.port ?? ''} on ${e.address ?? ''} is already in use (another broker such as Mosquitto?); free it or change local_broker.listen`
        : `local broker: ${e.message}`,
    );
  }

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
        } finally {
          cb();
        }
      };
      aedes.subscribe(filter, deliver as never, () => {});
      return () => aedes.unsubscribe(filter, deliver as never, () => {});
    },
    addresses: () => listening.map((l) => ({ host: l.host, port: portOf(l.server), kind: l.kind })),
    stop: close,
  };
}
