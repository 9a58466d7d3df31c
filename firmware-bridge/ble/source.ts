// The BLE source: one noble instance scanning with duplicates allowed, adverts filtered by the
// provisioning file's addresses and iBeacon ids before any decoding (neighbours' devices are
// dropped and counted, never stored), and routed to one handler per row. No adapter, no kernel
// Bluetooth or an adapter that goes away is a degraded status, reported once, retried quietly.
import { resolveSecret } from '../../config/load.ts';
import type { Cancel } from '../../core/clock.ts';
import { backoff, type Driver, type SourceStatus } from '../driver.ts';
import { bluetoothAdapters } from './adapter-presence.ts';
import { BeaconPresence } from './beacon-presence.ts';
import { BthomeDevice } from './bthome-device.ts';
import { type BleContext, type BleRow, ProblemLog } from './context.ts';
import { HeartRateBand } from './heart-rate-band.ts';
import { beaconId, decodeIBeacon } from './ibeacon.ts';
import { type Loaded, loadNoble, type Noble, type Peripheral } from './noble.ts';

export type BleOptions = {
  /** Where adapters are listed; tests and the demo point it at a folder of their own. */
  sysfs?: string;
  /** No advert at all for this long while scanning: the scan is restarted. */
  watchdogMs?: number;
  /** How often a machine without an adapter is looked at again. */
  recheckMs?: number;
  load?: () => Loaded;
};

const IBEACON_PREFIX = Buffer.from([0x4c, 0x00, 0x02, 0x15]);

export class BleSource implements Driver {
  readonly name = 'ble';
  readonly #bthome = new Map<string, BthomeDevice>();
  readonly #beacons = new Map<string, BeaconPresence>();
  readonly #bands = new Map<string, HeartRateBand>();
  readonly #problems: ProblemLog;
  #status?: SourceStatus;
  #loaded?: Extract<Loaded, { ok: true }>;
  #attempt = 0;
  #retry?: Cancel;
  #watchdog?: Cancel;
  #lastAdvert = 0;
  #stopped = false;

  constructor(
    private readonly rows: BleRow[],
    private readonly ctx: BleContext,
    private readonly opts: BleOptions = {},
  ) {
    this.#problems = new ProblemLog(ctx);
    for (const row of rows) {
      const address = 'address' in row ? row.address.toLowerCase() : '';
      if (row.source === 'bthome')
        this.#bthome.set(address, new BthomeDevice(row, this.#key(row), ctx, this.#problems));
      else if (row.source === 'heart-rate')
        this.#bands.set(address, new HeartRateBand(row, ctx, this.#problems));
      else this.#beacons.set(beaconId(row), new BeaconPresence(row, ctx));
    }
  }

  async start(): Promise<void> {
    this.#open();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#retry?.();
    this.#watchdog?.();
    for (const b of this.#bands.values()) b.stop();
    for (const b of this.#beacons.values()) b.stop();
    this.#loaded?.close();
  }

  health(): SourceStatus[] {
    return [this.#status ?? this.#report(false, 'starting')];
  }

  #open(): void {
    if (this.#stopped) return;
    const adapters = bluetoothAdapters(this.opts.sysfs);
    if (!adapters.length) {
      this.#set(false, 'no Bluetooth adapter on this machine; BLE unavailable');
      this.#later(this.opts.recheckMs ?? 30_000);
      return;
    }
    const loaded = (this.opts.load ?? loadNoble)();
    if (!loaded.ok) {
      this.#set(false, `${loaded.reason}; BLE unavailable`);
      this.#later(backoff(++this.#attempt, 5 * 60_000));
      return;
    }
    this.#loaded = loaded;
    const noble = loaded.noble;
    noble.on('stateChange', (state: string) => this.#state(noble, state, adapters));
    noble.on('discover', (p: Peripheral) => this.#advert(p));
    if (noble.state === 'poweredOn') this.#state(noble, 'poweredOn', adapters);
  }

  #later(ms: number): void {
    this.#retry = this.ctx.clock.timer(this.ctx.clock.now() + ms, () => this.#open());
  }

  #state(noble: Noble, state: string, adapters: string[]): void {
    if (state !== 'poweredOn') {
      this.#watchdog?.();
      const why =
        state === 'unauthorized'
          ? 'no permission to use the adapter: give node CAP_NET_RAW and CAP_NET_ADMIN (README, BLE)'
          : `adapter ${state}; waiting for it to come back`;
      this.#set(false, why);
      return;
    }
    this.#attempt = 0;
    this.#scan(noble);
    this.#set(true, `scanning on ${adapters.join(', ')} (${noble.address})`);
  }

  #scan(noble: Noble): void {
    this.#lastAdvert = this.ctx.clock.monotonic();
    noble.startScanning([], true);
    this.#armWatchdog(noble);
  }

  #armWatchdog(noble: Noble): void {
    this.#watchdog?.();
    const ms = this.opts.watchdogMs ?? 5 * 60_000;
    this.#watchdog = this.ctx.clock.timer(this.ctx.clock.now() + ms, () => {
      const quiet = this.ctx.clock.monotonic() - this.#lastAdvert;
      const expecting =
        this.#bthome.size + this.#beacons.size > 0 || [...this.#bands.values()].some((b) => !b.connected);
      if (quiet >= ms && expecting) {
        this.ctx.count('ble.scan.restarted');
        this.ctx.log.warn({ quiet_ms: quiet }, 'ble: no advert heard for a while; restarting the scan');
        noble.stopScanning();
        this.#scan(noble);
      } else this.#armWatchdog(noble);
    });
  }

  #advert(p: Peripheral): void {
    this.#lastAdvert = this.ctx.clock.monotonic();
    this.ctx.count(this.#route(p) ? 'ble.heard' : 'ble.dropped.unknown');
  }

  /** Hands an advert to its row's handler; false for a device not in the provisioning file. */
  #route(p: Peripheral): boolean {
    const address = p.address.toLowerCase();
    const bthome = this.#bthome.get(address);
    if (bthome) {
      const data = p.advertisement.serviceData.find((s) => s.uuid === 'fcd2')?.data;
      if (data) bthome.advert(data);
      return true;
    }
    const band = this.#bands.get(address);
    if (band) {
      band.seen(p);
      return true;
    }
    const m = p.advertisement.manufacturerData;
    // Only the iBeacon id is read (it is what says whose tag this is); other bytes stay unread.
    const beacon =
      this.#beacons.size && m?.subarray(0, 4).equals(IBEACON_PREFIX) ? decodeIBeacon(m) : undefined;
    const tag = beacon?.ok ? this.#beacons.get(beaconId(beacon)) : undefined;
    tag?.seen(p.rssi);
    return tag !== undefined;
  }

  #key(row: BleRow): Buffer | undefined {
    if (row.source !== 'bthome' || !row.bindkey) return undefined;
    try {
      const hex = /^[0-9a-f]{32}$/i.test(row.bindkey) ? row.bindkey : resolveSecret(row.bindkey).trim();
      if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error('not 32 hex digits');
      return Buffer.from(hex, 'hex');
    } catch (e) {
      this.ctx.log.error({ device: row.id }, `${row.id}: bind key unusable: ${(e as Error).message}`);
      return undefined;
    }
  }

  #set(present: boolean, detail: string): void {
    const changed = this.#status?.present !== present || this.#status?.detail !== detail;
    this.#status = this.#report(present, detail);
    if (changed) this.ctx.status(this.#status);
  }

  #report(present: boolean, detail: string): SourceStatus {
    return { source: 'ble', devices: this.rows.map((r) => r.id), present, detail };
  }
}
