// Finding serial devices for the provisioning file without udevadm: serialport's own listing
// spawns udevadm and takes the process down where it is missing, so ports come from
// /dev/serial/by-id and /sys/class/tty, and each is asked who it is with the drivers' handshakes.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SerialPort } from 'serialport';
import {
  decodeMessage,
  queryAnalogMapping,
  queryCapabilities,
  queryFirmware,
  queryVersion,
} from './firmata/codec.ts';
import { MODE } from './firmata/constants.ts';
import { FirmataParser } from './firmata/framer.ts';
import type { BoardInfo } from './firmata/pins.ts';
import { parseLine } from './jsonl-driver.ts';
import { COMMANDS, decodeFrame, enableConfiguration, endConfiguration } from './ld2410/codec.ts';
import { Ld2410Framer } from './ld2410/framer.ts';

export type PortInfo = {
  /** The path to put in the device row: the by-id link when there is one. */
  path: string;
  /** The device node, /dev/ttyUSB0. */
  dev: string;
  byId?: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  product?: string;
};

export type Found =
  | { source: 'ld2410'; firmware?: string }
  | { source: 'jsonl'; sensors: { sensor: string; kind?: string }[] }
  | {
      source: 'firmata';
      /** e.g. "StandardFirmata.ino 2.5 (protocol 2.5)". */
      firmware: string;
      pins: number;
      /** Pins that can be read as inputs, and the analog inputs by name (A0...). */
      inputs: number[];
      analog: string[];
      pullUp: boolean;
    };

export type ScanRoots = { dev: string; sys: string };
const ROOTS: ScanRoots = { dev: '/dev', sys: '/sys' };

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
};

const real = (p: string): string | undefined => {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
};

// Real serial hardware: USB adapters and SoC UARTs. The 32 legacy ttyS ports a PC kernel
// always registers (serial8250) are left out unless a by-id link names one.
const HARDWARE = /^tty(USB|ACM|AMA|THS|SAC|XRUSB|GS|mxc|LP)\d+$/;

