// HLK-LD2410 radar on a USB-UART: the port's bytes go through the framer, frames through the
// codec, and a `presence` Reading goes out only when the radar's answer changes and the new
// answer has held for a second (the radar reports ~10 times a second and flickers at the edge).
import type { Cancel } from '../../core/clock.ts';
import type { Reading } from '../../core/reading.ts';
import type { Driver, DriverContext, SourceStatus } from '../driver.ts';
import { decodeFrame, presenceReading, type Report } from './ld2410/codec.ts';
import { Ld2410Framer } from './ld2410/framer.ts';
import { ACK_TIMEOUT_MS, ATTEMPTS, RadarSetup, type SetupOutcome } from './ld2410/setup.ts';
import type { SerialLink, SerialPorts } from './port.ts';

export type Ld2410Row = { id: string; port: string; baud: number };

/** How long a new presence answer must hold before it is reported. */
export const HOLD_MS = 1_000;

export type Ld2410Counters = {
  frames: number;
  reports: number;
  badFrames: number;
  acks: number;
  readings: number;
};

type Radar = {
  row: Ld2410Row;
  link: SerialLink;
  framer: Ld2410Framer;
  /** The command sequence of the current connection. */
  setup?: RadarSetup;
  /** The radar's firmware version, once it has said. */
  firmware?: string;
  /** The last value reported. */
  reported?: boolean;
  /** A new value seen but not yet held long enough. */
  pending?: { value: boolean; since: number; report: Report; cancel: Cancel };
};

export class Ld2410Driver implements Driver {
  readonly name = 'ld2410';
  readonly counters: Ld2410Counters = { frames: 0, reports: 0, badFrames: 0, acks: 0, readings: 0 };
  #radars: Radar[] = [];

  constructor(
    rows: Ld2410Row[],
    ports: SerialPorts,
    private readonly ctx: DriverContext,
    /** How long the radar has to acknowledge each setup command. */
    ackTimeoutMs = ACK_TIMEOUT_MS,
  ) {
    for (const row of rows) {
      const link = ports.link({ ...row, source: 'ld2410' });
      const radar: Radar = { row, link, framer: this.#framer(row) };
      this.#radars.push(radar);
      link.listen({
        open: (write) => {
          radar.framer = this.#framer(row);
          // Engineering mode adds the per-gate energies to each report; the setting is lost
          // at power-off, so it is asked for at every open.
          radar.setup?.cancel();
          radar.setup = new RadarSetup(ctx.clock, write, (o) => this.#setupDone(radar, o), ackTimeoutMs);
          radar.setup.start();
        },
        data: (b) => radar.framer.write(b),
        closed: () => {
          radar.setup?.cancel();
          this.#settle(radar);
        },
      });
    }
  }

  async start(): Promise<void> {
    for (const r of this.#radars) r.link.start();
  }

  async stop(): Promise<void> {
    for (const r of this.#radars) {
      r.setup?.cancel();
      this.#settle(r);
    }
    await Promise.all(this.#radars.map((r) => r.link.stop()));
  }

  health(): SourceStatus[] {
    return [...new Set(this.#radars.map((r) => r.link))].map((l) => l.health());
  }

  #framer(row: Ld2410Row): Ld2410Framer {
    const framer = new Ld2410Framer();
    framer.on('data', (frame: Buffer) => {
      const radar = this.#radars.find((r) => r.row === row);
      if (radar?.framer === framer) this.#frame(radar, frame);
    });
    return framer;
  }

  #frame(radar: Radar, bytes: Buffer): void {
    this.counters.frames++;
    const res = decodeFrame(bytes);
    if (!res.ok) {
      this.counters.badFrames++;
      this.ctx.log.debug({ device: radar.row.id, reason: res.reason }, 'ld2410: frame refused');
      return;
    }
    const f = res.frame;
    if (f.type === 'ack') {
      this.counters.acks++;
      radar.setup?.ack(f.command, f.status, f.body);
      return;
    }
    if (f.type !== 'report') return;
    this.counters.reports++;
    this.#report(radar, f);
  }

  #report(radar: Radar, report: Report): void {
    const value = report.targetState !== 0;
    const p = radar.pending;
    if (value === radar.reported) {
      if (p) this.#settle(radar);
      return;
    }
    if (p && p.value === value) {
      p.report = report; // the facts of the latest report go out with the change
      return;
    }
    p?.cancel();
    const since = this.ctx.clock.now();
    radar.pending = {
      value,
      since,
      report,
      cancel: this.ctx.clock.timer(since + HOLD_MS, () => this.#emit(radar)),
    };
  }

  #emit(radar: Radar): void {
    const p = radar.pending;
    if (!p) return;
    radar.pending = undefined;
    radar.reported = p.value;
    this.counters.readings++;
    const reading: Reading = presenceReading(p.report, radar.row.id, p.since);
    this.ctx.reading(reading);
  }

  #setupDone(radar: Radar, o: SetupOutcome): void {
    const { id, port } = radar.row;
    if (o.firmware) radar.firmware = o.firmware;
    const firmware = o.firmware ? `firmware ${o.firmware}` : 'firmware not read';
    if (o.ok)
      this.ctx.log.info({ device: id, port, firmware: o.firmware }, `ld2410: ${id} ready, ${firmware}`);
    else
      this.ctx.log.warn(
        { device: id, port, command: o.command },
        `ld2410: ${id} on ${port}: command 0x${o.command.toString(16).padStart(4, '0')} ${
          o.why === 'refused' ? 'refused by the radar' : `not answered after ${ATTEMPTS} tries`
        }; ${firmware}; reports are still read (is the baud right?)`,
      );
  }

  /** Drops an answer not yet held (the connection went away, or the radar went back). */
  #settle(radar: Radar): void {
    radar.pending?.cancel();
    radar.pending = undefined;
  }
}
