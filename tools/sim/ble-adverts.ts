// What simulated BLE devices put on the air: advertising data (AD structures) as devices build
// them, and the LE Advertising Report event a controller hands the host for each one heard.
import { createCipheriv } from 'node:crypto';
import { encodeIBeacon, type IBeacon } from '../../firmware-bridge/ble/ibeacon.ts';

/** ADV_IND: connectable (a band); ADV_NONCONN_IND: broadcast only (sensors, tags); SCAN_RSP. */
export const ADV = { ind: 0x00, nonconnInd: 0x03, scanRsp: 0x04 } as const;

export type Advert = {
  address: string;
  type: (typeof ADV)[keyof typeof ADV];
  /** AD structures, at most 31 bytes. */
  data: Buffer;
  rssi?: number;
};

/** A connectable peripheral with a GATT server, as the controller sees it. */
export interface SimPeripheral {
  readonly address: string;
  /** Whether it would accept a connection now (in range, not already connected). */
  available(): boolean;
  connect(link: { send(pdu: Buffer): void }): void;
  /** One ATT request in, its response out (none for commands). */
  request(pdu: Buffer): Buffer | undefined;
  disconnect(): void;
}

const ad = (type: number, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from([body.length + 1, type]), body]);
const FLAGS = ad(0x01, Buffer.from([0x06])); // LE general discoverable, no BR/EDR

/** BTHome v2 service data (UUID 0xFCD2) in an advert, as a BTHome sensor sends it. */
export function bthomeAd(serviceData: Buffer): Buffer {
  return Buffer.concat([FLAGS, ad(0x16, Buffer.concat([Buffer.from([0xd2, 0xfc]), serviceData]))]);
}
/**
 * Encrypted BTHome v2 service data, sealed as the device does: AES-CCM with a 4-byte tag, the
 * nonce its MAC, the UUID, the info byte and the counter. `plain` is the objects, in hex.
 */
export function sealBthome(mac: string, key: Buffer, plain: string, counter: number): Buffer {
  const info = 0x41; // v2, encrypted
  const c = Buffer.alloc(4);
  c.writeUInt32LE(counter);
  const nonce = Buffer.concat([
    Buffer.from(mac.replace(/:/g, ''), 'hex'),
    Buffer.from([0xd2, 0xfc, info]),
    c,
  ]);
  const cipher = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: 4 });
  const body = Buffer.concat([cipher.update(Buffer.from(plain, 'hex')), cipher.final()]);
  return Buffer.concat([Buffer.from([info]), body, c, cipher.getAuthTag()]);
}

export function ibeaconAd(b: IBeacon): Buffer {
  return Buffer.concat([FLAGS, ad(0xff, encodeIBeacon(b))]);
}
/** The advert of a connectable device offering 16-bit services (a heart-rate band: 0x180D). */
export function servicesAd(uuids: number[]): Buffer {
  const body = Buffer.alloc(uuids.length * 2);
  for (const [i, u] of uuids.entries()) body.writeUInt16LE(u, i * 2);
  return Buffer.concat([FLAGS, ad(0x03, body)]);
}
export function nameAd(name: string): Buffer {
  return ad(0x09, Buffer.from(name, 'utf8'));
}

/** HCI LE Meta event, subevent LE Advertising Report, one report. */
export function advertisingReport(a: Advert): Buffer {
  const e = Buffer.alloc(15 + a.data.length);
  e.set([0x04, 0x3e, 12 + a.data.length, 0x02, 1, a.type, 0x00]);
  Buffer.from(a.address.split(':').reverse().join(''), 'hex').copy(e, 7);
  e.writeUInt8(a.data.length, 13);
  a.data.copy(e, 14);
  e.writeInt8(a.rssi ?? -60, 14 + a.data.length);
  return e;
}
