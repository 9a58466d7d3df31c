// The demo home's BLE devices: a virtual Bluetooth controller in the HCI socket's place, so the
// gateway's real noble source hears an encrypted BTHome help pendant and an iBeacon wrist tag.
// Installed before the gateway loads noble; the adapter is a folder named hci0, as sysfs has it.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ADV, bthomeAd, ibeaconAd, sealBthome } from '../sim/ble-adverts.ts';
import { installBleController, SimRadio } from '../sim/ble-controller.ts';

export const PENDANT = '54:48:e6:8f:80:a5';
export const TAG = { uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0', major: 7, minor: 1, txPower: -59 };
/** How often the tag advertises in simulated time: well inside its away_after of 2 minutes. */
export const TAG_EVERY_MS = 60_000;

export type DemoRadio = {
  /** The folder the gateway looks for adapters in. */
  sysfs: string;
  /** The pendant's bind key, for its device row by reference. */
  key: string;
  /** Whether the tag is in range (the resident is at home with it on). */
  tagHome: boolean;
  /** The tag advertises, if at home; whether it did. */
  tag(): boolean;
  press(): void;
  battery(percent: number): void;
};

export function demoRadio(dir: string): DemoRadio {
  const radio = new SimRadio();
  installBleController(radio);
  const sysfs = join(dir, 'bluetooth');
  mkdirSync(join(sysfs, 'hci0'), { recursive: true });
  const key = randomBytes(16);
  // The counter only goes up, as in the device; the packet id tells repeats of one advert apart.
  let counter = 1;
  let packet = 0;
  const pendant = (objects: string) => {
    packet = (packet + 1) & 0xff;
    const data = bthomeAd(
      sealBthome(PENDANT, key, `00${packet.toString(16).padStart(2, '0')}${objects}`, counter++),
    );
    // Each advert goes out three times, as BTHome devices send them; the gateway keeps one.
    for (let i = 0; i < 3; i++) radio.advertise({ address: PENDANT, type: ADV.nonconnInd, data, rssi: -67 });
  };
  return {
    sysfs,
    key: key.toString('hex'),
    tagHome: true,
    tag() {
      if (this.tagHome)
        radio.advertise({
          address: 'd0:2e:ab:01:7a:10',
          type: ADV.nonconnInd,
          data: ibeaconAd(TAG),
          rssi: -72,
        });
      return this.tagHome;
    },
    press: () => pendant('3a01'),
    battery: (percent) => pendant(`01${percent.toString(16).padStart(2, '0')}`),
  };
}
