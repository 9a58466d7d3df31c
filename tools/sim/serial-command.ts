// `hearth simulate serial`: a device without the device, on a serial port (a pty, a USB-UART
// looped to the gateway), for tests, the demo home and technicians. Runs until Ctrl-C.
import { SerialPort } from 'serialport';
import { KINDS, type Kind } from '../../config/device-fields.ts';
import { EXIT, out, stopSignal } from '../../core/process.ts';
import { type FirmataFlavour, FirmataSim } from './firmata-sim.ts';
import { JsonlSim } from './jsonl-sim.ts';
import { Ld2410Sim } from './ld2410-sim.ts';
import { DEFAULT_PATTERN, parsePattern } from './pattern.ts';

export type SimulateOptions = {
  driver: string;
  port: string;
  sensor?: string;
  kind?: string;
  pattern?: string;
  baud?: string;
  /** firmata: the StandardFirmata version played, 2.5 or 2.4. */
  firmata?: string;
};

const BAUD: Record<string, number> = { ld2410: 256000, jsonl: 115200, firmata: 57600 };
const DRIVERS = Object.keys(BAUD);

export async function simulateCommand(o: SimulateOptions): Promise<number> {
  const refuse = async (why: string) => {
    process.stderr.write(`hearth simulate serial: ${why}\n`);
    return EXIT.badInput;
  };
  if (!DRIVERS.includes(o.driver))
    return refuse(`unknown driver ${o.driver}; expected ${DRIVERS.join(', ')}`);
  const flavour = o.firmata ?? '2.5';
  if (flavour !== '2.5' && flavour !== '2.4') return refuse(`--firmata ${o.firmata}: expected 2.5 or 2.4`);
  const pattern = parsePattern(o.pattern ?? DEFAULT_PATTERN);
  if (typeof pattern === 'string') return refuse(`--pattern: ${pattern}`);
  const kind = (o.kind ?? 'chair') as Kind;
  if (!KINDS.includes(kind)) return refuse(`--kind ${o.kind}: expected one of ${KINDS.join(', ')}`);
  const baud = o.baud === undefined ? (BAUD[o.driver] as number) : Number(o.baud);
  if (!Number.isInteger(baud) || baud <= 0) return refuse(`--baud ${o.baud}: expected a positive integer`);

  const port = new SerialPort({ path: o.port, baudRate: baud, autoOpen: false });
  const opened = await new Promise<Error | null>((resolve) => port.open((err) => resolve(err)));
  if (opened) {
    process.stderr.write(`hearth simulate serial: cannot open ${o.port}: ${opened.message}\n`);
    return EXIT.failed;
  }
  const write = (bytes: Uint8Array) => {
    if (port.isOpen) port.write(Buffer.from(bytes));
  };
  const say = (line: string) => void out(line);
  const sim =
    o.driver === 'ld2410'
      ? new Ld2410Sim({ write, pattern })
      : o.driver === 'firmata'
        ? new FirmataSim({ write, pattern, flavour: flavour as FirmataFlavour, say })
        : new JsonlSim({ write, pattern, sensor: o.sensor ?? 'chair1', kind });
  if (!(sim instanceof JsonlSim)) port.on('data', (b: Buffer) => sim.data(b));
  sim.start();
  const what =
    o.driver === 'jsonl'
      ? ` sensor ${o.sensor ?? 'chair1'} (${kind})`
      : o.driver === 'firmata'
        ? ` (StandardFirmata ${flavour})`
        : '';
  await out(`simulating ${o.driver}${what} on ${o.port} at ${baud} baud; Ctrl-C to stop`);

  const signalled = stopSignal();
  const code = await Promise.race([
    signalled.then(() => EXIT.ok),
    new Promise<number>((resolve) =>
      port.on('error', (err) => {
        process.stderr.write(`hearth simulate serial: ${o.port}: ${err.message}\n`);
        resolve(EXIT.failed);
      }),
    ),
  ]);
  signalled.release();
  sim.stop();
  if (port.isOpen) await new Promise<void>((r) => port.close(() => r()));
  await out('simulator stopped');
  return code;
}
