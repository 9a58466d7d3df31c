// One heart-rate band row over GATT: connect when it is first heard, subscribe to Heart Rate
// Measurement, read Battery Level, and after a lost link reconnect with capped backoff. At most
// one heart_rate reading per `interval`: the mean of the valid beats-per-minute heard in it.
import type { Cancel } from '../../core/clock.ts';
import { backoff } from '../driver.ts';
import type { BleContext, HeartRateRow, ProblemLog } from './context.ts';
import { decodeHeartRate } from './heart-rate.ts';
import type { Characteristic, Peripheral } from './noble.ts';

const BACKOFF_CAP_MS = 5 * 60_000;
/** A connection attempt still pending after this is cancelled and tried again later. */
const CONNECT_TIMEOUT_MS = 30_000;

type State = 'unseen' | 'connecting' | 'connected' | 'waiting' | 'stopped';

export class HeartRateBand {
  #state: State = 'unseen';
  #peripheral?: Peripheral;
  #attempt = 0;
  #retry?: Cancel;
  #window?: Cancel;
  #samples: number[] = [];

  constructor(
    private readonly row: HeartRateRow,
    private readonly ctx: BleContext,
    private readonly problems: ProblemLog,
  ) {}

  get connected(): boolean {
    return this.#state === 'connected';
  }

  /** The band's advert: it is in range and, if we hold no link, ready to be connected to. */
  seen(p: Peripheral): void {
    this.#peripheral = p;
    if (this.#state === 'unseen') this.#connect();
  }

  stop(): void {
    this.#state = 'stopped';
    this.#retry?.();
    this.#window?.();
    this.#flush();
    if (this.#peripheral?.state === 'connected') this.#peripheral.disconnect();
  }

  #connect(): void {
    const p = this.#peripheral;
    if (!p || this.#state === 'stopped') return;
    this.#state = 'connecting';
    const timeout = this.ctx.clock.timer(this.ctx.clock.now() + CONNECT_TIMEOUT_MS, () => {
      p.cancelConnect();
    });
    p.removeAllListeners('disconnect');
    p.connect((err) => {
      timeout();
      if (this.#state !== 'connecting') return;
      if (err) return this.#lost(`connection failed: ${String(err)}`);
      p.once('disconnect', (reason: number) => this.#lost(`link lost (HCI reason 0x${hex(reason)})`));
      this.#discover(p);
    });
  }

  #discover(p: Peripheral): void {
    p.discoverSomeServicesAndCharacteristics(['180d', '180f'], ['2a37', '2a19'], (err, _s, chars) => {
      if (this.#state !== 'connecting') return;
      const hr = chars?.find((c) => c.uuid === '2a37');
      if (err || !hr) {
        this.problems.warn(
          this.row.id,
          `no Heart Rate Measurement characteristic (${String(err ?? 'absent')})`,
        );
        return p.disconnect();
      }
      hr.removeAllListeners('data');
      hr.on('data', (data: Buffer) => this.#measurement(data));
      hr.subscribe((e) => {
        if (e) return this.problems.warn(this.row.id, `cannot subscribe to heart rate: ${String(e)}`);
        this.#state = 'connected';
        this.#attempt = 0;
        this.ctx.log.info({ device: this.row.id, address: this.row.address }, `${this.row.id}: connected`);
      });
      const battery = chars.find((c) => c.uuid === '2a19');
      if (battery) this.#readBattery(battery);
    });
  }

  #readBattery(c: Characteristic): void {
    c.read((err, data) => {
      if (err || data.length < 1) return;
      const level = data.readUInt8(0);
      if (level <= 100)
        this.ctx.reading({ device: this.row.id, at: this.ctx.clock.now(), kind: 'battery', value: level });
    });
  }

  #measurement(data: Buffer): void {
    const m = decodeHeartRate(data);
    if (!m.ok) {
      this.ctx.count('ble.heart_rate.refused');
      this.problems.warn(this.row.id, `bad heart rate measurement: ${m.reason}`);
      return;
    }
    if (!m.valid) return;
    this.#samples.push(m.bpm);
    if (!this.#window) {
      const end = this.ctx.clock.now() + this.row.interval;
      this.#window = this.ctx.clock.timer(end, () => this.#flush());
    }
  }

  #flush(): void {
    this.#window = undefined;
    if (!this.#samples.length) return;
    const mean = this.#samples.reduce((a, b) => a + b, 0) / this.#samples.length;
    this.#samples = [];
    this.ctx.reading({
      device: this.row.id,
      at: this.ctx.clock.now(),
      kind: 'heart_rate',
      value: Math.round(mean),
    });
  }

  #lost(why: string): void {
    if (this.#state === 'stopped') return;
    this.#state = 'waiting';
    this.#attempt++;
    const delay = backoff(this.#attempt, BACKOFF_CAP_MS);
    this.ctx.log.warn(
      { device: this.row.id, attempt: this.#attempt, retry_in_ms: delay },
      `${this.row.id}: ${why}; reconnecting`,
    );
    this.#retry = this.ctx.clock.timer(this.ctx.clock.now() + delay, () => this.#connect());
  }
}

const hex = (n: number): string => (n ?? 0).toString(16).padStart(2, '0');
