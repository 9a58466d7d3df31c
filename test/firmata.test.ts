// Firmata: the codec against messages as the protocol document spells them, the framer against
// noise, and the pure pin plan (modes, fallbacks for 2.4 boards, thresholds).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analogMappingResponse,
  analogMessage,
  capabilityResponse,
  decodeMessage,
  digitalMessage,
  firmwareReport,
  queryAnalogMapping,
  queryCapabilities,
  queryFirmware,
  queryVersion,
  reportAnalog,
  reportDigital,
  setDigitalPinValue,
  setPinMode,
  stringData,
  versionReport,
} from '../firmware-bridge/serial/firmata/codec.ts';
import { MODE } from '../firmware-bridge/serial/firmata/constants.ts';
import { FirmataParser } from '../firmware-bridge/serial/firmata/framer.ts';
import { TUNES, tuneFor } from '../firmware-bridge/serial/firmata/patterns.ts';
import { analogLevel, type FirmataRow, planPins } from '../firmware-bridge/serial/firmata/pins.ts';
import { FirmataSim } from '../tools/sim/firmata-sim.ts';
import { chunked } from './helpers/framing.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const concat = (parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
const row = (r: Partial<FirmataRow> & Pick<FirmataRow, 'id' | 'pin' | 'kind'>): FirmataRow => ({
  port: '/dev/ttyACM0',
  invert: false,
  debounce: 50,
  baud: 57600,
  ...r,
});

/** The messages a board sends, valid by construction. */
const arbBoardMessage = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 255 }))
    .map(([p, v]) => digitalMessage(p, v)),
  fc
    .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 16383 }))
    .map(([c, v]) => analogMessage(c, v)),
  fc
    .tuple(fc.integer({ min: 2, max: 2 }), fc.integer({ min: 0, max: 9 }))
    .map(([a, b]) => versionReport(a, b)),
  fc.string({ maxLength: 24 }).map((s) => firmwareReport(2, 5, s.replace(/[^\x20-\x7e]/g, '?'))),
  fc.constant(capabilityResponse(new FirmataSim({ write: () => {} }).capabilities())),
  fc
    .array(fc.option(fc.integer({ min: 0, max: 15 }), { nil: null }), { maxLength: 20 })
    .map(analogMappingResponse),
  fc.string({ maxLength: 30 }).map((s) => stringData(s.replace(/[^\x20-\x7e]/g, '?'))),
);

/** Noise: random bytes, lone command bytes, cut messages. */
const arbNoise = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.constantFrom(bytes('f0'), bytes('f079'), bytes('90'), bytes('e001'), bytes('f9'), bytes('f7')),
  arbBoardMessage.chain((m) => fc.integer({ min: 1, max: m.length - 1 }).map((n) => m.subarray(0, n))),
);

/** Through the parser as the driver feeds it, chunk by chunk. */
const frame = async (stream: Uint8Array, cuts: number[] = []) => {
  const parser = new FirmataParser('board');
  return chunked(stream, cuts).flatMap((c) => parser.push(c));
};

