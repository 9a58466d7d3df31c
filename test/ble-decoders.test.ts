// The pure BLE decoders (Heart Rate Measurement, iBeacon) on known inputs and on any bytes at
// all, and `hearth decode` as a technician runs it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBthome } from '../firmware-bridge/ble/bthome/decode.ts';
import { decodeHeartRate } from '../firmware-bridge/ble/heart-rate.ts';
import { decodeIBeacon, encodeIBeacon } from '../firmware-bridge/ble/ibeacon.ts';
import { classify } from '../firmware-bridge/ble/scan.ts';
import { decodeCommand } from '../gateway/cli/decode.ts';
import { runHearth } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

const hr = (hex: string) => decodeHeartRate(Buffer.from(hex, 'hex'));

describe('Heart Rate Measurement (0x2A37, Bluetooth SIG format)', () => {
  it('uint8 rate, no contact support: 72 bpm', () => {
    expect(hr('0048')).toEqual({ ok: true, bpm: 72, contact: 'unsupported', rrMs: [], valid: true });
  });
  it('uint16 rate (flags bit 0): 0x0140 = 320 is read whole, not as its low byte', () => {
    expect(hr('014001')).toMatchObject({ ok: true, bpm: 320 });
  });
  it('contact bits: supported and detected, supported and not detected (not a valid rate)', () => {
    expect(hr('0650')).toMatchObject({ bpm: 80, contact: 'detected', valid: true });
    expect(hr('0450')).toMatchObject({ bpm: 80, contact: 'not_detected', valid: false });
    expect(hr('0000')).toMatchObject({ bpm: 0, valid: false });
  });
  it('energy expended (bit 3) and several RR intervals (bit 4) in 1/1024 s', () => {
    expect(hr('1e5a3412000400020003')).toEqual({
      ok: true,
      bpm: 90,
      contact: 'detected',
      energyKj: 0x1234,
      rrMs: [1000, 500, 750],
      valid: true,
    });
    expect(hr('1740000004')).toMatchObject({ bpm: 64, rrMs: [1000] });
  });
  it('truncated measurements are refused with the reason', () => {
    expect(hr('')).toMatchObject({ ok: false, reason: expect.stringContaining('truncated') });
    expect(hr('01')).toMatchObject({ ok: false });
    expect(hr('0140')).toMatchObject({ ok: false, reason: expect.stringContaining('16-bit') });
    expect(hr('0848')).toMatchObject({ ok: false, reason: expect.stringContaining('energy') });
    expect(hr('104800')).toMatchObject({ ok: false, reason: expect.stringContaining('RR') });
  });
});

