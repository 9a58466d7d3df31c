// What the BLE source's parts share: the driver context, a counter, and a log that says each
// distinct problem about a device once per window, however often its adverts repeat it.
import type { Config } from '../../config/schema.ts';
import { rateLimited } from '../../core/log.ts';
import type { DriverContext } from '../driver.ts';

export type BthomeRow = Extract<Config['devices'][number], { source: 'bthome' }>;
export type IBeaconRow = Extract<Config['devices'][number], { source: 'ibeacon' }>;
export type HeartRateRow = Extract<Config['devices'][number], { source: 'heart-rate' }>;
export type BleRow = BthomeRow | IBeaconRow | HeartRateRow;

export type BleContext = DriverContext & {
  /** Counted outcomes (ble.dropped.unknown, ble.bthome.refused ...), for health and status. */
  count(name: string, n?: number): void;
};

const WINDOW_MS = 10 * 60_000;

export class ProblemLog {
  readonly #limit: ReturnType<typeof rateLimited>;
  constructor(private readonly ctx: BleContext) {
    this.#limit = rateLimited(WINDOW_MS, () => ctx.clock.monotonic());
  }

  /** Logs a warning unless the same device said the same thing within the window. */
  warn(device: string, problem: string, fields: Record<string, unknown> = {}): void {
    this.#limit(`${device}\u0000${problem}`, (held) => {
      const repeats = held ? { repeats: held } : {};
      this.ctx.log.warn({ device, ...fields, ...repeats }, `${device}: ${problem}`);
    });
  }
}
