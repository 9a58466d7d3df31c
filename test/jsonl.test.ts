// The JSON-lines decoder (framer and line parser) against random and mutated bytes: it never
// throws, and every good line planted in line noise comes out, in order, however the stream is
// cut into chunks: garbage in front of a line on the same line included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../firmware-bridge/serial/jsonl-driver.ts';
import { JsonlFramer, MAX_LINE, objectIn } from '../firmware-bridge/serial/jsonl-framer.ts';
import { through } from './helpers/framing.ts';

const enc = new TextEncoder();

/** The lines, cut into chunks of the sizes given, repeated (4 KB chunks without). */
function lines(stream: Uint8Array, cuts: number[] = []): Promise<string[]> {
  const sizes: number[] = [];
  for (let at = 0, i = 0; at < stream.length; i++) {
    const n = cuts.length ? (cuts[i % cuts.length] as number) : 4096;
    sizes.push(n);
    at += n;
  }
  return through<string>(new JsonlFramer(), stream, sizes);
}

const concat = (parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));

const arbLine = fc
  .record({
    sensor: fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/),
    value: fc.oneof(fc.boolean(), fc.integer({ min: -1000, max: 1000 })),
    seq: fc.nat({ max: 1e6 }),
  })
  .map((o) => JSON.stringify(o));
const arbNoise = fc.uint8Array({ maxLength: 300 });

/** What the driver reads from each line that parses: sensor, value and seq. */
const decoded = (ls: string[]) =>
  ls.flatMap((l) => {
    const p = parseLine(l);
    return p.ok ? [JSON.stringify({ sensor: p.sensor, value: p.value, seq: p.seq })] : [];
  });

/** Every planted line is found, in order (noise may hold a line of its own by chance). */
function expectAllPlanted(got: string[], planted: string[]): void {
  let i = 0;
  for (const g of got) if (g === planted[i]) i++;
  expect(i, `found ${i} of ${planted.length}`).toBe(planted.length);
}

describe('JSON lines decoder', () => {
  it('finds a line behind garbage on the same line, and refuses what holds no object', () => {
    expect(objectIn('\u0000\ufffd{"sen{"sensor":"chair1","value":true}')).toEqual({
      value: { sensor: 'chair1', value: true },
      skipped: 7,
    });
    expect(parseLine('#@!{"sensor":"chair1","value":true,"seq":4}')).toEqual({
      ok: true,
      sensor: 'chair1',
      value: true,
      seq: 4,
    });
    expect(parseLine('boot v1.2 ok')).toEqual({ ok: false, why: 'not JSON' });
    expect(parseLine('42')).toEqual({ ok: false, why: 'not an object' });
  });

  it('drops a run longer than a line without a newline, and keeps the line that follows it', async () => {
    const line = '{"sensor":"chair1","value":false,"seq":9}';
    for (const junk of ['x'.repeat(5000), `${'{"a":'.repeat(400)}zz`]) {
      const framer = new JsonlFramer();
      const out: string[] = [];
      framer.on('data', (l: string) => out.push(l));
      for (let i = 0; i < junk.length; i += 100) framer.write(Buffer.from(junk.slice(i, i + 100)));
      framer.write(Buffer.from(`${line}\n`));
      await new Promise((r) => setImmediate(r));
      expect(decoded(out)).toEqual([JSON.stringify({ sensor: 'chair1', value: false, seq: 9 })]);
      // What was held while no newline came stayed within a line's length.
      expect(out[0]?.length).toBeLessThanOrEqual(MAX_LINE + line.length);
      expect(framer.stats.droppedBytes).toBeGreaterThan(junk.length - MAX_LINE - 100);
    }
  });

  it('never throws on random bytes, any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.integer({ min: 1, max: 200 })),
        async (b, cuts) => {
          for (const l of await lines(b, cuts)) parseLine(l);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws on mutated good lines', () => {
    fc.assert(
      fc.property(arbLine, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))), (line, flips) => {
        const b = Buffer.from(line);
        for (const [i, v] of flips) if (b.length) b[i % b.length] = v;
        parseLine(b.toString('utf8'));
      }),
    );
  });

  it('finds every good line planted in noise, in order, any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(arbNoise, arbLine), { maxLength: 12 }),
        arbNoise,
        fc.array(fc.integer({ min: 1, max: 64 })),
        async (items, tail, cuts) => {
          // The firmware ends every line with a newline; what comes before it may be anything.
          const stream = concat([...items.flatMap(([n, l]) => [n, enc.encode(`${l}\n`)]), tail]);
          expectAllPlanted(
            decoded(await lines(stream, cuts)),
            items.map(([, l]) => l),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds all N lines interleaved with 1 MB of random bytes', async () => {
    const noise = fc.sample(fc.uint8Array({ minLength: 2100, maxLength: 2100 }), { numRuns: 256, seed: 7 });
    const planted = fc.sample(arbLine, { numRuns: 500, seed: 7 });
    const stream = concat(
      planted.flatMap((l, i) => [noise[i % noise.length] as Uint8Array, enc.encode(`${l}\n`)]),
    );
    expect(stream.length).toBeGreaterThan(1_000_000);
    expectAllPlanted(decoded(await lines(stream)), planted);
  });
});
