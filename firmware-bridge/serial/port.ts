// One owner per physical serial port, shared by every device row on it. Opens the port with the
// rows' baud, hands bytes to whoever listens, and on error, close, ENOENT or EIO reconnects by
// itself: a missing path is looked for twice a second, a present one that will not open is
// retried with capped backoff; missing is reported once per change, retries are quiet.
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { Cancel } from '../../core/clock.ts';
import { backoff, type DriverContext, type SourceStatus } from '../driver.ts';

/** What a driver hears from the port it sits on. */
export type PortListener = {
  /** The port is open: a fresh connection (drivers reset framing and may send setup bytes). */
  open?(write: (bytes: Uint8Array) => void): void;
  data(bytes: Buffer): void;
  /** The port went away (or was never there); already reported through ctx.status. */
  closed?(): void;
};

export type SerialLinkOptions = { path: string; baud: number; source: string; devices: string[] };

/** How long an open port waits between checks that its path still exists. */
const WATCH_MS = 5_000;
/** How often a missing path is looked for; opening a present one that fails backs off instead. */
const ABSENT_POLL_MS = 500;

export class SerialLink {
  readonly path: string;
  readonly devices: string[];
  readonly baud: number;
  #source: string;
  #listeners: PortListener[] = [];
  #port: SerialPort | undefined;
  #present: boolean | undefined;
  #attempt = 0;
  #cancel: Cancel | undefined;
  #stopped = true;
  #detail = '';
  /** Connections opened, for health and tests. */
  opens = 0;

  constructor(
    opts: SerialLinkOptions,
    private readonly ctx: DriverContext,
    private readonly capMs = 30_000,
  ) {
    this.path = opts.path;
    this.baud = opts.baud;
    this.#source = opts.source;
    this.devices = [...opts.devices];
  }

  listen(l: PortListener): void {
    this.#listeners.push(l);
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancel?.();
    const port = this.#port;
    this.#port = undefined;
    if (port?.isOpen) await new Promise<void>((done) => port.close(() => done()));
  }

  health(): SourceStatus {
    return this.#status(this.#present === true);
  }

  #status(present: boolean): SourceStatus {
    return {
      source: this.#source,
      devices: this.devices,
      present,
      detail: present ? `port ${this.path} open at ${this.baud} baud` : this.#detail,
    };
  }

  #report(present: boolean, detail: string): void {
    this.#detail = detail;
    if (present !== this.#present) this.ctx.status(this.#status(present));
    this.#present = present;
  }

  #connect(): void {
    if (this.#stopped) return;
    if (!existsSync(this.path)) {
      this.#retry(`port ${this.path} not found`);
      return;
    }
    const port = new SerialPort({ path: this.path, baudRate: this.baud, autoOpen: false });
    this.#port = port;
    let down = false;
    const lost = (why: string) => {
      if (down || this.#port !== port) return;
      down = true;
      this.#port = undefined;
      port.removeAllListeners('data');
      if (port.isOpen) port.close(() => {});
      for (const l of this.#listeners) l.closed?.();
      this.#retry(why);
    };
    port.on('error', (err) => lost(`port ${this.path}: ${err.message}`));
    port.on('close', () => lost(`port ${this.path} closed`));
    port.on('data', (b: Buffer) => {
      for (const l of this.#listeners) l.data(b);
    });
    port.open((err) => {
      if (this.#stopped || this.#port !== port) {
        if (!err) port.close(() => {});
        return;
      }
      if (err) return lost(`port ${this.path}: ${err.message}`);
      this.opens++;
      this.#attempt = 0;
      this.#report(true, '');
      const write = (bytes: Uint8Array) => {
        if (port.isOpen) port.write(Buffer.from(bytes));
      };
      for (const l of this.#listeners) l.open?.(write);
      this.#watch(port, lost);
    });
  }

  /** Notices the path vanishing while the port is still open (a by-id link removed on unplug). */
  #watch(port: SerialPort, lost: (why: string) => void): void {
    this.#cancel = this.ctx.clock.timer(this.ctx.clock.now() + WATCH_MS, () => {
      if (this.#port !== port) return;
      if (!existsSync(this.path)) return lost(`port ${this.path} not found`);
      this.#watch(port, lost);
    });
  }

  #retry(detail: string): void {
    if (this.#stopped) return;
    this.#report(false, detail);
    this.#attempt++;
    // Looking for a path costs a stat: a replugged device is back within half a second.
    const next = existsSync(this.path) ? backoff(this.#attempt, this.capMs) : ABSENT_POLL_MS;
    this.#cancel?.();
    this.#cancel = this.ctx.clock.timer(this.ctx.clock.now() + next, () => this.#connect());
  }
}

/** The port owners of one gateway: every row naming the same path shares one SerialLink. */
export class SerialPorts {
  #links = new Map<string, SerialLink>();

  constructor(
    private readonly ctx: DriverContext,
    private readonly capMs = 30_000,
  ) {}

  /** The owner of `path`; the first row to ask sets its baud, a later different one is logged. */
  link(row: { id: string; port: string; baud: number; source: string }): SerialLink {
    const have = this.#links.get(row.port);
    if (have) {
      if (!have.devices.includes(row.id)) have.devices.push(row.id);
      if (have.baud !== row.baud)
        this.ctx.log.warn(
          { device: row.id, port: row.port },
          `${row.id} asks for ${row.baud} baud on ${row.port}, already opened at ${have.baud}`,
        );
      return have;
    }
    const link = new SerialLink(
      { path: row.port, baud: row.baud, source: row.source, devices: [row.id] },
      this.ctx,
      this.capMs,
    );
    this.#links.set(row.port, link);
    return link;
  }
}
