// Refuses MQTT packets larger than a limit before their body arrives, by reading each packet's
// fixed header (type byte + variable-length "remaining length") as the bytes stream past; and
// makes every transport (TCP, TLS, WebSocket) one connection for aedes with the same bounds.
import type { Socket } from 'node:net';
import { Duplex, type Readable, Transform, Writable } from 'node:stream';
import { createWebSocketStream, type WebSocket } from 'ws';

export class FrameLimit {
  #state: 'type' | 'length' | 'body' = 'type';
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #left = 0;
  #packets = 0;

  /** `firstMaxBytes` bounds the first packet (CONNECT): what anyone may send before signing in. */
  constructor(
    private readonly maxBytes: number,
    private readonly firstMaxBytes = maxBytes,
  ) {}

  /** Feeds bytes; returns a reason to close the connection, or undefined. */
  feed(chunk: Buffer): string | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === 'type') {
        i++;
        this.#state = 'length';
        this.#length = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
      } else if (this.#state === 'length') {
        const b = chunk[i++] as number;
        this.#length += (b & 0x7f) * this.#multiplier;
        this.#multiplier *= 128;
        if (++this.#lengthBytes > 4) return 'malformed packet length';
        const max = this.#packets === 0 ? this.firstMaxBytes : this.maxBytes;
        if (this.#length > max) return `packet of ${this.#length} bytes exceeds the ${max}-byte limit`;
        if ((b & 0x80) === 0) {
          this.#packets++;
          this.#left = this.#length;
          this.#state = this.#left === 0 ? 'type' : 'body';
        }
      } else {
        const take = Math.min(this.#left, chunk.length - i);
        i += take;
        this.#left -= take;
        if (this.#left === 0) this.#state = 'type';
      }
    }
    return undefined;
  }
}

/** Where a client's bytes come from and go to: a TCP or TLS socket, or a WebSocket. */
export type Transport = {
  readable: Readable;
  /** Sends at once; what the network has not taken yet waits in the transport. */
  send(chunk: Buffer): void;
  /** Bytes sent and not yet taken by the network: what a client that does not read makes us hold. */
  backlog(): number;
  /** Ends the connection after what was sent. */
  end(): void;
  /** Ends it at once. */
  abort(): void;
  remoteAddress: string | undefined;
  /** The network connection underneath, the same before and after TLS or the WebSocket handshake. */
  key: string;
};

/** A TCP connection's name: a TLS socket and the socket under it, or a WebSocket's, share it. */
export const socketKey = (s: Socket): string => `${s.localPort}|${s.remoteAddress}|${s.remotePort}`;

export const socketTransport = (socket: Socket): Transport => ({
  readable: socket,
  send: (chunk) => {
    if (socket.writable) socket.write(chunk);
  },
  backlog: () => socket.writableLength,
  end: () => socket.end(),
  abort: () => socket.destroy(),
  remoteAddress: socket.remoteAddress,
  key: socketKey(socket),
});

/** A WebSocket's messages as one byte stream, MQTT packets being free to span messages. */
export const webSocketTransport = (ws: WebSocket, under: Socket): Transport => ({
  readable: createWebSocketStream(ws),
  send: (chunk) => {
    if (ws.readyState === ws.OPEN) ws.send(chunk);
  },
  backlog: () => ws.bufferedAmount,
  end: () => ws.close(),
  abort: () => ws.terminate(),
  remoteAddress: under.remoteAddress,
  key: socketKey(under),
});

export type Connection = Duplex & { remoteAddress: string | undefined; key: string; backlog(): number };

export type PacketLimits = { maxBytes: number; maxConnectBytes: number };

/**
 * The transport as aedes should see it: the same bytes both ways, but a packet over the limit
 * ends the connection before its body is read, and a write never waits for the client to read
 * (aedes would hold every other delivery meanwhile); what waits is bounded by backlog.ts.
 */
export function limitedConnection(
  t: Transport,
  limits: PacketLimits,
  onRefused: (why: string) => void,
): Connection {
  const limit = new FrameLimit(limits.maxBytes, limits.maxConnectBytes);
  let refused = false;
  const checked = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const why = refused ? undefined : limit.feed(chunk);
      if (!why && !refused) return done(null, chunk);
      if (why) {
        refused = true;
        onRefused(why);
        t.abort();
      }
      done();
    },
  });
  t.readable.pipe(checked);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      t.send(chunk);
      done();
    },
    final(done) {
      t.end();
      done();
    },
  });
  const conn = Duplex.from({ readable: checked, writable: sink });
  conn.on('close', () => t.abort());
  t.readable.on('error', () => conn.destroy());
  return Object.assign(conn, { remoteAddress: t.remoteAddress, key: t.key, backlog: t.backlog });
}
