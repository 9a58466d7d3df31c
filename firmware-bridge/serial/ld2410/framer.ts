// Finds LD2410 frames (reports and command/ACK frames) in the radar's byte stream; one whole
// frame, header to footer, per object out. Meaning is the codec's business: this only checks
// what delimits a frame, so it resynchronises after garbage, cut frames, wrong lengths and bad
// footers by stepping one byte past a false header, which can never skip a later good frame.
import { Transform, type TransformCallback } from 'node:stream';
import {
  COMMAND_FOOTER,
  COMMAND_HEADER,
  FRAME_OVERHEAD,
  REPORT_FOOTER,
  REPORT_HEADER,
  startsWith,
} from './codec.ts';

/** The longest payload accepted: the largest real one is 35 bytes (engineering report). */
export const MAX_PAYLOAD = 64;

// The shortest payloads: a basic report's target data, a bare command word.
const MIN_REPORT = 13;
const MIN_COMMAND = 2;

export type FramerStats = { frames: number; droppedBytes: number };

export class Ld2410Framer extends Transform {
  #held: Buffer = Buffer.alloc(0);
  readonly stats: FramerStats = { frames: 0, droppedBytes: 0 };

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const buf = this.#held.length > 0 ? Buffer.concat([this.#held, chunk]) : chunk;
    const rest = this.#scan(buf);
    // Copy, so a large chunk is not kept alive by the few bytes held back.
    this.#held = Buffer.from(buf.subarray(rest));
    done();
  }

  override _flush(done: TransformCallback): void {
    this.stats.droppedBytes += this.#held.length;
    this.#held = Buffer.alloc(0);
    done();
  }

  /** Emits every frame in buf; returns where the bytes still to keep begin. */
  #scan(buf: Buffer): number {
    let pos = 0;
    // Next header positions, cached: a stream full of one false header must not make the
    // search for the other header rescan the whole chunk each time (quadratic).
    let nextReport = -1;
    let nextCommand = -1;
    for (;;) {
      if (nextReport !== Infinity && nextReport < pos) nextReport = found(buf.indexOf(REPORT_HEADER, pos));
      if (nextCommand !== Infinity && nextCommand < pos)
        nextCommand = found(buf.indexOf(COMMAND_HEADER, pos));
      const start = Math.min(nextReport, nextCommand);
      if (start === Infinity) {
        // Keep a possible partial header at the end; the rest is garbage.
        const keep = Math.max(pos, buf.length - (REPORT_HEADER.length - 1));
        return this.#drop(pos, keep);
      }
      pos = this.#drop(pos, start);
      if (buf.length - pos < 6) return pos;
      const isReport = start === nextReport;
      const len = buf.readUInt16LE(pos + 4);
      const total = FRAME_OVERHEAD + len;
      if (len < (isReport ? MIN_REPORT : MIN_COMMAND) || len > MAX_PAYLOAD) {
        pos = this.#drop(pos, pos + 1);
        continue;
      }
      // A whole frame inside this candidate, even before the candidate is complete, means the
      // candidate is a cut frame: go to that frame now rather than wait for bytes to come.
      const inner = innerFrame(buf, pos, Math.min(pos + total, buf.length));
      if (inner > pos) {
        pos = this.#drop(pos, inner);
        continue;
      }
      if (buf.length - pos < total) return pos;
      if (delimited(buf, pos, len, isReport)) {
        this.push(Buffer.from(buf.subarray(pos, pos + total)));
        this.stats.frames++;
        pos += total;
      } else {
        pos = this.#drop(pos, pos + 1);
      }
    }
  }

  #drop(from: number, to: number): number {
    this.stats.droppedBytes += to - from;
    return to;
  }
}

const found = (i: number): number => (i < 0 ? Infinity : i);

// A real frame never holds a whole other frame (payloads are short and marker-free), so a
// candidate that does is a cut frame followed by that one, even when the cut frame's length
// happens to reach the inner frame's footer. Returns the first whole frame in buf[pos+1, end),
// or pos when there is none.
function innerFrame(buf: Buffer, pos: number, end: number): number {
  for (let at = pos + 1; at + FRAME_OVERHEAD <= end; at++) {
    const isReport = startsWith(buf, REPORT_HEADER, at);
    if (!isReport && !startsWith(buf, COMMAND_HEADER, at)) continue;
    const len = buf.readUInt16LE(at + 4);
    if (at + FRAME_OVERHEAD + len <= end && delimited(buf, at, len, isReport)) return at;
  }
  return pos;
}

// The footer, and for reports the 0xAA / 0x55 markers inside the payload: markers that cut
// the chance of noise passing for a frame (and hiding a real one) without reading meaning.
function delimited(buf: Buffer, pos: number, len: number, isReport: boolean): boolean {
  const footerAt = pos + 6 + len;
  if (!isReport) return startsWith(buf, COMMAND_FOOTER, footerAt);
  return startsWith(buf, REPORT_FOOTER, footerAt) && buf[pos + 7] === 0xaa && buf[footerAt - 2] === 0x55;
}
