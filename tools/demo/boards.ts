// The demo home's serial boards, played on pseudo-terminals to the gateway's real serial drivers:
// the armchair's pressure pad on a small board printing JSON lines, and an Arduino running
// StandardFirmata with the prompt's chime on pin 8. Where the system cannot make ptys (no
// python3), their rows are left out and the demo says so.
import { SerialPort } from 'serialport';
import type { Device } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import { FirmataSim } from '../sim/firmata-sim.ts';
import { openPtyPair, type PtyPair } from '../sim/pty-pair.ts';

export type DemoBoards = {
  /** The device rows with each board's pty in place of its by-id path. */
  devices: Device[];
  /** Why there are no boards, when there are none. */
  missing?: string;
  /** Opens the boards' ends; after the gateway has started. */
  start(clock: Clock): Promise<void>;
  /** The armchair board prints a line. */
  armchair(value: boolean): void;
  /** Whether the chime's pin has been switched on since the last call; waits up to a second. */
  chimed(): Promise<boolean>;
  close(): Promise<void>;
};

export async function demoBoards(devices: Device[]): Promise<DemoBoards> {
  const [armchair, uno] = [await openPtyPair(), await openPtyPair()];
  const pairs = [armchair, uno].filter((p): p is PtyPair => !('error' in p));
  if ('error' in armchair || 'error' in uno) {
    for (const p of pairs) p.close();
    const why = 'error' in armchair ? armchair.error : 'error' in uno ? uno.error : '';
    return {
      devices: devices.filter((d) => d.source !== 'jsonl' && d.source !== 'firmata'),
      missing: `${why} (install python3)`,
      start: async () => {},
      armchair: () => {},
      chimed: async () => false,
      close: async () => {},
    };
  }
  const ports: SerialPort[] = [];
  let seq = 0;
  let sim: FirmataSim | undefined;
  let seen = 0;
  const open = async (path: string, baudRate: number) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    ports.push(port);
    return port;
  };
  return {
    devices: devices.map((d) =>
      d.source === 'jsonl'
        ? { ...d, port: armchair.ends[1] }
        : d.source === 'firmata'
          ? { ...d, port: uno.ends[1] }
          : d,
    ),
    async start(clock) {
      await open(armchair.ends[0], 115200);
      const board = await open(uno.ends[0], 57600);
      sim = new FirmataSim({ write: (b) => board.write(Buffer.from(b)), now: () => clock.now() });
      board.on('data', (b: Buffer) => sim?.data(b));
    },
    armchair(value) {
      ports[0]?.write(`${JSON.stringify({ sensor: 'armchair', value, seq: ++seq })}\n`);
    },
    async chimed() {
      const until = Date.now() + 1_000;
      const writes = sim?.writes ?? [];
      while (Date.now() < until) {
        const on = writes.slice(seen).some((w) => w.pin === 8 && w.on);
        seen = writes.length;
        if (on) return true;
        await new Promise((r) => setTimeout(r, 5));
      }
      return false;
    },
    async close() {
      await Promise.all(
        ports.map((p) => new Promise<void>((done) => (p.isOpen ? p.close(() => done()) : done()))),
      );
      for (const p of pairs) p.close();
    },
  };
}
