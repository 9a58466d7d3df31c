// Cuts a Firmata byte stream into whole messages. Every command byte has its top bit set and no
// data byte does, so a command byte always starts afresh: a cut message is dropped the moment the
// next one begins, garbage data bytes are skipped, and no amount of noise costs a later message.
import { type Direction, dataLength } from './codec.ts';
import { CMD } from './constants.ts';

/** The longest SysEx kept: a Mega's capability response is under 1 kB. */
export const MAX_SYSEX = 4096;

export type FramerStats = { messages: number; droppedBytes: number; cutMessages: number };

/** The framing: bytes in as the port hands them over, whole messages out, state kept between calls. */
export class FirmataParser {
  readonly stats: FramerStats = { messages: 0, droppedBytes: 0, cutMessages: 0 };
  #msg = new Uint8Array(MAX_SYSEX);
  #len = 0;
  /** Data bytes still due for a short message; -1 inside a SysEx. */
  #want = 0;

  constructor(private readonly from: Direction) {}

  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const b of bytes) {
      if (b >= 0x80) this.#command(b, out);
      else this.#data(b, out);
    }
    return out;
  }

  /** Bytes held for a message not yet whole. */
  get held(): number {
    return this.#len;
  }

  #command(b: number, out: Uint8Array[]): void {
    if (b === CMD.END_SYSEX && this.#want === -1) {
      this.#msg[this.#len++] = b;
      this.#emit(out);
      return;
    }
    if (this.#len) this.#cut();
    if (b === CMD.START_SYSEX) {
      this.#msg[this.#len++] = b;
      this.#want = -1;
      return;
    }
    const want = dataLength(b, this.from);
    if (want === undefined) {
      this.stats.droppedBytes++;
      return;
    }
    this.#msg[this.#len++] = b;
    this.#want = want;
    if (want === 0) this.#emit(out);
  }

  #data(b: number, out: Uint8Array[]): void {
    if (!this.#len) {
      this.stats.droppedBytes++;
      return;
    }
    if (this.#want === -1) {
      // One byte short of the buffer, so the end marker always fits.
      if (this.#len >= MAX_SYSEX - 1) {
        this.#cut();
        this.stats.droppedBytes++;
        return;
      }
      this.#msg[this.#len++] = b;
      return;
    }
    this.#msg[this.#len++] = b;
    if (--this.#want === 0) this.#emit(out);
  }

  #emit(out: Uint8Array[]): void {
    out.push(this.#msg.slice(0, this.#len));
    this.stats.messages++;
    this.#len = 0;
    this.#want = 0;
  }

  #cut(): void {
    this.stats.droppedBytes += this.#len;
    this.stats.cutMessages++;
    this.#len = 0;
    this.#want = 0;
  }
}
