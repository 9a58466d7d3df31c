// HLK-LD2410 radar: the codec against public reference frames, and the framer against noise.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readingSchema } from '../core/reading.ts';
import {
  decodeFrame,
  disableEngineering,
  enableConfiguration,
  enableEngineering,
  endConfiguration,
  type Frame,
  presenceReading,
  type Report,
  readFirmware,
} from '../firmware-bridge/serial/ld2410/codec.ts';
import { Ld2410Framer } from '../firmware-bridge/serial/ld2410/framer.ts';
import { through } from './helpers/framing.ts';
import { hasShared, sharedPath } from './helpers/shared.ts';

type Fixture = { hex: string; mode: string; expect: Record<string, unknown> };
const fixtures = (): Fixture[] =>
  JSON.parse(readFileSync(sharedPath('data/ld2410-frames.json'), 'utf8')).frames as Fixture[];

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A frame's decoded fields, flat, to compare with a fixture's `expect`. */
function fields(f: Frame): Record<string, unknown> {
  if (f.type !== 'ack') return { ...f };
  return { ...f, ...f.body };
}

/** A report frame as the radar sends it (test-only: the host never sends reports). */
function report(r: {
  state: number;
  md: number;
  me: number;
  sd: number;
  se: number;
  dd: number;
  gates?: number[];
}) {
  const target = [
    r.state,
    r.md & 0xff,
    r.md >> 8,
    r.me,
    r.sd & 0xff,
    r.sd >> 8,
    r.se,
    r.dd & 0xff,
    r.dd >> 8,
  ];
  const eng = r.gates ? [8, 8, ...r.gates, 0x40, 0x01] : [];
  const payload = [r.gates ? 0x01 : 0x02, 0xaa, ...target, ...eng, 0x55, 0x00];
  const len = payload.length;
  return Uint8Array.from([0xf4, 0xf3, 0xf2, 0xf1, len & 0xff, len >> 8, ...payload, 0xf8, 0xf7, 0xf6, 0xf5]);
}

const arbReport = fc
  .record({
    state: fc.integer({ min: 0, max: 3 }),
    md: fc.integer({ min: 0, max: 900 }),
    me: fc.integer({ min: 0, max: 100 }),
    sd: fc.integer({ min: 0, max: 900 }),
    se: fc.integer({ min: 0, max: 100 }),
    dd: fc.integer({ min: 0, max: 900 }),
    gates: fc.option(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 18, maxLength: 18 }), {
      nil: undefined,
    }),
  })
  .map(report);
const arbAck = fc.constantFrom(
  'FDFCFBFA0800FF0100000100400004030201',
  'FDFCFBFA0C00A0010000000107011615092204030201',
  'FDFCFBFA04006201000004030201',
  'FDFCFBFA1C0061010000AA0808083232281E140F0F0F0F000028281E1E141414050004030201',
);
const arbFrame = fc.oneof(arbReport, arbAck.map(bytes));

/** Noise that looks like frames: random bytes, lone headers, cut frames. */
const arbNoise = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.constantFrom(bytes('F4F3F2F1'), bytes('FDFCFBFA'), bytes('F4F3F2F10D00'), bytes('FDFCFBFAFFFF')),
  arbFrame.chain((f) => fc.integer({ min: 1, max: f.length - 1 }).map((n) => f.subarray(0, n))),
);

/** Pushes the stream through a framer in the given chunk sizes; the frames that came out. */
const frame = (stream: Uint8Array, cuts: number[] = []) =>
  through<Uint8Array>(new Ld2410Framer(), stream, cuts);

