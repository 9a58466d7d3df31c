// Apple iBeacon adverts: manufacturer-specific data of company 0x004C, type 0x02, length 0x15,
// then the proximity UUID, major, minor (big-endian) and the calibrated power at 1 m.
// Pure: bytes in, a result out, never a throw.

export type IBeacon = { uuid: string; major: number; minor: number; txPower: number };
export type IBeaconResult = ({ ok: true } & IBeacon) | { ok: false; reason: string };

const APPLE = 0x004c;
const TYPE = 0x02;
const LENGTH = 0x15;

/** `data` is the manufacturer data as noble gives it: the company id (little-endian) first. */
export function decodeIBeacon(data: Buffer): IBeaconResult {
  if (data.length < 4) return { ok: false, reason: `truncated: ${data.length} bytes, an iBeacon has 25` };
  const company = data.readUInt16LE(0);
  if (company !== APPLE)
    return { ok: false, reason: `company 0x${company.toString(16).padStart(4, '0')}, not Apple (0x004c)` };
  if (data.readUInt8(2) !== TYPE || data.readUInt8(3) !== LENGTH)
    return { ok: false, reason: 'Apple data but not an iBeacon (type 0x02, length 0x15 expected)' };
  if (data.length < 25) return { ok: false, reason: `truncated: ${data.length} bytes, an iBeacon has 25` };
  const hex = data.subarray(4, 20).toString('hex');
  return {
    ok: true,
    uuid: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    major: data.readUInt16BE(20),
    minor: data.readUInt16BE(22),
    txPower: data.readInt8(24),
  };
}

/** The key a configured tag and a heard advert share. */
export const beaconId = (b: { uuid: string; major: number; minor: number }): string =>
  `${b.uuid.toLowerCase()}/${b.major}/${b.minor}`;

/** The manufacturer data a tag sends (for simulators and tests). */
export function encodeIBeacon(b: IBeacon): Buffer {
  const out = Buffer.alloc(25);
  out.writeUInt16LE(APPLE, 0);
  out.writeUInt8(TYPE, 2);
  out.writeUInt8(LENGTH, 3);
  Buffer.from(b.uuid.replace(/-/g, ''), 'hex').copy(out, 4);
  out.writeUInt16BE(b.major, 20);
  out.writeUInt16BE(b.minor, 22);
  out.writeInt8(b.txPower, 24);
  return out;
}