describe('Firmata codec', () => {
  it('encodes what the host sends as the protocol document gives it', () => {
    expect(hex(queryVersion())).toBe('f9');
    expect(hex(queryFirmware())).toBe('f079f7');
    expect(hex(queryCapabilities())).toBe('f06bf7');
    expect(hex(queryAnalogMapping())).toBe('f069f7');
    expect(hex(setPinMode(13, MODE.OUTPUT))).toBe('f40d01');
    expect(hex(setPinMode(2, MODE.INPUT_PULLUP))).toBe('f4020b');
    expect(hex(reportDigital(1, true))).toBe('d101');
    expect(hex(reportAnalog(3, false))).toBe('c300');
    expect(hex(setDigitalPinValue(8, true))).toBe('f50801');
    // Port 1 with pins 8 and 15 high: 0b1000_0001 -> LSB 0x01, MSB 0x01.
    expect(hex(digitalMessage(1, 0x81))).toBe('910101');
  });

  it('decodes what a board sends', () => {
    const d = (h: string) => decodeMessage(bytes(h), 'board');
    expect(d('f90205')).toEqual({ ok: true, message: { type: 'version', major: 2, minor: 5 } });
    expect(d('910101')).toEqual({ ok: true, message: { type: 'digital', port: 1, value: 0x81 } });
    // A0 at 1023: 0x7f, 0x07.
    expect(d('e07f07')).toEqual({ ok: true, message: { type: 'analog', channel: 0, value: 1023 } });
    expect(d('f07902054100620063007f')).toMatchObject({ ok: false });
    expect(d('f0790205410062006300f7')).toEqual({
      ok: true,
      message: { type: 'firmware', major: 2, minor: 5, name: 'Abc' },
    });
    // Two pins: pin 0 none; pin 1 INPUT(1) OUTPUT(1) ANALOG(10).
    expect(d('f06c 7f 0001 0101 020a 7f f7')).toEqual({
      ok: true,
      message: {
        type: 'capabilities',
        pins: [
          [],
          [
            { mode: 0, resolution: 1 },
            { mode: 1, resolution: 1 },
            { mode: 2, resolution: 10 },
          ],
        ],
      },
    });
    expect(d('f06a 7f 7f 00 01 f7')).toEqual({
      ok: true,
      message: { type: 'analog-mapping', channels: [null, null, 0, 1] },
    });
    expect(decodeMessage(stringData('Unknown pin mode'), 'board')).toEqual({
      ok: true,
      message: { type: 'string', text: 'Unknown pin mode' },
    });
    expect(decodeMessage(queryVersion(), 'host')).toEqual({ ok: true, message: { type: 'version-query' } });
    expect(decodeMessage(queryCapabilities(), 'host')).toEqual({
      ok: true,
      message: { type: 'capability-query' },
    });
  });

  it('refuses broken messages with a reason', () => {
    const reason = (h: string) => {
      const r = decodeMessage(bytes(h), 'board');
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('')).toBe('empty');
    expect(reason('05')).toMatch(/data byte/);
    expect(reason('9101')).toMatch(/takes 2 data bytes/);
    expect(reason('f06c0001f7')).toMatch(/not ended by 0x7F/);
    expect(reason('f06c00f7')).toMatch(/without its resolution/);
    expect(reason('f06c')).toMatch(/without its end/);
    expect(reason('9190 01')).toMatch(/inside a message/);
    expect(reason('a00102')).toMatch(/unknown command/);
  });

  it('round-trips every message a board sends', () => {
    fc.assert(
      fc.property(arbBoardMessage, (m) => {
        expect(decodeMessage(m, 'board').ok).toBe(true);
      }),
    );
  });
});

describe('Firmata framing', () => {
  it('never throws on random or mutated bytes, and what it frames decodes without throwing', async () => {
    const mutated = fc
      .tuple(
        arbBoardMessage,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      )
      .map(([m, edits]) => {
        const b = Uint8Array.from(m);
        for (const [i, v] of edits) b[i % b.length] = v;
        return b;
      });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated),
        fc.array(fc.integer({ min: 1, max: 40 })),
        async (b, cuts) => {
          decodeMessage(b, 'board');
          decodeMessage(b, 'host');
          for (const m of await frame(b, cuts)) expect(typeof decodeMessage(m, 'board').ok).toBe('boolean');
        },
      ),
    );
  });

  it('finds every valid message embedded in noise, in order, any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(arbNoise, arbBoardMessage), { maxLength: 12 }),
        arbNoise,
        fc.array(fc.integer({ min: 1, max: 64 })),
        async (items, tail, cuts) => {
          const got = (await frame(concat([...items.flat(), tail]), cuts)).map(hex);
          const want = items.map(([, m]) => hex(m));
          // Noise may hold a message of its own; every planted one comes out, in order.
          let i = 0;
          for (const g of got) if (g === want[i]) i++;
          expect(i).toBe(want.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a message cut by the next one is dropped and counted; the next one is whole', () => {
    const p = new FirmataParser('board');
    const out = p.push(concat([bytes('f06c0001'), digitalMessage(0, 4), bytes('e005'), versionReport(2, 5)]));
    expect(out.map(hex)).toEqual(['900400', 'f90205']);
    expect(p.stats).toMatchObject({ messages: 2, cutMessages: 2, droppedBytes: 6 });
    // A SysEx that never ends is bounded, and the stream goes on.
    const long = p.push(concat([bytes('f071'), new Uint8Array(10_000).fill(0x41), versionReport(2, 4)]));
    expect(long.map(hex)).toEqual(['f90204']);
    expect(p.held).toBe(0);
  });

  it('finds all N messages interleaved with 1 MB of random bytes', async () => {
    const rng = fc.sample(fc.uint8Array({ minLength: 4096, maxLength: 4096 }), { numRuns: 256, seed: 57600 });
    const msgs = fc.sample(arbBoardMessage, { numRuns: 500, seed: 57600 });
    const parts: Uint8Array[] = [];
    for (const [i, m] of msgs.entries()) parts.push((rng[i % rng.length] as Uint8Array).subarray(0, 2097), m);
    const stream = concat(parts);
    expect(stream.length).toBeGreaterThan(1_000_000);
    const parser = new FirmataParser('board');
    const chunks = Array.from({ length: Math.ceil(stream.length / 4096) }, (_, i) =>
      Buffer.from(stream.subarray(i * 4096, (i + 1) * 4096)),
    );
    const got: string[] = [];
    for (const chunk of chunks) for (const m of parser.push(chunk)) got.push(hex(m));
    const want = msgs.map(hex);
    let i = 0;
    for (const g of got) if (g === want[i]) i++;
    expect(i).toBe(want.length);
  });
});

