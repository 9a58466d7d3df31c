// The GATT Heart Rate Measurement characteristic (0x2A37) as the Bluetooth SIG defines it: a flags
// byte, then the rate and what the flags say follows. Pure: bytes in, a result out, never a throw.

export type Contact = 'detected' | 'not_detected' | 'unsupported';

export type HeartRateMeasurement =
  | {
      ok: true;
      bpm: number;
      contact: Contact;
      /** Cumulative energy expended since the last reset, kJ. */
      energyKj?: number;
      /** Beat-to-beat intervals, ms (sent in 1/1024 s). */
      rrMs: number[];
      /** Whether the rate means anything: a band off the skin reports noise or 0. */
      valid: boolean;
    }
  | { ok: false; reason: string };

const FLAG_UINT16 = 0x01;
const FLAG_CONTACT_DETECTED = 0x02;
const FLAG_CONTACT_SUPPORTED = 0x04;
const FLAG_ENERGY = 0x08;
const FLAG_RR = 0x10;

export function decodeHeartRate(data: Buffer): HeartRateMeasurement {
  if (data.length < 2) return { ok: false, reason: `truncated: ${data.length} bytes, at least 2` };
  const flags = data.readUInt8(0);
  const wide = (flags & FLAG_UINT16) !== 0;
  let at = 1;
  if (wide && data.length < 3) return { ok: false, reason: 'truncated: flags say a 16-bit rate follows' };
  const bpm = wide ? data.readUInt16LE(at) : data.readUInt8(at);
  at += wide ? 2 : 1;
  const contact: Contact =
    flags & FLAG_CONTACT_SUPPORTED
      ? flags & FLAG_CONTACT_DETECTED
        ? 'detected'
        : 'not_detected'
      : 'unsupported';
  let energyKj: number | undefined;
  if (flags & FLAG_ENERGY) {
    if (at + 2 > data.length) return { ok: false, reason: 'truncated: flags say energy expended follows' };
    energyKj = data.readUInt16LE(at);
    at += 2;
  }
  const rrMs: number[] = [];
  if (flags & FLAG_RR) {
    if ((data.length - at) % 2 !== 0)
      return { ok: false, reason: 'truncated RR interval: an odd number of bytes after the rate' };
    for (; at + 2 <= data.length; at += 2) rrMs.push(Math.round((data.readUInt16LE(at) * 1000) / 1024));
  }
  return {
    ok: true,
    bpm,
    contact,
    ...(energyKj === undefined ? {} : { energyKj }),
    rrMs,
    valid: bpm > 0 && contact !== 'not_detected',
  };
}
