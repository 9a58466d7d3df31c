// Whether the machine lists a Bluetooth adapter at all. Without one the BLE source reports BLE
// unavailable once and looks again now and then, never loading noble for nothing.
import { readdirSync } from 'node:fs';

export function bluetoothAdapters(sysfs = '/sys/class/bluetooth'): string[] {
  try {
    return readdirSync(sysfs).filter((n) => /^hci\d+$/.test(n));
  } catch {
    return [];
  }
}