describe('Firmata pin plan', () => {
  const uno = (flavour: '2.5' | '2.4') => {
    const sim = new FirmataSim({ write: () => {}, flavour });
    return {
      version: { major: 2, minor: flavour === '2.5' ? 5 : 4 },
      pins: sim.capabilities(),
      channels: Array.from({ length: 20 }, (_, p) => (p >= 14 ? p - 14 : null)),
    };
  };
  const rows = [
    row({ id: 'pir', pin: 2, kind: 'motion' }),
    row({ id: 'buzzer', pin: 4, kind: 'output', role: 'prompt' }),
    row({ id: 'bed', pin: 'A1', kind: 'bed', threshold: 500 }),
  ];

  it('2.5: INPUT_PULLUP and single-pin writes; analog pins by the mapping', () => {
    const plan = planPins(rows, uno('2.5'));
    expect(plan.problems).toEqual([]);
    expect(plan.pinValue).toBe(true);
    expect(plan.bytes.map(hex)).toEqual(['f4020b', 'f40401', 'f50400', 'f40f02', 'd001', 'c101']);
  });

  it('2.4: INPUT then a HIGH write for the pull-up; outputs by whole-port writes that keep it', () => {
    const plan = planPins(rows, uno('2.4'));
    expect(plan.pinValue).toBe(false);
    // Pin 2's pull-up bit (0x04) stays set in the port write that turns the buzzer off.
    expect(plan.bytes.map(hex)).toEqual(['f40200', '900400', 'f40401', '900400', 'f40f02', 'd001', 'c101']);
    expect(plan.levels.get(0)).toBe(0x04);
  });

  it('says what the board cannot do, naming the pin', () => {
    const plan = planPins(
      [
        row({ id: 'a', pin: 'A9', kind: 'bed', threshold: 500 }),
        row({ id: 'b', pin: 1, kind: 'motion' }),
        row({ id: 'c', pin: 40, kind: 'motion' }),
        row({ id: 'd', pin: 5, kind: 'temperature' }),
      ],
      uno('2.5'),
    );
    expect(plan.problems.map((p) => `${p.row.id}: ${p.why}`)).toEqual([
      'a: pin A9: the board has no analog input A9 (it has A0, A1, A2, A3, A4, A5)',
      'b: pin 1: the board offers no modes on it (20 pins)',
      'c: pin 40: the board offers no modes on it (20 pins)',
      expect.stringMatching(/^d: kind temperature cannot be read from a pin/),
    ]);
  });

  it('an analog pad: above the threshold true, false only below it less 5 % of the range', () => {
    const h = 0.05 * 1023;
    const seq: boolean[] = [];
    for (const v of [100, 520, 490, 460, 440, 510, 300]) seq.push(analogLevel(seq.at(-1), v, 500, h));
    expect(seq).toEqual([false, true, true, true, false, true, false]);
  });

  it('output tunes: the prompt beeps three times and loops; a status LED is steady or blinks', () => {
    expect(tuneFor({ role: 'prompt' }, 'prompt')?.steps.filter((s) => s.on)).toHaveLength(3);
    expect(tuneFor({ role: 'prompt' }, 'prompt')?.loop).toBe(true);
    expect(tuneFor({ role: 'prompt' }, 'prompt-end')).toBe(TUNES.off);
    expect(tuneFor({ role: 'prompt' }, 'link-down')).toBeUndefined();
    expect(tuneFor({}, 'link-ok')).toBe(TUNES.steady);
    expect(tuneFor({}, 'link-down')).toBe(TUNES['slow-blink']);
    expect(tuneFor({}, 'prompt')).toBeUndefined();
  });
});
