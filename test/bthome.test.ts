// BTHome v2 decoder: the reference parser's vectors (shared data), examples from bthome.io, and
// properties: any bytes give a result, never a throw.
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptCounter, type BthomeResult, decodeBthome } from '../firmware-bridge/ble/bthome/decode.ts';
import { hasShared, sharedPath } from './helpers/shared.ts';

type Vector = {
  hex: string;
  bindkey?: string;
  address?: string;
  expect?: [string, unknown][];
  refuse?: string;
};

const vectors: Vector[] = hasShared
  ? JSON.parse(readFileSync(sharedPath('data/bthome-v2-vectors.json'), 'utf8')).vectors
  : [];

const decodeHex = (hex: string, bindkey?: string, address?: string): BthomeResult =>
  decodeBthome(Buffer.from(hex, 'hex'), {
    ...(bindkey ? { bindkey: Buffer.from(bindkey, 'hex') } : {}),
    ...(address ? { address } : {}),
  });
const pairs = (r: BthomeResult) => (r.ok ? r.readings.map((x) => [x.kind, x.value]) : r.reason);
/** Why a packet was refused, or why its walk stopped early. */
const why = (r: BthomeResult) => (r.ok ? r.problem : r.reason);

describe.skipIf(!hasShared)('BTHome v2 reference vectors (bthome-ble test suite)', () => {
  it('has vectors to check', () => expect(vectors.length).toBeGreaterThan(0));
  for (const v of vectors) {
    it(`${v.hex}${v.bindkey ? ' (encrypted)' : ''} -> ${v.refuse ?? JSON.stringify(v.expect)}`, () => {
      // Each encrypted advert with the address the shared file names for it (part of the nonce).
      const result = decodeHex(v.hex, v.bindkey, v.address);
      if (v.refuse) {
        expect(result.ok).toBe(false);
        expect(why(result)).toContain(v.refuse);
      } else {
        expect(pairs(result)).toEqual(v.expect);
        expect(result.ok && result.encrypted).toBe(Boolean(v.bindkey));
      }
    });
  }
});

describe('BTHome v2 known inputs (bthome.io format examples)', () => {
  it('a button press, a double press, and "none" which is no reading', () => {
    expect(pairs(decodeHex('403a01'))).toEqual([['button', 'press']]);
    expect(pairs(decodeHex('403a02'))).toEqual([['button', 'double_press']]);
    expect(pairs(decodeHex('4400013a00'))).toEqual([]);
  });
  it('opening, door and window are contact, true = open; packet id and trigger bit are kept', () => {
    const r = decodeHex('4400071101');
    expect(r).toMatchObject({ ok: true, packetId: 7, trigger: true, encrypted: false });
    expect(pairs(r)).toEqual([['contact', true]]);
    expect(pairs(decodeHex('401a012d00'))).toEqual([
      ['contact', true],
      ['contact', false],
    ]);
  });
  it('occupancy is presence, binary moisture is water_leak, 0x45 is temperature x0.1', () => {
    expect(pairs(decodeHex('4020012301451301'))).toEqual([
      ['water_leak', true],
      ['presence', true],
      ['temperature', 27.5],
    ]);
    expect(pairs(decodeHex('4002f6ff2e32'))).toEqual([
      ['temperature', -0.1],
      ['humidity', 50],
    ]);
  });
  it('measurements Hearth ignores are walked past by length (illuminance, text, power)', () => {
    expect(pairs(decodeHex('4005138a14100153036162633a01'))).toEqual([['button', 'press']]);
  });
  it('an unknown object id stops the walk, keeps what came before, and names the id', () => {
    const r = decodeHex('400164fe01');
    expect(r).toMatchObject({ ok: true, problem: expect.stringContaining('unknown object id 0xfe') });
    expect(pairs(r)).toEqual([['battery', 100]]);
  });
  it('a truncated object and a wrong version are reported, not thrown', () => {
    expect(why(decodeHex('400164020a'))).toContain('truncated object 0x02');
    expect(decodeHex('2002ca09')).toEqual({ ok: false, reason: expect.stringContaining('version 1') });
  });
});

