// A simulated heart-rate band: advertises the Heart Rate Service while nobody is connected, and
// once connected serves Heart Rate Measurement notifications (0x2A37) and Battery Level (0x2A19).

import { ADV, nameAd, type SimPeripheral, servicesAd } from './ble-adverts.ts';
import { type Attribute, answerAtt, characteristic, notification, service } from './ble-att.ts';
import type { SimRadio } from './ble-controller.ts';

const HR_VALUE = 0x0003;
const NOTIFY = 0x10;
const READ = 0x02;

export class SimHeartRateBand implements SimPeripheral {
  readonly address: string;
  readonly name: string;
  battery: number;
  /** Out of range: no adverts, and connection attempts wait. */
  inRange = true;
  #link?: { send(pdu: Buffer): void };
  #cccd = Buffer.from([0, 0]);
  readonly #table: Attribute[];

  constructor(
    private readonly radio: SimRadio,
    address: string,
    opts: { battery?: number; name?: string } = {},
  ) {
    this.address = address.toLowerCase();
    this.battery = opts.battery ?? 87;
    this.name = opts.name ?? 'HRM-Pro';
    this.#table = [
      service(0x0001, 0x180d, 0x0004),
      characteristic(0x0002, NOTIFY, 0x2a37),
      { handle: HR_VALUE, type: 0x2a37, value: () => Buffer.from([0x00, 0x00]) },
      {
        handle: 0x0004,
        type: 0x2902,
        value: () => this.#cccd,
        write: (d) => {
          this.#cccd = Buffer.from(d.subarray(0, 2));
        },
      },
      service(0x0005, 0x180f, 0x0007),
      characteristic(0x0006, READ, 0x2a19),
      { handle: 0x0007, type: 0x2a19, value: () => Buffer.from([this.battery]) },
    ];
    radio.add(this);
  }

  get connected(): boolean {
    return this.#link !== undefined;
  }
  /** Whether the central has switched notifications on (written the CCCD). */
  get subscribed(): boolean {
    return this.connected && (this.#cccd.readUInt16LE(0) & 0x0001) !== 0;
  }

  /** ADV_IND and a scan response with the name, as a band does while waiting for its phone. */
  advertise(rssi = -58): void {
    if (!this.inRange || this.connected) return;
    this.radio.advertise({ address: this.address, type: ADV.ind, data: servicesAd([0x180d, 0x180f]), rssi });
    this.radio.advertise({ address: this.address, type: ADV.scanRsp, data: nameAd(this.name), rssi });
  }

  /** Sends one Heart Rate Measurement (the raw 0x2A37 value) if notifications are on. */
  measure(value: Buffer): boolean {
    if (!this.subscribed) return false;
    this.#link?.send(notification(HR_VALUE, value));
    return true;
  }

  available(): boolean {
    return this.inRange && !this.connected;
  }
  connect(link: { send(pdu: Buffer): void }): void {
    this.#link = link;
    this.#cccd = Buffer.from([0, 0]);
  }
  request(pdu: Buffer): Buffer | undefined {
    return answerAtt(this.#table, pdu);
  }
  disconnect(): void {
    this.#link = undefined;
  }
}
