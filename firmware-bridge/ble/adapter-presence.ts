// Whether the machine has a Bluetooth adapter at all. Without one, BLE devices are reported
// missing once and the gateway carries on with its other sources.
import { readdirSync } from 'node:fs';
import type { Cancel } from '../../gateway/clock.ts';
import type { Driver, DriverContext, SourceStatus } from '../driver.ts';

export function bluetoothAdapters(sysfs = '/sys/class/bluetooth'): string[] {
  try {
    return readdirSync(sysfs).filter((n) => /^hci\d+$/.test(n));
  } catch {
    return [];
  }
}

export class AdapterPresence implements Driver {
  readonly name = 'ble';
  #present?: boolean;
  #cancel?: Cancel;

  constructor(
    private readonly devices: string[],
    private readonly ctx: DriverContext,
    private readonly sysfs = '/sys/class/bluetooth',
    private readonly recheckMs = 30_000,
  ) {}

  async start(): Promise<void> {
    this.#check();
  }
  async stop(): Promise<void> {
    this.#cancel?.();
  }
  health(): SourceStatus[] {
    return [this.#status(this.#present === true)];
  }

  #status(present: boolean): SourceStatus {
    const adapters = bluetoothAdapters(this.sysfs);
    return {
      source: 'ble',
      devices: this.devices,
      present,
      detail: present
        ? `Bluetooth adapter ${adapters.join(', ')}`
        : 'no Bluetooth adapter on this machine; BLE unavailable',
    };
  }

  #check(): void {
    const present = bluetoothAdapters(this.sysfs).length > 0;
    if (present !== this.#present) this.ctx.status(this.#status(present));
    this.#present = present;
    this.#cancel = this.ctx.clock.timer(this.ctx.clock.now() + this.recheckMs, () => this.#check());
  }
}