describe('BTHome v2 encryption', () => {
  const key = Buffer.from('231d39c1d7cc1ab1aee224cd096db932', 'hex');
  const mac = 'A4:C1:38:8D:18:B2';
  /** Encrypt a plain payload as a device would, so round trips need no captured adverts. */
  function seal(plain: string, counter: number, info: number, macBytes: Buffer): Buffer {
    const c = Buffer.alloc(4);
    c.writeUInt32LE(counter);
    const nonce = Buffer.concat([macBytes, Buffer.from([0xd2, 0xfc, info]), c]);
    const cipher = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: 4 });
    const body = Buffer.concat([cipher.update(Buffer.from(plain, 'hex')), cipher.final()]);
    return Buffer.concat([body, c, cipher.getAuthTag()]);
  }
  const macBytes = Buffer.from(mac.replace(/:/g, ''), 'hex');

  it('decrypts the bthome.io encryption example (counter 0x00112233)', () => {
    const r = decodeHex('41e445f3c9962b332211006c7c4519', key.toString('hex'), '54:48:E6:8F:80:A5');
    expect(r).toMatchObject({ ok: true, encrypted: true, counter: 0x00112233 });
    expect(pairs(r)).toEqual([
      ['temperature', 25.06],
      ['humidity', 50.55],
    ]);
  });
  it('decrypts, and returns the counter for replay checks', () => {
    const r = decodeBthome(Buffer.concat([Buffer.from([0x41]), seal('2101', 0x1234, 0x41, macBytes)]), {
      bindkey: key,
      address: mac,
    });
    expect(r).toMatchObject({ ok: true, encrypted: true, counter: 0x1234 });
    expect(pairs(r)).toEqual([['motion', true]]);
  });
  it('uses the MAC in the payload when device-info bit 1 says it is there', () => {
    const sealed = seal('3a04', 5, 0x43, macBytes);
    const data = Buffer.concat([Buffer.from([0x43]), Buffer.from(macBytes).reverse(), sealed]);
    expect(pairs(decodeBthome(data, { bindkey: key }))).toEqual([['button', 'long_press']]);
  });
  it('a wrong bind key, a missing key, and a plain-text downgrade are refused', () => {
    const data = Buffer.concat([Buffer.from([0x41]), seal('2101', 1, 0x41, macBytes)]);
    const wrong = Buffer.from('814aac74c4f17b6c1581e1ab87816b99', 'hex');
    expect(decodeBthome(data, { bindkey: wrong, address: mac })).toEqual({
      ok: false,
      reason: 'decryption failed: wrong bind key for this device?',
    });
    expect(why(decodeBthome(data, { address: mac }))).toContain('no bind key');
    expect(why(decodeBthome(data, { bindkey: key }))).toContain('MAC address');
    expect(why(decodeHex('402101', key.toString('hex'), mac))).toContain('downgrade');
  });
  it('acceptCounter: only newer counters, or a restart from near zero', () => {
    expect(acceptCounter(undefined, 5000)).toBe(true);
    expect(acceptCounter(5000, 5001)).toBe(true);
    expect(acceptCounter(5000, 5000)).toBe(false);
    expect(acceptCounter(5000, 4000)).toBe(false);
    expect(acceptCounter(5000, 3)).toBe(true);
  });
});

describe('BTHome v2 properties', () => {
  it('any bytes, with or without a key, give a result and never throw', () => {
    const key = fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { nil: undefined });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), key, fc.boolean(), (bytes, k, v2) => {
        const data = Buffer.from(bytes);
        // Half the cases carry a v2 device-info byte so the walk itself is exercised.
        if (v2 && data.length > 0) data[0] = (0x40 | (data[0] ?? 0)) & 0x5f;
        const r = decodeBthome(data, {
          ...(k ? { bindkey: Buffer.from(k) } : {}),
          address: 'A4:C1:38:8D:18:B2',
        });
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});
