// Refuses MQTT packets larger than a limit before their body arrives, by reading each packet's
// fixed header (type byte + variable-length "remaining length") as the bytes stream past.
import type { Socket } from 'node:net';
import { Duplex, Transform } from 'node:stream';

export class FrameLimit {
  #state: 'type' | 'length' | 'body' = 'type';
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #left = 0;

  constructor(private readonly maxBytes: number) {}

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
        if (this.#length > this.maxBytes)
          return `packet of ${this.#length} bytes exceeds the ${this.maxBytes}-byte limit`;
        if ((b & 0x80) === 0) {
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

/**
 * The socket as aedes should see it: the same bytes both ways, but a packet over the limit ends
 * the connection before its body is read. The remote address is carried over for the guard.
 */
export function limitedConnection(
  socket: Socket,
  maxBytes: number,
  onRefused: (why: string) => void,
): Duplex {
  const limit = new FrameLimit(maxBytes);
  const checked = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const why = limit.feed(chunk);
      if (!why) return done(null, chunk);
      onRefused(why);
      socket.destroy();
      done();
    },
  });
  socket.pipe(checked);
  const conn = Duplex.from({ readable: checked, writable: socket });
  conn.on('close', () => socket.destroy());
  socket.on('error', () => conn.destroy());
  return Object.assign(conn, { remoteAddress: socket.remoteAddress });
}
