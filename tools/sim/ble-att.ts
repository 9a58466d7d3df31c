// A tiny ATT server for simulated GATT peripherals: a table of attributes answered the way a real
// band's stack answers MTU exchange, service and characteristic discovery, reads and writes.

export type Attribute = {
  handle: number;
  /** 16-bit attribute type: 0x2800 service, 0x2803 characteristic, else the value's UUID. */
  type: number;
  value: () => Buffer;
  /** A service's last handle. */
  end?: number;
  write?: (data: Buffer) => void;
};

const MTU = 23;
const OP = {
  error: 0x01,
  mtuReq: 0x02,
  mtuRsp: 0x03,
  findInfoReq: 0x04,
  findInfoRsp: 0x05,
  readByTypeReq: 0x08,
  readByTypeRsp: 0x09,
  readReq: 0x0a,
  readRsp: 0x0b,
  readByGroupReq: 0x10,
  readByGroupRsp: 0x11,
  writeReq: 0x12,
  writeRsp: 0x13,
  notify: 0x1b,
  writeCmd: 0x52,
} as const;
const ERR = { invalidHandle: 0x01, notSupported: 0x06, notFound: 0x0a, invalidPdu: 0x04 } as const;

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

export const service = (handle: number, uuid: number, end: number): Attribute => ({
  handle,
  type: 0x2800,
  value: () => u16(uuid),
  end,
});
export const characteristic = (handle: number, props: number, uuid: number): Attribute => ({
  handle,
  type: 0x2803,
  value: () => Buffer.concat([Buffer.from([props]), u16(handle + 1), u16(uuid)]),
});

export function notification(handle: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([OP.notify]), u16(handle), value]);
}

/** One request PDU in, the response PDU out (undefined for commands that take none). */
export function answerAtt(table: readonly Attribute[], req: Buffer): Buffer | undefined {
  const op = req[0] ?? 0;
  const error = (handle: number, code: number) =>
    Buffer.concat([Buffer.from([OP.error, op]), u16(handle), Buffer.from([code])]);
  if (op === OP.mtuReq) return Buffer.concat([Buffer.from([OP.mtuRsp]), u16(MTU)]);
  if (op === OP.writeCmd) {
    table.find((a) => a.handle === req.readUInt16LE(1))?.write?.(req.subarray(3));
    return undefined;
  }
  if (op === OP.readReq || op === OP.writeReq) {
    if (req.length < 3) return error(0, ERR.invalidPdu);
    const handle = req.readUInt16LE(1);
    const attr = table.find((a) => a.handle === handle);
    if (!attr) return error(handle, ERR.invalidHandle);
    if (op === OP.readReq) return Buffer.concat([Buffer.from([OP.readRsp]), attr.value()]);
    attr.write?.(req.subarray(3));
    return Buffer.from([OP.writeRsp]);
  }
  if (op !== OP.findInfoReq && op !== OP.readByTypeReq && op !== OP.readByGroupReq)
    return error(0, ERR.notSupported);
  if (req.length < 5) return error(0, ERR.invalidPdu);
  const start = req.readUInt16LE(1);
  const end = req.readUInt16LE(3);
  const type = req.length >= 7 ? req.readUInt16LE(5) : undefined;
  const inRange = table.filter(
    (a) => a.handle >= start && a.handle <= end && (op === OP.findInfoReq || a.type === type),
  );
  if (!inRange.length) return error(start, ERR.notFound);
  const entries = inRange.map((a) => {
    if (op === OP.findInfoReq) return Buffer.concat([u16(a.handle), u16(a.type)]);
    if (op === OP.readByGroupReq) return Buffer.concat([u16(a.handle), u16(a.end ?? a.handle), a.value()]);
    return Buffer.concat([u16(a.handle), a.value()]);
  });
  // Entries of one response share one length and fit in the MTU, as the spec requires.
  const size = entries[0]?.length ?? 0;
  const fit: Buffer[] = [];
  for (const e of entries) {
    if (e.length !== size || (fit.length + 1) * size > MTU - 2) break;
    fit.push(e);
  }
  const head =
    op === OP.findInfoReq
      ? [OP.findInfoRsp, 0x01]
      : [op === OP.readByGroupReq ? OP.readByGroupRsp : OP.readByTypeRsp, size];
  return Buffer.concat([Buffer.from(head), ...fit]);
}
