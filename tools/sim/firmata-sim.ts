// An Arduino Uno running StandardFirmata, without the board: answers the host's handshake as
// StandardFirmata 2.5 (or as 2.4: no INPUT_PULLUP mode, no single-pin write, as the hex many
// boards in the field carry), reports its input pins as the pattern says (or as a test sets
// them) and records every level written to its output pins. Bytes in through data(), out
// through write.
import {
  analogMappingResponse,
  analogMessage,
  capabilityResponse,
  decodeMessage,
  digitalMessage,
  firmwareReport,
  type Message,
  type PinCapability,
  stringData,
  versionReport,
} from '../../firmware-bridge/serial/firmata/codec.ts';
import { MODE, MODE_NAMES } from '../../firmware-bridge/serial/firmata/constants.ts';
import { FirmataParser } from '../../firmware-bridge/serial/firmata/framer.ts';
import { type Pattern, stepAt, truthy } from './pattern.ts';

export type FirmataFlavour = '2.5' | '2.4';

export type FirmataSimOptions = {
  write: (bytes: Uint8Array) => void;
  flavour?: FirmataFlavour;
  /** What every input pin senses, looped; without one, only setDigital/setAnalog move them. */
  pattern?: Pattern;
  /** Between looks at the pattern and analog reports (StandardFirmata samples every 19 ms). */
  tickMs?: number;
  now?: () => number;
  /** A line for each thing the host did (pin modes, outputs), for a person watching. */
  say?: (line: string) => void;
};

/** One level an output pin was set to, in order. */
export type OutputWrite = { pin: number; on: boolean; at: number };

export const FIRMWARE_NAME = 'StandardFirmata.ino';
export const UNO_PINS = 20;
const PWM = new Set([3, 5, 6, 9, 10, 11]);
/** Uno pins 14-19 are A0-A5; 0 and 1 carry the serial link and offer no modes. */
const channelOf = (pin: number): number | null => (pin >= 14 && pin < UNO_PINS ? pin - 14 : null);

export class FirmataSim {
  readonly flavour: FirmataFlavour;
  readonly modes = new Map<number, number>();
  readonly pullUps = new Set<number>();
  readonly writes: OutputWrite[] = [];
  readonly asked: string[] = [];
  #inputs = new Map<number, boolean>();
  #analog = new Map<number, number>();
  #outputs = new Map<number, boolean>();
  /** The ports and analog channels the host asked to be reported. */
  readonly reportedPorts = new Set<number>();
  readonly reportedChannels = new Set<number>();
  #sentPorts = new Map<number, number>();
  #parser = new FirmataParser('host');
  #timer: ReturnType<typeof setInterval> | undefined;
  #start = 0;
  #now: () => number;

  constructor(private readonly opts: FirmataSimOptions) {
    this.flavour = opts.flavour ?? '2.5';
    this.#now = opts.now ?? Date.now;
  }

  /** What each pin can do, as this flavour's capability response says. */
  capabilities(): PinCapability[][] {
    return Array.from({ length: UNO_PINS }, (_, pin) => {
      if (pin < 2) return [];
      const caps: PinCapability[] = [
        { mode: MODE.INPUT, resolution: 1 },
        { mode: MODE.OUTPUT, resolution: 1 },
      ];
      if (this.flavour === '2.5') caps.push({ mode: MODE.INPUT_PULLUP, resolution: 1 });
      if (channelOf(pin) !== null) caps.push({ mode: MODE.ANALOG, resolution: 10 });
      if (PWM.has(pin)) caps.push({ mode: MODE.PWM, resolution: 8 });
      if (pin < 14) caps.push({ mode: MODE.SERVO, resolution: 14 });
      return caps;
    });
  }

  /** Bytes from the host. */
  data(bytes: Uint8Array): void {
    for (const m of this.#parser.push(bytes)) {
      const r = decodeMessage(m, 'host');
      if (r.ok) this.#message(r.message);
    }
  }