/** The serial ports of this machine, by-id links first, with what sysfs says about each. */
export function listPorts(roots: ScanRoots = ROOTS): PortInfo[] {
  const byDev = new Map<string, string>();
  const byIdDir = join(roots.dev, 'serial', 'by-id');
  for (const name of safeReaddir(byIdDir)) {
    const link = join(byIdDir, name);
    const target = real(link);
    if (target && !byDev.has(target)) byDev.set(target, link);
  }
  const devs = new Set(byDev.keys());
  const ttyDir = join(roots.sys, 'class', 'tty');
  for (const name of safeReaddir(ttyDir)) {
    if (!existsSync(join(ttyDir, name, 'device'))) continue;
    const node = join(roots.dev, name);
    const usb = (real(join(ttyDir, name, 'device')) ?? '').includes('/usb');
    if ((usb || HARDWARE.test(name)) && existsSync(node)) devs.add(real(node) ?? node);
  }
  return [...devs].sort().map((dev) => {
    const byId = byDev.get(dev);
    return { path: byId ?? dev, dev, ...(byId ? { byId } : {}), ...usbInfo(join(ttyDir, basename(dev))) };
  });
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Vendor and product from the USB device above the tty (idVendor... files, or a uevent PRODUCT=). */
export function usbInfo(ttySys: string): Omit<PortInfo, 'path' | 'dev' | 'byId'> {
  let dir = real(join(ttySys, 'device'));
  for (let up = 0; dir && up < 5; up++, dir = dirname(dir)) {
    const vendorId = read(join(dir, 'idVendor'));
    if (vendorId) {
      const info: Omit<PortInfo, 'path' | 'dev' | 'byId'> = { vendorId };
      const productId = read(join(dir, 'idProduct'));
      const manufacturer = read(join(dir, 'manufacturer'));
      const product = read(join(dir, 'product'));
      if (productId) info.productId = productId;
      if (manufacturer) info.manufacturer = manufacturer;
      if (product) info.product = product;
      return info;
    }
    const m = /^PRODUCT=([0-9a-f]+)\/([0-9a-f]+)/im.exec(read(join(dir, 'uevent')) ?? '');
    if (m?.[1] && m[2]) return { vendorId: m[1].padStart(4, '0'), productId: m[2].padStart(4, '0') };
  }
  return {};
}

/** Opens `path` at `baud`, runs `talk`, and closes the port whatever happens. */
async function withPort<T>(
  path: string,
  baud: number,
  talk: (port: SerialPort, done: (v: T) => void) => void,
  fallback: T,
  ms: number,
): Promise<T> {
  const port = new SerialPort({ path, baudRate: baud, autoOpen: false });
  port.on('error', () => {});
  const err = await new Promise<Error | null>((r) => port.open((e) => r(e)));
  if (err) throw err;
  const result = await new Promise<T>((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    talk(port, (v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
  port.removeAllListeners('data');
  if (port.isOpen) {
    await new Promise<void>((r) => port.drain(() => r()));
    await new Promise<void>((r) => port.close(() => r()));
  }
  return result;
}

/** The LD2410 handshake: enable configuration, an ACK within `ms`; then end configuration. */
export async function probeLd2410(path: string, ms = 1_000): Promise<Found | undefined> {
  return withPort<Found | undefined>(
    path,
    256000,
    (port, done) => {
      const framer = new Ld2410Framer();
      framer.on('data', (frame: Buffer) => {
        const r = decodeFrame(frame);
        if (r.ok && r.frame.type === 'ack' && r.frame.command === COMMANDS.enableConfiguration) {
          port.write(Buffer.from(endConfiguration()));
          done({ source: 'ld2410' });
        }
      });
      port.on('data', (b: Buffer) => framer.write(b));
      port.write(Buffer.from(enableConfiguration()));
    },
    undefined,
    ms,
  );
}

/** The jsonl handshake: a JSON line with a `sensor` within `ms` (every sensor heard by then kept). */
export async function probeJsonl(path: string, ms = 2_000): Promise<Found | undefined> {
  const sensors = new Map<string, string | undefined>();
  await withPort<void>(
    path,
    115200,
    (port, done) => {
      let text = '';
      port.on('data', (b: Buffer) => {
        text = (text + b.toString('utf8')).slice(-4096);
        const lines = text.split('\n');
        text = lines.pop() ?? '';
        for (const l of lines) {
          const line = parseLine(l.trim());
          if (line.ok && !sensors.has(line.sensor)) sensors.set(line.sensor, line.kind);
        }
        // A little longer after the first, to hear the other sensors of the same board.
        if (sensors.size) setTimeout(() => done(), 300);
      });
    },
    undefined,
    ms,
  );
  if (!sensors.size) return undefined;
  return {
    source: 'jsonl',
    sensors: [...sensors].map(([sensor, kind]) => (kind ? { sensor, kind } : { sensor })),
  };
}

/**
 * The Firmata handshake at 57600 baud: capabilities and analog mapping within `ms` (an Uno resets
 * when the port opens and hears nothing for a second or two, so the queries are sent again).
 */
export async function probeFirmata(path: string, ms = 3_000): Promise<Found | undefined> {
  return withPort<Found | undefined>(
    path,
    57600,
    (port, done) => {
      const parser = new FirmataParser('board');
      const got: Partial<BoardInfo> = {};
      const ask = () => {
        for (const q of [queryVersion(), queryFirmware(), queryCapabilities(), queryAnalogMapping()])
          port.write(Buffer.from(q));
      };
      const again = setInterval(ask, 1_000);
      port.on('data', (b: Buffer) => {
        for (const m of parser.push(b)) {
          const r = decodeMessage(m, 'board');
          if (!r.ok) continue;
          const msg = r.message;
          if (msg.type === 'version') got.version = { major: msg.major, minor: msg.minor };
          if (msg.type === 'firmware') got.firmware = { name: msg.name, major: msg.major, minor: msg.minor };
          if (msg.type === 'capabilities') got.pins = msg.pins;
          if (msg.type === 'analog-mapping') got.channels = msg.channels;
        }
        if (got.pins && got.channels) {
          clearInterval(again);
          done(firmataFound({ ...got, pins: got.pins, channels: got.channels }));
        }
      });
      // Closed by withPort whether answered or not; the repeats end with it.
      port.once('close', () => clearInterval(again));
      ask();
    },
    undefined,
    ms,
  );
}

function firmataFound(info: BoardInfo): Found {
  const fw = info.firmware
    ? `${info.firmware.name} ${info.firmware.major}.${info.firmware.minor}`
    : 'Firmata';
  const proto = info.version ? ` (protocol ${info.version.major}.${info.version.minor})` : '';
  const can = (pin: number, mode: number) => info.pins[pin]?.some((c) => c.mode === mode) ?? false;
  return {
    source: 'firmata',
    firmware: `${fw}${proto}`,
    pins: info.pins.length,
    inputs: info.pins.flatMap((_, p) =>
      info.channels[p] == null && (can(p, MODE.INPUT) || can(p, MODE.INPUT_PULLUP)) ? [p] : [],
    ),
    analog: info.channels.flatMap((c, p) => (c !== null && can(p, MODE.ANALOG) ? [`A${c}`] : [])),
    pullUp: info.pins.some((_, p) => can(p, MODE.INPUT_PULLUP)),
  };
}

/** Who is on `path`: the LD2410 handshake first, then Firmata's, then the jsonl one. */
export async function identify(path: string): Promise<Found | undefined> {
  return (await probeLd2410(path)) ?? (await probeFirmata(path)) ?? (await probeJsonl(path));
}
