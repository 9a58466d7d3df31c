// Pushes a byte stream through a framing Transform in the given chunk sizes (the rest in one
// chunk), as a serial port would hand it over; what came out, in order. Shared by the property
// tests of every serial decoder.
import { Readable, type Transform } from 'node:stream';

export async function through<T>(framer: Transform, stream: Uint8Array, cuts: number[] = []): Promise<T[]> {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const c of cuts) {
    if (at >= stream.length) break;
    chunks.push(Buffer.from(stream.subarray(at, at + c)));
    at += c;
  }
  if (at < stream.length) chunks.push(Buffer.from(stream.subarray(at)));
  const out: T[] = [];
  for await (const m of Readable.from(chunks).pipe(framer)) out.push(m as T);
  return out;
}