  start(): void {
    this.#start = this.#now();
    this.#timer ??= setInterval(() => this.tick(), this.opts.tickMs ?? 50);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The pattern applied to every input, then the reports StandardFirmata's loop would send. */
  tick(): void {
    const p = this.opts.pattern;
    if (p) {
      const v = stepAt(p, this.#now() - this.#start).value;
      for (const pin of this.#inputPins()) this.#inputs.set(pin, truthy(v));
      for (const ch of this.reportedChannels)
        this.#analog.set(ch, typeof v === 'number' ? v : truthy(v) ? 900 : 100);
    }
    this.#sendPorts();
    for (const ch of this.reportedChannels) this.opts.write(analogMessage(ch, this.#analog.get(ch) ?? 0));
  }

  /** A sensor's level on a digital pin; reported at once if its port is reported and it changed. */
  setDigital(pin: number, high: boolean): void {
    this.#inputs.set(pin, high);
    this.#sendPorts();
  }

  /** An analog input's value (0-1023); reported at once if its channel is reported. */
  setAnalog(channel: number, value: number): void {
    this.#analog.set(channel, value);
    if (this.reportedChannels.has(channel)) this.opts.write(analogMessage(channel, value));
  }

  output(pin: number): boolean {
    return this.#outputs.get(pin) ?? false;
  }

  #message(m: Message): void {
    const w = this.opts.write;
    switch (m.type) {
      case 'version-query':
        this.asked.push('version');
        w(versionReport(2, this.flavour === '2.5' ? 5 : 4));
        return;
      case 'firmware-query':
        this.asked.push('firmware');
        w(firmwareReport(2, this.flavour === '2.5' ? 5 : 4, FIRMWARE_NAME));
        return;
      case 'capability-query':
        this.asked.push('capabilities');
        w(capabilityResponse(this.capabilities()));
        return;
      case 'analog-mapping-query':
        this.asked.push('analog mapping');
        w(analogMappingResponse(Array.from({ length: UNO_PINS }, (_, p) => channelOf(p))));
        return;
      case 'set-pin-mode':
        this.#setMode(m.pin, m.mode);
        return;
      case 'report-digital':
        if (m.enable) this.reportedPorts.add(m.port);
        else this.reportedPorts.delete(m.port);
        // 2.5 sends the port's levels at once, so a host knows them without waiting for a change.
        if (m.enable) this.#sendPort(m.port, true);
        return;
      case 'report-analog':
        if (m.enable) this.reportedChannels.add(m.channel);
        else this.reportedChannels.delete(m.channel);
        return;
      case 'digital':
        this.#writePort(m.port, m.value);
        return;
      case 'set-digital-pin-value':
        // Not in 2.4: StandardFirmata of that version ignores the command.
        if (this.flavour === '2.5' && this.modes.get(m.pin) === MODE.OUTPUT) this.#setOutput(m.pin, m.value);
        return;
      case 'reset':
        this.modes.clear();
        this.pullUps.clear();
        this.reportedPorts.clear();
        this.reportedChannels.clear();
        return;
      default:
        return;
    }
  }

  #setMode(pin: number, mode: number): void {
    if (!this.capabilities()[pin]?.some((c) => c.mode === mode)) {
      this.opts.say?.(`pin ${pin}: mode ${MODE_NAMES[mode] ?? mode} refused`);
      this.opts.write(stringData('Unknown pin mode'));
      return;
    }
    this.modes.set(pin, mode);
    if (mode === MODE.INPUT_PULLUP) this.pullUps.add(pin);
    else this.pullUps.delete(pin);
    this.opts.say?.(`pin ${pin}: ${MODE_NAMES[mode]}`);
  }

  /** A whole port written: outputs take their level; INPUT pins written HIGH get the pull-up. */
  #writePort(port: number, value: number): void {
    for (let bit = 0; bit < 8; bit++) {
      const pin = port * 8 + bit;
      const high = (value & (1 << bit)) !== 0;
      const mode = this.modes.get(pin);
      if (mode === MODE.OUTPUT) this.#setOutput(pin, high);
      else if (mode === MODE.INPUT && high && !this.pullUps.has(pin)) {
        this.pullUps.add(pin);
        this.opts.say?.(`pin ${pin}: pull-up on (HIGH written to an INPUT pin)`);
      } else if (mode === MODE.INPUT && !high && this.pullUps.has(pin)) {
        // As on the AVR: a LOW written to an input takes its pull-up away.
        this.pullUps.delete(pin);
        this.opts.say?.(`pin ${pin}: pull-up off (LOW written to an INPUT pin)`);
      }
    }
  }

  #setOutput(pin: number, on: boolean): void {
    if ((this.#outputs.get(pin) ?? false) === on && this.writes.some((x) => x.pin === pin)) return;
    this.#outputs.set(pin, on);
    this.writes.push({ pin, on, at: this.#now() });
    this.opts.say?.(`pin ${pin}: ${on ? 'on' : 'off'}`);
  }

  #inputPins(): number[] {
    return [...this.modes].filter(([, m]) => m === MODE.INPUT || m === MODE.INPUT_PULLUP).map(([p]) => p);
  }

  #sendPorts(): void {
    for (const port of this.reportedPorts) this.#sendPort(port, false);
  }

  /** The port's input levels, when they changed since last sent (or always, when asked). */
  #sendPort(port: number, always: boolean): void {
    let value = 0;
    for (const pin of this.#inputPins())
      if (pin >> 3 === port && (this.#inputs.get(pin) ?? this.pullUps.has(pin))) value |= 1 << (pin & 7);
    if (!always && this.#sentPorts.get(port) === value) return;
    this.#sentPorts.set(port, value);
    this.opts.write(digitalMessage(port, value));
  }
}
