// What the BLE source's parts share: the driver context, a counter, and a log that says each
// distinct problem about a device once per window, however often its adverts repeat it.
import type { Config } from '../../config/schema.ts';
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
  readonly #last = new Map<string, { at: number; suppressed: number }>();
  constructor(private readonly ctx: BleContext) {}

  /** Logs a warning unless the same device said the same thing within the window. */
  warn(device: string, problem: string, fields: Record<string, unknown> = {}): void {
    const key = `${device}\u0000${problem}`;
    const now = this.ctx.clock.monotonic();
    const seen = this.#last.get(key);
    if (seen && now - seen.at < WINDOW_MS) {
      seen.suppressed++;
      return;
    }
    const repeats = seen?.suppressed ? { repeats: seen.suppressed } : {};
    this.#last.set(key, { at: now, suppressed: 0 });
    this.ctx.log.warn({ device, ...fields, ...repeats }, `${device}: ${problem}`);
  }
}
