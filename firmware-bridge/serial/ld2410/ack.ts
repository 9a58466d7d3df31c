// The data of LD2410 ACKs, one table row per command: its data length and what it means.
// A failed ACK (status != 0) carries no data worth reading.

export type AckBody =
  | { kind: 'none' }
  | { kind: 'configuration'; protocolVersion: number; bufferSize: number }
  | { kind: 'firmware'; firmwareType: number; version: string }
  | {
      kind: 'parameters';
      maxDistanceGate: number;
      maxMovingGate: number;
      maxStationaryGate: number;
      movingSensitivity: number[];
      stationarySensitivity: number[];
      noOneDurationS: number;
    }
  | { kind: 'mac'; mac: string }
  | { kind: 'resolution'; resolutionIndex: number }
  | { kind: 'light'; lightFunction: number; lightThreshold: number; outDefaultLevel: number }
  /** A command this table does not know (or a failed ACK): its data kept as is. */
  | { kind: 'raw'; data: number[] };

type Row = { length: number; read: (d: Uint8Array) => AckBody };

const u16 = (b: Uint8Array, i: number): number => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const hex2 = (n: number | undefined): string => (n ?? 0).toString(16).padStart(2, '0');
const none: Row = { length: 0, read: () => ({ kind: 'none' }) };

const ACKS: Readonly<Record<number, Row>> = {
  255: {
    length: 4,
    read: (d) => ({ kind: 'configuration', protocolVersion: u16(d, 0), bufferSize: u16(d, 2) }),
  },
  254: none,
  98: none,
  99: none,
  96: none, // set max gates and no-one duration
  100: none, // set gate sensitivity
  // Firmware: type u16, major u16 (printed hi.lo), minor u32 printed as hex digits (a build date).
  160: {
    length: 8,
    read: (d) => ({
      kind: 'firmware',
      firmwareType: u16(d, 0),
      version: `V${d[3] ?? 0}.${hex2(d[2])}.${[d[7], d[6], d[5], d[4]].map(hex2).join('')}`.toUpperCase(),
    }),
  },
  // Parameters: 0xAA, max distance gate, max moving gate, max stationary gate, 9 + 9
  // sensitivities (gates 0..8), no-one duration u16 seconds.
  97: {
    length: 24,
    read: (d) => ({
      kind: 'parameters',
      maxDistanceGate: d[1] ?? 0,
      maxMovingGate: d[2] ?? 0,
      maxStationaryGate: d[3] ?? 0,
      movingSensitivity: [...d.subarray(4, 13)],
      stationarySensitivity: [...d.subarray(13, 22)],
      noOneDurationS: u16(d, 22),
    }),
  },
  165: { length: 6, read: (d) => ({ kind: 'mac', mac: [...d.subarray(0, 6)].map(hex2).join(':') }) },
  171: { length: 2, read: (d) => ({ kind: 'resolution', resolutionIndex: u16(d, 0) }) },
  // Light control (LD2410B/C): function, threshold, OUT default level, one reserved byte.
  174: {
    length: 4,
    read: (d) => ({
      kind: 'light',
      lightFunction: d[0] ?? 0,
      lightThreshold: d[1] ?? 0,
      outDefaultLevel: d[2] ?? 0,
    }),
  },
};

/** The meaning of an ACK's data, or undefined when its length is wrong for its command. */
export function decodeAckBody(command: number, status: number, data: Uint8Array): AckBody | undefined {
  const row = ACKS[command];
  if (status !== 0 || row === undefined) return { kind: 'raw', data: [...data] };
  if (data.length !== row.length) return undefined;
  if (command === 0x0061 && data[0] !== 0xaa) return undefined;
  return row.read(data);
}
