// A virtual Bluetooth controller: the interface of `@abandonware/bluetooth-hci-socket` that
// noble's HCI layer drives, answering its HCI commands with real event bytes. Installed in that
// module's place before noble loads, it lets noble run unchanged on a machine with no Bluetooth
// (tests, CI, the demo home): adverts and GATT peripherals come from a SimRadio.
import { EventEmitter } from 'node:events';
import { createRequire, Module } from 'node:module';
import { type Advert, advertisingReport, type SimPeripheral } from './ble-adverts.ts';

export type { Advert, SimPeripheral } from './ble-adverts.ts';

const CMD = 0x01;
const ACL = 0x02;
const EVT = 0x04;
const EVT_DISCONN_COMPLETE = 0x05;
const EVT_CMD_COMPLETE = 0x0e;
const EVT_CMD_STATUS = 0x0f;
const EVT_NUM_COMPLETED = 0x13;
const EVT_LE_META = 0x3e;
const LE_CONN_COMPLETE = 0x01;
const ATT_CID = 0x0004;
/** Disconnection reasons (Core spec, vol 1 part F). */
export const REASON = { timeout: 0x08, remoteEnded: 0x13, localEnded: 0x16, unknownConnection: 0x02 };

const op = (ogf: number, ocf: number) => (ogf << 10) | ocf;
const OPS = {
  disconnect: op(0x01, 0x0006),
  setEventMask: op(0x03, 0x0001),
  reset: op(0x03, 0x0003),
  readLeHostSupported: op(0x03, 0x006c),
  writeLeHostSupported: op(0x03, 0x006d),
  readLocalVersion: op(0x04, 0x0001),
  readBufferSize: op(0x04, 0x0005),
  readBdAddr: op(0x04, 0x0009),
  readRssi: op(0x05, 0x0005),
  leSetEventMask: op(0x08, 0x0001),
  leReadBufferSize: op(0x08, 0x0002),
  leSetScanParameters: op(0x08, 0x000b),
  leSetScanEnable: op(0x08, 0x000c),
  leCreateConn: op(0x08, 0x000d),
  leCancelConn: op(0x08, 0x000e),
  leConnUpdate: op(0x08, 0x0013),
};
/** The ACL buffer this controller offers: a 23-byte ATT PDU and its L2CAP header fit in one. */
const ACL_LEN = 27;
const ACL_NUM = 8;

const macBytes = (address: string): Buffer => Buffer.from(address.split(':').reverse().join(''), 'hex');

/** The air around the adapter: who advertises, who accepts connections, and the adapter's power. */
export class SimRadio {
  readonly address: string;
  #powered = true;
  readonly #controllers = new Set<BleController>();
  readonly #peripherals = new Map<string, SimPeripheral>();
  /** LE Set Scan Enable (on) commands the controllers received: scans started and restarted. */
  scanStarts = 0;