describe('iBeacon', () => {
  const tag = { uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0', major: 7, minor: 1, txPower: -59 };
  it('reads uuid, major, minor (big-endian) and calibrated power', () => {
    const data = Buffer.from('4c000215e2c56db5dffb48d2b060d0f5a71096e000070001c5', 'hex');
    expect(decodeIBeacon(data)).toEqual({ ok: true, ...tag });
    expect(decodeIBeacon(encodeIBeacon({ ...tag, major: 0x1234, minor: 65535 }))).toMatchObject({
      major: 0x1234,
      minor: 65535,
    });
  });
  it('refuses other companies, other Apple frames and truncated frames, naming why', () => {
    expect(decodeIBeacon(Buffer.from('59000215', 'hex'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('0x0059'),
    });
    expect(decodeIBeacon(Buffer.from('4c001005031c', 'hex'))).toMatchObject({
      reason: expect.stringContaining('not an iBeacon'),
    });
    expect(decodeIBeacon(encodeIBeacon(tag).subarray(0, 24))).toMatchObject({
      reason: expect.stringContaining('truncated'),
    });
  });
});

describe('decoders never throw', () => {
  const bytes = fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b));
  it('on any bytes: heart rate, iBeacon, BTHome, scan classification, hearth decode', () => {
    fc.assert(
      fc.property(bytes, fc.boolean(), (data, apple) => {
        if (apple && data.length >= 4) data.set([0x4c, 0x00, 0x02, 0x15]);
        for (const r of [decodeHeartRate(data), decodeIBeacon(data), decodeBthome(data)])
          expect(typeof r.ok).toBe('boolean');
        const f = classify({
          address: 'a4:c1:38:00:00:01',
          rssi: -70,
          serviceData: [{ uuid: 'fcd2', data }],
          serviceUuids: [],
          manufacturerData: data,
        });
        expect(f.type).toBe('bthome');
        expect(
          classify({
            address: 'a4:c1:38:00:00:01',
            rssi: -70,
            serviceData: [],
            serviceUuids: [],
            manufacturerData: data,
          }).type,
        ).toMatch(/ibeacon|other/);
        for (const type of ['bthome', 'ibeacon', 'heart-rate']) {
          const r = decodeCommand(type, data.toString('hex'), {
            bindkey: '231d39c1d7cc1ab1aee224cd096db932',
          });
          expect([0, 2]).toContain(r.code);
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('hearth decode', () => {
  it('prints the readings of a BTHome advert as JSON, exit 0', async () => {
    const r = await runHearth(['decode', 'bthome', '44 00 07 11 01']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.output)).toEqual({
      type: 'bthome',
      encrypted: false,
      trigger: true,
      packet_id: 7,
      readings: [{ kind: 'contact', value: true }],
    });
  });
  it('opens an encrypted advert with --bindkey and --address; a wrong key is exit 2 naming it', async () => {
    const hex = '41e445f3c9962b332211006c7c4519';
    const good = await runHearth([
      'decode',
      'bthome',
      hex,
      '--bindkey',
      '231d39c1d7cc1ab1aee224cd096db932',
      '--address',
      '54:48:E6:8F:80:A5',
    ]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.output).readings).toEqual([
      { kind: 'temperature', value: 25.06 },
      { kind: 'humidity', value: 50.55 },
    ]);
    const wrong = await runHearth([
      'decode',
      'bthome',
      hex,
      '--bindkey',
      '814aac74c4f17b6c1581e1ab87816b99',
      '--address',
      '54:48:E6:8F:80:A5',
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.output).toContain(
      'hearth decode bthome: decryption failed: wrong bind key for this device?',
    );
  });
  it('heart-rate and ibeacon payloads; bad hex, truncation and unknown types are exit 2', async () => {
    const h = await runHearth(['decode', 'heart-rate', '1e5a3412000400020003']);
    expect(h.code).toBe(0);
    expect(JSON.parse(h.output)).toMatchObject({
      bpm: 90,
      energy_kj: 4660,
      rr_ms: [1000, 500, 750],
      readings: [{ kind: 'heart_rate', value: 90 }],
    });
    const b = await runHearth(['decode', 'ibeacon', '0215e2c56db5dffb48d2b060d0f5a71096e000070001c5']);
    expect(JSON.parse(b.output)).toMatchObject({ major: 7, minor: 1, tx_power: -59 });
    const bad = await runHearth(['decode', 'bthome', '40zz']);
    expect(bad).toMatchObject({ code: 2, output: expect.stringContaining('"40zz" is not hex') });
    const short = await runHearth(['decode', 'ibeacon', '4c000215e2c5']);
    expect(short).toMatchObject({ code: 2, output: expect.stringContaining('truncated') });
    const trunc = await runHearth(['decode', 'bthome', '400164020a']);
    expect(trunc.code).toBe(2);
    expect(trunc.output).toContain('truncated object 0x02');
    const unknown = await runHearth(['decode', 'eddystone', '00']);
    expect(unknown).toMatchObject({
      code: 2,
      output: expect.stringContaining('expected bthome, ibeacon, heart-rate'),
    });
  });
});

describe('hearth scan ble without Bluetooth', () => {
  it('says plainly that there is no Bluetooth here, exit 1', async () => {
    const r = await runHearth(['scan', 'ble', '--seconds', '1'], { HEARTH_SCAN_ROOT: tempDir() });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /no Bluetooth on this machine \(no adapter in .*\): BLE devices cannot be scanned here/,
    );
  });
});
