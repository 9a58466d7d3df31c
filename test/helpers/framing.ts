// Pushes a byte stream through a framer in the given chunk sizes (the rest in one chunk), as a
// serial port would hand it over; what came out, in order. Shared by the property tests of every
// serial decoder.
import { Readable, type Transform } from 'node:stream';

/** The stream cut as a serial port might hand it over: chunks of the given sizes, the rest in one. */
export function chunked(stream: Uint8Array, cuts: number[] = []): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const c of cuts) {
    if (at >= stream.length) break;
    chunks.push(Buffer.from(stream.subarray(at, at + c)));
    at += c;
  }
  if (at < stream.length) chunks.push(Buffer.from(stream.subarray(at)));
  return chunks;
}

/** Through a framing Transform. */
export async function through<T>(framer: Transform, stream: Uint8Array, cuts: number[] = []): Promise<T[]> {
  const out: T[] = [];
  for await (const m of Readable.from(chunked(stream, cuts)).pipe(framer)) out.push(m as T);
  return out;
}