  constructor(address = '00:1a:7d:da:71:13') {
    this.address = address.toLowerCase();
  }
  get powered(): boolean {
    return this.#powered;
  }
  /** Adapter up or down (unplugged, rfkill): noble notices within its one-second poll. */
  setPowered(on: boolean): void {
    this.#powered = on;
    if (!on) for (const c of this.#controllers) c.powerLost();
  }
  /** One advert, heard by every controller that is scanning. */
  advertise(a: Advert): void {
    for (const c of this.#controllers) c.hear(a);
  }
  add(p: SimPeripheral): void {
    this.#peripherals.set(p.address.toLowerCase(), p);
  }
  peripheral(address: string): SimPeripheral | undefined {
    return this.#peripherals.get(address.toLowerCase());
  }
  /** The link to a peripheral is lost (out of range): Disconnection Complete, reason timeout. */
  dropLink(address: string): void {
    for (const c of this.#controllers) c.drop(address.toLowerCase(), REASON.timeout);
  }
  /** Whether any controller holds a link to this address. */
  linked(address: string): boolean {
    return [...this.#controllers].some((c) => c.linked(address.toLowerCase()));
  }
  attach(c: BleController): void {
    this.#controllers.add(c);
  }
  detach(c: BleController): void {
    this.#controllers.delete(c);
  }
}

let current: SimRadio | undefined;

type Link = { handle: number; peripheral: SimPeripheral };

/** One HCI socket as noble sees it; constructed by noble's hci.js, attached to the current radio. */
export class BleController extends EventEmitter {
  readonly #radio: SimRadio;
  #started = false;
  #scanning = false;
  #pending?: string;
  #nextHandle = 0x0040;
  readonly #links = new Map<number, Link>();

  constructor() {
    super();
    if (!current) throw new Error('no SimRadio installed: call installBleController(radio) first');
    this.#radio = current;
  }

  bindRaw(devId?: number): number {
    return devId ?? 0;
  }
  bindUser(devId?: number): number {
    return devId ?? 0;
  }
  bindControl(): void {}
  isDevUp(): boolean {
    return this.#started && this.#radio.powered;
  }
  setFilter(_filter: Buffer): void {}
  getDeviceList(): { devId: number; devUp: boolean }[] {
    return [{ devId: 0, devUp: this.#radio.powered }];
  }
  start(): void {
    this.#started = true;
    this.#radio.attach(this);
  }
  stop(): void {
    this.#started = false;
    this.#scanning = false;
    for (const l of this.#links.values()) l.peripheral.disconnect();
    this.#links.clear();
    this.#radio.detach(this);
  }

  write(data: Buffer): void {
    if (!this.#radio.powered) return;
    if (data[0] === CMD) this.#command(data.readUInt16LE(1), data.subarray(4));
    else if (data[0] === ACL) this.#acl(data);
  }

  // --- the radio's side ---

  hear(a: Advert): void {
    if (this.#started && this.#scanning && this.#radio.powered) this.#send(advertisingReport(a));
  }
  drop(address: string, reason: number): void {
    for (const [handle, l] of this.#links)
      if (l.peripheral.address.toLowerCase() === address) this.#disconnected(handle, reason);
  }
  linked(address: string): boolean {
    return [...this.#links.values()].some((l) => l.peripheral.address.toLowerCase() === address);
  }
  powerLost(): void {
    this.#scanning = false;
    for (const l of this.#links.values()) l.peripheral.disconnect();
    this.#links.clear();
  }

  // --- HCI ---

  #command(opcode: number, params: Buffer): void {
    const ok = Buffer.from([0x00]);
    switch (opcode) {
      case OPS.readLocalVersion: // HCI 5.0, Linux Foundation
        this.#complete(opcode, Buffer.from([0x00, 0x09, 0x00, 0x00, 0x09, 0xf1, 0x05, 0x00, 0x00]));
        return;
      case OPS.readBdAddr:
        this.#complete(opcode, Buffer.concat([ok, macBytes(this.#radio.address)]));
        return;
      case OPS.readLeHostSupported:
        this.#complete(opcode, Buffer.from([0x00, 0x01, 0x00]));
        return;
      case OPS.leReadBufferSize:
        this.#complete(opcode, Buffer.from([0x00, ACL_LEN, 0x00, ACL_NUM]));
        return;
      case OPS.readBufferSize:
        this.#complete(opcode, Buffer.from([0x00, ACL_LEN, 0x00, 0x00, ACL_NUM, 0x00, 0x00, 0x00]));
        return;
      case OPS.leSetScanEnable: {
        const on = params[0] === 0x01;
        if (on && !this.#scanning) this.#radio.scanStarts++;
        this.#scanning = on;
        this.#complete(opcode, ok);
        return;
      }
      case OPS.leCreateConn:
        this.#status(opcode, 0x00);
        this.#connect(Buffer.from(params.subarray(6, 12)).reverse().toString('hex'));
        return;
      case OPS.leCancelConn:
        this.#complete(opcode, ok);
        if (this.#pending) this.#connComplete(REASON.unknownConnection, 0, this.#pending);
        this.#pending = undefined;
        return;
      case OPS.disconnect: {
        const handle = params.readUInt16LE(0);
        this.#status(opcode, this.#links.has(handle) ? 0x00 : REASON.unknownConnection);
        if (this.#links.has(handle)) this.#disconnected(handle, REASON.localEnded);
        return;
      }
      case OPS.readRssi: {
        const r = Buffer.from([0x00, 0, 0, 0xc4]);
        params.copy(r, 1, 0, 2);
        this.#complete(opcode, r);
        return;
      }
      case OPS.leConnUpdate:
        this.#status(opcode, 0x00);
        return;
      case OPS.reset:
      case OPS.setEventMask:
      case OPS.leSetEventMask:
      case OPS.writeLeHostSupported:
      case OPS.leSetScanParameters:
        this.#complete(opcode, ok);
        return;
      default:
        this.#complete(opcode, Buffer.from([0x01]));
        return; // Unknown HCI Command
    }
  }

  /** LE Create Connection: completes if the peripheral is in range, else waits to be cancelled. */
  #connect(hex: string): void {
    const address = hex.match(/../g)?.join(':') ?? '';
    const p = this.#radio.peripheral(address);
    if (!p?.available()) {
      this.#pending = address;
      return;
    }
    const handle = this.#nextHandle++;
    this.#links.set(handle, { handle, peripheral: p });
    p.connect({ send: (pdu) => this.#links.has(handle) && this.#sendAcl(handle, pdu) });
    this.#connComplete(0x00, handle, address);
  }

  #connComplete(status: number, handle: number, address: string): void {
    const e = Buffer.alloc(22);
    e.set([EVT, EVT_LE_META, 19, LE_CONN_COMPLETE, status]);
    e.writeUInt16LE(handle, 5);
    e.writeUInt8(0x00, 7); // role: central
    e.writeUInt8(0x00, 8); // peer address type: public
    macBytes(address).copy(e, 9);
    e.writeUInt16LE(0x0018, 15); // interval 30 ms
    e.writeUInt16LE(0x0000, 17);
    e.writeUInt16LE(0x002a, 19); // supervision timeout 420 ms
    e.writeUInt8(0x00, 21);
    this.#send(e);
  }

  #disconnected(handle: number, reason: number): void {
    const l = this.#links.get(handle);
    this.#links.delete(handle);
    l?.peripheral.disconnect();
    const e = Buffer.from([EVT, EVT_DISCONN_COMPLETE, 4, 0x00, 0, 0, reason]);
    e.writeUInt16LE(handle, 4);
    this.#send(e);
  }

  #acl(data: Buffer): void {
    const handle = data.readUInt16LE(1) & 0x0fff;
    const done = Buffer.from([EVT, EVT_NUM_COMPLETED, 5, 1, 0, 0, 1, 0]);
    done.writeUInt16LE(handle, 4);
    this.#send(done);
    const link = this.#links.get(handle);
    if (!link || data.length < 9 || data.readUInt16LE(7) !== ATT_CID) return;
    const answer = link.peripheral.request(data.subarray(9));
    if (answer) this.#sendAcl(handle, answer);
  }

  #sendAcl(handle: number, pdu: Buffer): void {
    const p = Buffer.alloc(9 + pdu.length);
    p.writeUInt8(ACL, 0);
    p.writeUInt16LE(handle | (0x02 << 12), 1); // first fragment, flushable
    p.writeUInt16LE(4 + pdu.length, 3);
    p.writeUInt16LE(pdu.length, 5);
    p.writeUInt16LE(ATT_CID, 7);
    pdu.copy(p, 9);
    this.#send(p);
  }

  #complete(opcode: number, result: Buffer): void {
    const e = Buffer.alloc(6 + result.length);
    e.set([EVT, EVT_CMD_COMPLETE, 3 + result.length, 0x01]);
    e.writeUInt16LE(opcode, 4);
    result.copy(e, 6);
    this.#send(e);
  }
  #status(opcode: number, status: number): void {
    const e = Buffer.from([EVT, EVT_CMD_STATUS, 4, status, 0x01, 0, 0]);
    e.writeUInt16LE(opcode, 5);
    this.#send(e);
  }

  /** Events arrive later, as from a socket: never inside the write that caused them. */
  #send(event: Buffer): void {
    setImmediate(() => this.#started && this.emit('data', event));
  }
}

/**
 * Puts BleController in `@abandonware/bluetooth-hci-socket`'s place in the CommonJS module cache,
 * so that noble, loaded after this, runs its own HCI layer on the radio given.
 */
export function installBleController(radio: SimRadio): void {
  current = radio;
  const req = createRequire(import.meta.url);
  const hci = req.resolve('@abandonware/noble/lib/hci-socket/hci.js');
  const path = createRequire(hci).resolve('@abandonware/bluetooth-hci-socket');
  if (req.cache[path]?.exports === BleController) return;
  if (req.cache[hci])
    throw new Error('noble was loaded before the virtual controller: install it before noble loads');
  const m = new Module(path);
  m.filename = path;
  m.loaded = true;
  m.exports = BleController;
  req.cache[path] = m;
}
