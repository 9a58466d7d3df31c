// One iBeacon tag row: `presence` true at the first sighting, false once it has not been heard
// for `away_after`, each only on change; its signal strength smoothed, reported now and then.
import type { Cancel } from '../../core/clock.ts';
import type { BleContext, IBeaconRow } from './context.ts';

/** Weight of a new RSSI sample: single adverts swing by 10 dB as the wearer turns. */
const ALPHA = 0.25;

/** Pure: the smoothed RSSI after one more sample. */
export const ewma = (prev: number | undefined, sample: number, alpha = ALPHA): number =>
  prev === undefined ? sample : prev + alpha * (sample - prev);

export class BeaconPresence {
  #present = false;
  #rssi?: number;
  #rssiReportedAt = Number.NEGATIVE_INFINITY;
  #away?: Cancel;

  constructor(
    private readonly row: IBeaconRow,
    private readonly ctx: BleContext,
  ) {}

  seen(rssi: number): void {
    const now = this.ctx.clock.now();
    this.#rssi = ewma(this.#rssi, rssi);
    if (!this.#present) {
      this.#present = true;
      this.ctx.reading({ device: this.row.id, at: now, kind: 'presence', value: true });
    }
    // At most one rssi reading per away_after: enough to tell near from far, not a flood.
    if (now - this.#rssiReportedAt >= this.row.away_after) {
      this.#rssiReportedAt = now;
      this.ctx.reading({ device: this.row.id, at: now, kind: 'rssi', value: Math.round(this.#rssi) });
    }
    this.#away?.();
    this.#away = this.ctx.clock.timer(now + this.row.away_after, () => this.#gone());
  }

  stop(): void {
    this.#away?.();
  }

  #gone(): void {
    this.#present = false;
    this.#rssi = undefined;
    this.ctx.reading({ device: this.row.id, at: this.ctx.clock.now(), kind: 'presence', value: false });
  }
}
