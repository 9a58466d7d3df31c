// Firmata messages as values: what one whole message (as the framer cuts it) means, and the bytes
// of each message either end sends. Pure; a message that is not what it claims is a reason,
// never a throw.
import { CMD, NONE, SYSEX } from './constants.ts';

/** Which end wrote the bytes: only REPORT_VERSION differs (a bare query from the host). */
export type Direction = 'board' | 'host';

export type PinCapability = { mode: number; resolution: number };

export type Message =
  | { type: 'digital'; port: number; value: number }
  | { type: 'analog'; channel: number; value: number }
  | { type: 'version'; major: number; minor: number }
  | { type: 'version-query' }
  | { type: 'firmware'; major: number; minor: number; name: string }
  | { type: 'firmware-query' }
  | { type: 'capabilities'; pins: PinCapability[][] }
  | { type: 'capability-query' }
  /** Per pin: its analog channel, or null for a pin that is not analog. */
  | { type: 'analog-mapping'; channels: (number | null)[] }
  | { type: 'analog-mapping-query' }
  | { type: 'string'; text: string }
  | { type: 'report-digital'; port: number; enable: boolean }
  | { type: 'report-analog'; channel: number; enable: boolean }
  | { type: 'set-pin-mode'; pin: number; mode: number }
  | { type: 'set-digital-pin-value'; pin: number; value: boolean }
  | { type: 'reset' }
  | { type: 'sysex'; command: number; data: Uint8Array };

export type Decoded = { ok: true; message: Message } | { ok: false; reason: string };

const bad = (reason: string): Decoded => ({ ok: false, reason });
const ok = (message: Message): Decoded => ({ ok: true, message });
const u14 = (lsb: number, msb: number) => (lsb & 0x7f) | ((msb & 0x7f) << 7);

/** Data bytes a command takes, or undefined for a byte that starts no message this reader knows. */
export function dataLength(command: number, from: Direction): number | undefined {
  if (command === CMD.REPORT_VERSION) return from === 'board' ? 2 : 0;
  switch (command & 0xf0) {
    case CMD.DIGITAL_MESSAGE:
    case CMD.ANALOG_MESSAGE:
      return 2;
    case CMD.REPORT_ANALOG:
    case CMD.REPORT_DIGITAL:
      return 1;
  }
  if (command === CMD.SET_PIN_MODE || command === CMD.SET_DIGITAL_PIN_VALUE) return 2;
  if (command === CMD.SYSTEM_RESET) return 0;
  return undefined;
}

/** The meaning of one whole message: a command byte and its data, or F0 ... F7. */
export function decodeMessage(bytes: Uint8Array, from: Direction): Decoded {
  const cmd = bytes[0];
  if (cmd === undefined) return bad('empty');
  if (cmd < 0x80) return bad(`0x${hex(cmd)} is a data byte, not a command`);
  for (let i = 1; i < bytes.length - (cmd === CMD.START_SYSEX ? 1 : 0); i++)
    if ((bytes[i] as number) > 0x7f) return bad(`command byte 0x${hex(bytes[i] as number)} inside a message`);
  if (cmd === CMD.START_SYSEX) {
    if (bytes.length < 3 || bytes[bytes.length - 1] !== CMD.END_SYSEX) return bad('sysex without its end');
    return decodeSysex(bytes[1] as number, bytes.subarray(2, bytes.length - 1), from);
  }
  const want = dataLength(cmd, from);
  if (want === undefined) return bad(`unknown command 0x${hex(cmd)}`);
  if (bytes.length !== 1 + want)
    return bad(`0x${hex(cmd)} takes ${want} data bytes, got ${bytes.length - 1}`);
  const a = bytes[1] ?? 0;
  const b = bytes[2] ?? 0;
  if (cmd === CMD.REPORT_VERSION)
    return ok(want === 0 ? { type: 'version-query' } : { type: 'version', major: a, minor: b });
  if (cmd === CMD.SET_PIN_MODE) return ok({ type: 'set-pin-mode', pin: a, mode: b });
  if (cmd === CMD.SET_DIGITAL_PIN_VALUE) return ok({ type: 'set-digital-pin-value', pin: a, value: b !== 0 });
  if (cmd === CMD.SYSTEM_RESET) return ok({ type: 'reset' });
  const low = cmd & 0x0f;
  switch (cmd & 0xf0) {
    case CMD.DIGITAL_MESSAGE:
      return ok({ type: 'digital', port: low, value: u14(a, b) });
    case CMD.ANALOG_MESSAGE:
      return ok({ type: 'analog', channel: low, value: u14(a, b) });
    case CMD.REPORT_DIGITAL:
      return ok({ type: 'report-digital', port: low, enable: a !== 0 });
    default:
      return ok({ type: 'report-analog', channel: low, enable: a !== 0 });
  }
}

