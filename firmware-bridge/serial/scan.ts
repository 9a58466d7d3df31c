// Finding serial devices for the provisioning file without udevadm: serialport's own listing
// spawns udevadm and takes the process down where it is missing, so ports come from
// /dev/serial/by-id and /sys/class/tty, and each is asked who it is with the drivers' handshakes.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SerialPort } from 'serialport';
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
  | { source: 'jsonl'; sensors: { sensor: string; kind?: string }[] };

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

/** Who is on `path`: the LD2410 handshake first, then the jsonl one. */
export async function identify(path: string): Promise<Found | undefined> {
  return (await probeLd2410(path)) ?? (await probeJsonl(path));
}
