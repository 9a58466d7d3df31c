// The local broker's listeners (TCP, TLS, WebSocket). Whatever carries a client, it reaches
// aedes as one Connection with the same bounds (frame-limit.ts).
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { WebSocketServer } from 'ws';
import { readPemFile } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import {
  type Connection,
  limitedConnection,
  type PacketLimits,
  socketKey,
  socketTransport,
  type Transport,
  webSocketTransport,
} from './frame-limit.ts';
import type { PendingConnections } from './pending.ts';

export type ListenerKind = 'tcp' | 'tls' | 'ws';
export type Listening = { server: Server | HttpServer; kind: ListenerKind; host: string };

export type ListenerDeps = {
  packets: PacketLimits;
  /** Sockets a listener keeps open at most (Node refuses the ones past it). */
  maxSockets: number;
  /** Time for a TLS or WebSocket handshake. */
  handshakeMs: number;
  /** A new connection, for aedes. */
  handle(conn: Connection, req?: IncomingMessage): void;
  /** A connection closed for a packet over the limit. */
  oversized(address: string | undefined, why: string): void;
  /** Connections that have not sent CONNECT yet; the broker takes them off when CONNECT comes. */
  pending: PendingConnections;
  /** A connection closed to make room for newer ones before it sent CONNECT. */
  evicted(address: string | undefined): void;
};

/** The port a server really listens on (port 0 in the file takes any free one). */
export const portOf = (server: Server | HttpServer): number => {
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
};

type ListenConfig = Config['local_broker']['listen'][number];

function serverFor(l: ListenConfig, d: ListenerDeps): { server: Server | HttpServer; kind: ListenerKind } {
  const open = (t: Transport, req?: IncomingMessage) =>
    d.handle(
      limitedConnection(t, d.packets, (why) => d.oversized(t.remoteAddress, why)),
      req,
    );
  const onSocket = (socket: Socket) => {
    socket.setNoDelay(true);
    open(socketTransport(socket));
  };
  if (l.websocket) {
    const http = createHttpServer();
    // ws's maxPayload bounds one WebSocket message; an MQTT packet may span several, so the
    // packet limit is applied to the stream of them, as on TCP.
    const wss = new WebSocketServer({ server: http, maxPayload: d.packets.maxBytes });
    wss.on('connection', (ws, req) => open(webSocketTransport(ws, req.socket), req));
    http.headersTimeout = d.handshakeMs;
    http.requestTimeout = d.handshakeMs;
    return { server: http, kind: 'ws' };
  }
  if (l.tls) {
    const tls = {
      cert: readPemFile('local_broker.listen.tls.cert', l.tls.cert),
      key: readPemFile('local_broker.listen.tls.key', l.tls.key),
      ...(l.tls.ca ? { ca: readPemFile('local_broker.listen.tls.ca', l.tls.ca) } : {}),
      handshakeTimeout: d.handshakeMs,
    };
    return { server: createTlsServer(tls, onSocket), kind: 'tls' };
  }
  return { server: createServer(onSocket), kind: 'tcp' };
}

export type Listeners = { listening: Listening[]; close(): Promise<void> };

/** Opens every listener of the file, or none: a failure closes those already open. */
export async function openListeners(listen: readonly ListenConfig[], d: ListenerDeps): Promise<Listeners> {
  const listening: Listening[] = [];
  // Every socket by its key, from its first byte (before TLS or HTTP): a server's close waits for
  // them all, and one waiting too long for its CONNECT is closed by the pending bound.
  const sockets = new Map<string, Socket>();
  const close = async () => {
    for (const s of sockets.values()) s.destroy();
    await Promise.all(listening.map((l) => new Promise<void>((r) => l.server.close(() => r()))));
  };
  const accept = (s: Socket) => {
    const key = socketKey(s);
    sockets.set(key, s);
    s.once('close', () => {
      sockets.delete(key);
      d.pending.remove(key);
    });
    for (const old of d.pending.add(key, s.remoteAddress ?? 'unknown')) {
      d.evicted(sockets.get(old)?.remoteAddress);
      sockets.get(old)?.destroy();
    }
  };
  try {
    for (const l of listen) {
      const { server, kind } = serverFor(l, d);
      server.maxConnections = d.maxSockets;
      server.on('connection', accept);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(l.port, l.host, () => resolve());
      });
      listening.push({ server, kind, host: l.host });
    }
    return { listening, close };
  } catch (err) {
    await close();
    const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
    throw new Error(
      e.code === 'EADDRINUSE'
        ? `local broker: port ${e.port ?? ''} on ${e.address ?? ''} is already in use (another broker such as Mosquitto?); free it or change local_broker.listen`
        : `local broker: ${e.message}`,
    );
  }
}