function decodeSysex(command: number, data: Uint8Array, from: Direction): Decoded {
  const query = from === 'host' && data.length === 0;
  switch (command) {
    case SYSEX.REPORT_FIRMWARE:
      if (query) return ok({ type: 'firmware-query' });
      if (data.length < 2 || data.length % 2 !== 0) return bad('firmware report: odd length');
      return ok({
        type: 'firmware',
        major: data[0] as number,
        minor: data[1] as number,
        name: text14(data.subarray(2)),
      });
    case SYSEX.CAPABILITY_QUERY:
      return query ? ok({ type: 'capability-query' }) : bad('capability query from the board');
    case SYSEX.CAPABILITY_RESPONSE:
      return capabilities(data);
    case SYSEX.ANALOG_MAPPING_QUERY:
      return query ? ok({ type: 'analog-mapping-query' }) : bad('analog mapping query from the board');
    case SYSEX.ANALOG_MAPPING_RESPONSE:
      return ok({ type: 'analog-mapping', channels: [...data].map((c) => (c === NONE ? null : c)) });
    case SYSEX.STRING_DATA:
      if (data.length % 2 !== 0) return bad('string data: odd length');
      return ok({ type: 'string', text: text14(data) });
    default:
      return ok({ type: 'sysex', command, data: Uint8Array.from(data) });
  }
}

/** Per pin: (mode, resolution) pairs, each pin's list ended by 0x7F. */
function capabilities(data: Uint8Array): Decoded {
  const pins: PinCapability[][] = [];
  let pin: PinCapability[] = [];
  for (let i = 0; i < data.length; ) {
    const mode = data[i] as number;
    if (mode === NONE) {
      pins.push(pin);
      pin = [];
      i++;
      continue;
    }
    const resolution = data[i + 1];
    if (resolution === undefined) return bad('capability response: a mode without its resolution');
    pin.push({ mode, resolution });
    i += 2;
  }
  if (pin.length) return bad('capability response: the last pin is not ended by 0x7F');
  return ok({ type: 'capabilities', pins });
}

/** Text sent as two 7-bit bytes per character. */
function text14(data: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < data.length; i += 2)
    s += String.fromCharCode(u14(data[i] as number, data[i + 1] as number));
  return s;
}

const hex = (n: number) => n.toString(16).padStart(2, '0');
const lsb = (v: number) => v & 0x7f;
const msb = (v: number) => (v >> 7) & 0x7f;
const sysex = (command: number, ...data: number[]) =>
  Uint8Array.of(CMD.START_SYSEX, command, ...data.map((d) => d & 0x7f), CMD.END_SYSEX);
const chars14 = (s: string) => [...s].flatMap((c) => [lsb(c.charCodeAt(0)), msb(c.charCodeAt(0))]);

// What the host sends.
export const queryVersion = () => Uint8Array.of(CMD.REPORT_VERSION);
export const queryFirmware = () => sysex(SYSEX.REPORT_FIRMWARE);
export const queryCapabilities = () => sysex(SYSEX.CAPABILITY_QUERY);
export const queryAnalogMapping = () => sysex(SYSEX.ANALOG_MAPPING_QUERY);
export const setPinMode = (pin: number, mode: number) =>
  Uint8Array.of(CMD.SET_PIN_MODE, pin & 0x7f, mode & 0x7f);
export const reportDigital = (port: number, enable: boolean) =>
  Uint8Array.of(CMD.REPORT_DIGITAL | (port & 0x0f), enable ? 1 : 0);
export const reportAnalog = (channel: number, enable: boolean) =>
  Uint8Array.of(CMD.REPORT_ANALOG | (channel & 0x0f), enable ? 1 : 0);
export const setDigitalPinValue = (pin: number, value: boolean) =>
  Uint8Array.of(CMD.SET_DIGITAL_PIN_VALUE, pin & 0x7f, value ? 1 : 0);

// What either end sends: a port's levels (board: inputs read; host: outputs and pull-ups set).
export const digitalMessage = (port: number, value: number) =>
  Uint8Array.of(CMD.DIGITAL_MESSAGE | (port & 0x0f), lsb(value), msb(value));

// What the board sends.
export const versionReport = (major: number, minor: number) =>
  Uint8Array.of(CMD.REPORT_VERSION, major & 0x7f, minor & 0x7f);
export const firmwareReport = (major: number, minor: number, name: string) =>
  sysex(SYSEX.REPORT_FIRMWARE, major, minor, ...chars14(name));
export const analogMessage = (channel: number, value: number) =>
  Uint8Array.of(CMD.ANALOG_MESSAGE | (channel & 0x0f), lsb(value), msb(value));
export const capabilityResponse = (pins: PinCapability[][]) =>
  sysex(
    SYSEX.CAPABILITY_RESPONSE,
    ...pins.flatMap((p) => [...p.flatMap((c) => [c.mode, c.resolution]), NONE]),
  );
export const analogMappingResponse = (channels: (number | null)[]) =>
  sysex(SYSEX.ANALOG_MAPPING_RESPONSE, ...channels.map((c) => c ?? NONE));
export const stringData = (text: string) => sysex(SYSEX.STRING_DATA, ...chars14(text));