const concat = (parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('LD2410 codec on reference frames', () => {
  it.skipIf(!hasShared)('decodes every frame to its expected values', () => {
    const all = fixtures();
    expect(all.length).toBeGreaterThan(20);
    for (const { hex: h, mode, expect: want } of all) {
      const r = decodeFrame(bytes(h));
      if (!r.ok) throw new Error(`${h}: ${r.reason}`);
      const got = fields(r.frame);
      expect(r.frame.type, h).toBe(mode === 'ack' ? 'ack' : 'report');
      for (const [k, v] of Object.entries(want)) {
        const expected = typeof v === 'string' && v.startsWith('0x') ? Number.parseInt(v, 16) : v;
        expect(got[camel(k)], `${h} ${k}`).toEqual(expected);
      }
    }
  });

  it.skipIf(!hasShared)('finds every reference frame, back to back, in one stream', async () => {
    const all = fixtures().map((f) => bytes(f.hex));
    expect((await frame(concat(all))).map(hex)).toEqual(all.map(hex));
  });
});

describe('LD2410 codec', () => {
  it('encodes the commands a driver sends, as the manual gives them', () => {
    expect(hex(enableConfiguration())).toBe('fdfcfbfa0400ff00010004030201');
    expect(hex(endConfiguration())).toBe('fdfcfbfa0200fe0004030201');
    expect(hex(enableEngineering())).toBe('fdfcfbfa0200620004030201');
    expect(hex(disableEngineering())).toBe('fdfcfbfa0200630004030201');
    expect(hex(readFirmware())).toBe('fdfcfbfa0200a00004030201');
    const r = decodeFrame(enableConfiguration());
    expect(r).toEqual({ ok: true, frame: { type: 'command', command: 0xff, value: Uint8Array.of(1, 0) } });
  });

  it('refuses broken frames with a reason', () => {
    const good = 'F4F3F2F10D0002AA0251000000003B00005500F8F7F6F5';
    const reason = (h: string) => {
      const r = decodeFrame(bytes(h));
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason(good)).toBe('ok');
    expect(reason(good.slice(0, -2))).toBe('bad-length');
    expect(reason(good.replace('F8F7F6F5', 'F8F7F6F4'))).toBe('bad-footer');
    expect(reason(good.replace('0D0002AA', '0D0003AA'))).toBe('unknown-data-type');
    expect(reason(good.replace('02AA02', '02AA04'))).toBe('bad-payload');
    expect(reason(good.replace('0D0002AA', '0D0002AB'))).toBe('bad-payload');
    expect(reason('F4F3F2')).toBe('too-short');
    expect(reason('00F3F2F10D0002AA0251000000003B00005500F8F7F6F5')).toBe('bad-header');
    expect(reason('FDFCFBFA0A00A001000000010701161504030201')).toBe('bad-payload'); // short firmware data
  });

  it('maps a report to a presence reading with its facts', () => {
    const r = decodeFrame(bytes('F4F3F2F10D0002AA034F00644C006432005500F8F7F6F5'));
    if (!r.ok || r.frame.type !== 'report') throw new Error('not a report');
    const reading = presenceReading(r.frame, 'lounge-radar', 1_700_000_000_000);
    expect(readingSchema.parse(reading)).toEqual({
      device: 'lounge-radar',
      at: 1_700_000_000_000,
      kind: 'presence',
      value: true,
      facts: {
        target_state: 3,
        moving_distance_cm: 79,
        moving_energy: 100,
        stationary_distance_cm: 76,
        stationary_energy: 100,
        detection_distance_cm: 50,
      },
    });
    const none: Report = { ...r.frame, targetState: 0 };
    expect(presenceReading(none, 'd', 0).value).toBe(false);
  });
});

describe('LD2410 properties', () => {
  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (b) => typeof decodeFrame(b).ok === 'boolean'));
  });

  it('never throws on mutated valid frames, and never accepts an invalid target state', () => {
    const mutated = fc
      .tuple(arbFrame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
      .map(([f, edits]) => {
        const b = Uint8Array.from(f);
        for (const [i, v] of edits) b[i % b.length] = v;
        return b;
      });
    fc.assert(
      fc.property(mutated, (b) => {
        const r = decodeFrame(b);
        if (r.ok && r.frame.type === 'report') expect(r.frame.targetState).toBeLessThanOrEqual(3);
      }),
    );
  });

  it('the framer never throws on random bytes, any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 40 })),
        async (b, cuts) => {
          for (const f of await frame(b, cuts)) decodeFrame(f);
        },
      ),
    );
  });

  it('finds every valid frame embedded in noise, in order, any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(arbNoise, arbFrame), { maxLength: 12 }),
        arbNoise,
        fc.array(fc.integer({ min: 1, max: 64 })),
        async (items, tail, cuts) => {
          const stream = concat([...items.flat(), tail]);
          const got = (await frame(stream, cuts)).map(hex);
          // Noise may hold a frame of its own by chance; every planted frame comes out, in order.
          const want = items.map(([, f]) => hex(f));
          let i = 0;
          for (const g of got) if (g === want[i]) i++;
          expect(i).toBe(want.length);
          for (const g of got.filter((g) => want.includes(g))) expect(decodeFrame(bytes(g)).ok).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes the frame after a cut one even when the cut length lands on its footer', async () => {
    const basic = bytes('F4F3F2F10D0002AA0251000000003B00005500F8F7F6F5');
    const eng = bytes(
      'F4F3F2F1230001AA031E003C000039000008083C220503030403060500003910130606080460015500F8F7F6F5',
    );
    // 45 - 23 bytes of the engineering frame: its length field ends exactly on basic's footer.
    const stream = concat([eng.subarray(0, eng.length - basic.length), basic, eng]);
    expect((await frame(stream)).map(hex)).toEqual([hex(basic), hex(eng)]);
    // A frame cut at the end of what has arrived does not hold back a whole frame after it.
    const framer = new Ld2410Framer();
    const out: Uint8Array[] = [];
    framer.on('data', (f: Uint8Array) => out.push(f));
    framer.write(Buffer.from(concat([eng.subarray(0, 8), basic])));
    await new Promise((r) => setImmediate(r));
    expect(out.map(hex)).toEqual([hex(basic)]);
  });

  it('finds all N frames interleaved with 1 MB of random bytes', async () => {
    const rng = fc.sample(fc.uint8Array({ minLength: 4096, maxLength: 4096 }), { numRuns: 256, seed: 2410 });
    const frames = fc.sample(arbFrame, { numRuns: 500, seed: 2410 });
    const parts: Uint8Array[] = [];
    for (const [i, f] of frames.entries())
      parts.push((rng[i % rng.length] as Uint8Array).subarray(0, 2097), f);
    const stream = concat(parts);
    expect(stream.length).toBeGreaterThan(1_000_000);
    const framer = new Ld2410Framer();
    const got: Uint8Array[] = [];
    const chunks = Array.from({ length: Math.ceil(stream.length / 4096) }, (_, i) =>
      Buffer.from(stream.subarray(i * 4096, (i + 1) * 4096)),
    );
    for await (const f of Readable.from(chunks).pipe(framer)) got.push(f as Uint8Array);
    expect(got.map(hex)).toEqual(frames.map(hex));
    expect(framer.stats.frames).toBe(frames.length);
  });
});
