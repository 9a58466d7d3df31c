// An HLK-LD2410 radar without the radar: answers the host's commands with real ACK frames and
// sends a report ~10 times a second (basic, or engineering once asked), present or absent as the
// pattern says. Pure apart from its timer: bytes in through data(), bytes out through write.
import {
  COMMANDS,
  decodeFrame,
  encodeCommand,
  REPORT_FOOTER,
  REPORT_HEADER,
  type TargetState,
} from '../../firmware-bridge/serial/ld2410/codec.ts';
import { Ld2410Framer } from '../../firmware-bridge/serial/ld2410/framer.ts';
import { type Pattern, stepAt, truthy } from './pattern.ts';

export type SimOptions = {
  write: (bytes: Uint8Array) => void;
  pattern: Pattern;
  /** Between reports; the radar sends about 10 a second. */
  intervalMs?: number;
  now?: () => number;
};

export type Ld2410SimCounters = { commands: number; acks: number; reports: number; badFrames: number };

/** Firmware V2.04.23022511 as the radar reports it (type, major, minor). */
const FIRMWARE = Uint8Array.of(0x00, 0x00, 0x04, 0x02, 0x11, 0x25, 0x02, 0x23);

export class Ld2410Sim {
  readonly counters: Ld2410SimCounters = { commands: 0, acks: 0, reports: 0, badFrames: 0 };
  configuring = false;
  engineering = false;
  #framer = new Ld2410Framer();
  #timer: ReturnType<typeof setInterval> | undefined;
  #start = 0;
  #now: () => number;

  constructor(private readonly opts: SimOptions) {
    this.#now = opts.now ?? Date.now;
    this.#framer.on('data', (frame: Buffer) => this.#frame(frame));
  }

  /** Bytes from the host. */
  data(bytes: Uint8Array): void {
    this.#framer.write(Buffer.from(bytes));
  }

  start(): void {
    this.#start = this.#now();
    this.#timer ??= setInterval(() => this.tick(), this.opts.intervalMs ?? 100);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One report, unless the host holds the radar in configuration mode (it is silent then). */
  tick(): void {
    if (this.configuring) return;
    const present = truthy(stepAt(this.opts.pattern, this.#now() - this.#start).value);
    this.counters.reports++;
    this.opts.write(reportFrame(present ? 3 : 0, this.engineering, this.counters.reports));
  }

  #frame(bytes: Buffer): void {
    const res = decodeFrame(bytes);
    if (!res.ok || res.frame.type !== 'command') {
      this.counters.badFrames++;
      return;
    }
    this.counters.commands++;
    const { command } = res.frame;
    let status = 0;
    let data = new Uint8Array(0);
    if (command === COMMANDS.enableConfiguration) {
      this.configuring = true;
      data = Uint8Array.of(0x01, 0x00, 0x40, 0x00); // protocol 1, buffer 64
    } else if (!this.configuring) {
      status = 1; // every other command needs configuration mode
    } else if (command === COMMANDS.endConfiguration) {
      this.configuring = false;
    } else if (command === COMMANDS.enableEngineering) {
      this.engineering = true;
    } else if (command === COMMANDS.disableEngineering) {
      this.engineering = false;
    } else if (command === COMMANDS.readFirmware) {
      data = FIRMWARE;
    } else {
      status = 1;
    }
    this.counters.acks++;
    this.opts.write(ackFrame(command, status, data));
  }
}

/** The radar's answer to `command`: its word | 0x0100, a u16 status, then the data. */
export function ackFrame(command: number, status: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return encodeCommand(command | 0x0100, Uint8Array.of(status & 0xff, status >> 8, ...data));
}

/** A report frame; `n` moves the distances and energies a little, as a real target does. */
export function reportFrame(state: TargetState, engineering: boolean, n = 0): Uint8Array {
  const there = state !== 0;
  const wobble = n % 7;
  const moving = there ? 110 + wobble * 5 : 0;
  const stationary = there ? 150 + wobble : 0;
  const target = [
    state,
    moving & 0xff,
    moving >> 8,
    there ? 40 + wobble : 0,
    stationary & 0xff,
    stationary >> 8,
    there ? 60 - wobble : 0,
    there ? 200 : 0,
    0,
  ];
  const gates = (base: number) =>
    Array.from({ length: 9 }, (_, g) => (there ? Math.max(0, base - g * 8) : g));
  const payload = engineering
    ? [0x01, 0xaa, ...target, 8, 8, ...gates(70), ...gates(90), there ? 120 : 80, there ? 1 : 0, 0x55, 0x00]
    : [0x02, 0xaa, ...target, 0x55, 0x00];
  return Uint8Array.from([...REPORT_HEADER, payload.length, 0x00, ...payload, ...REPORT_FOOTER]);
}
