// Arduino boards running StandardFirmata: pins wired to PIRs, door reeds, bed and chair pads, and
// a buzzer or LED. At every fresh open the board is asked who it is and what each pin can do
// (retried until it answers: an Uno resets when the port opens and is deaf for a second or two),
// then each row's pin is set up and reported; a level counts once it has held `debounce`.
import type { Cancel } from '../../core/clock.ts';
import {
  type Driver,
  type DriverContext,
  deviceProblemLog,
  type OutputEvent,
  type SourceStatus,
} from '../driver.ts';
import {
  decodeMessage,
  type Message,
  queryAnalogMapping,
  queryCapabilities,
  queryFirmware,
  queryVersion,
} from './firmata/codec.ts';
import { FirmataParser } from './firmata/framer.ts';
import { tuneFor } from './firmata/patterns.ts';
import {
  analogLevel,
  type BoardInfo,
  type FirmataRow,
  levelIn,
  type PinSetup,
  type Plan,
  planPins,
  portOf,
  writePin,
} from './firmata/pins.ts';
import { TunePlayer } from './firmata/player.ts';
import type { SerialLink, SerialPorts } from './port.ts';

export type { FirmataRow } from './firmata/pins.ts';

export type FirmataOptions = {
  /** How long one handshake attempt waits for the board's answers. */
  handshakeMs?: number;
  /** The longest wait between attempts once the board has not answered a few times. */
  capMs?: number;
};

export type FirmataCounters = {
  messages: number;
  badMessages: number;
  handshakes: number;
  handshakeAttempts: number;
  readings: number;
  boardStrings: number;
};

/** Attempts at the first pace before the board is reported silent and waits grow. */
const RETRIES = 3;

type Input = {
  reported?: boolean;
  analog?: boolean;
  pending?: { value: boolean; since: number; cancel: Cancel };
};

type Board = {
  path: string;
  baud: number;
  link: SerialLink;
  rows: FirmataRow[];
  parser: FirmataParser;
  write?: (bytes: Uint8Array) => void;
  /** The handshake in progress: what has come back so far. */
  asking?: { attempt: number; cancel?: Cancel; got: Partial<BoardInfo>; silent: boolean };
  ready?: {
    info: BoardInfo;
    plan: Plan;
    byPort: Map<number, PinSetup[]>;
    byChannel: Map<number, PinSetup[]>;
  };
  inputs: Map<string, Input>;
  players: Map<string, { row: FirmataRow; player: TunePlayer }>;
};

export class FirmataDriver implements Driver {
  readonly name = 'firmata';
  readonly counters: FirmataCounters = {
    messages: 0,
    badMessages: 0,
    handshakes: 0,
    handshakeAttempts: 0,
    readings: 0,
    boardStrings: 0,
  };
  #boards: Board[] = [];
  #said: ReturnType<typeof deviceProblemLog>;
  #handshakeMs: number;
  #capMs: number;

  constructor(
    rows: FirmataRow[],
    ports: SerialPorts,
    private readonly ctx: DriverContext,
    opts: FirmataOptions = {},
  ) {
    this.#handshakeMs = opts.handshakeMs ?? 3_000;
    this.#said = deviceProblemLog(ctx.clock);
    this.#capMs = opts.capMs ?? 30_000;
    const byPort = new Map<string, FirmataRow[]>();
    for (const r of rows) byPort.set(r.port, [...(byPort.get(r.port) ?? []), r]);
    for (const [path, portRows] of byPort) {
      const link = portRows.map((r) => ports.link({ ...r, source: 'firmata' }))[0] as SerialLink;
      const board: Board = {
        path,
        baud: link.baud,
        link,
        rows: portRows,
        parser: new FirmataParser('board'),
        inputs: new Map(portRows.filter((r) => r.kind !== 'output').map((r) => [r.id, {}])),
        players: new Map(),
      };
      for (const row of portRows.filter((r) => r.kind === 'output'))
        board.players.set(row.id, {
          row,
          player: new TunePlayer(ctx.clock, (on) => this.#setOutput(board, row, on)),
        });
      this.#boards.push(board);
      link.listen({
        open: (write) => this.#open(board, write),
        data: (b) => this.#data(board, b),
        closed: () => this.#closed(board),
      });
    }
  }

  async start(): Promise<void> {
    for (const b of this.#boards) b.link.start();
  }

  async stop(): Promise<void> {
    for (const b of this.#boards) {
      this.#closed(b);
      for (const { player } of b.players.values()) player.stop();
    }
    await Promise.all(this.#boards.map((b) => b.link.stop()));
  }

  health(): SourceStatus[] {
    return this.#boards.map((b) => this.#status(b));
  }

  output(o: OutputEvent): void {
    for (const b of this.#boards)
      for (const { row, player } of b.players.values()) {
        const tune = tuneFor(row, o.pattern);
        if (tune) player.play(tune);
      }
  }

  #status(b: Board): SourceStatus {
    const link = b.link.health();
    const devices = b.rows.map((r) => r.id);
    if (b.ready)
      return { source: 'firmata', devices, present: true, detail: describeBoard(b.path, b.ready.info) };
    if (!link.present) return { ...link, source: 'firmata', devices };
    return {
      source: 'firmata',
      devices,
      present: false,
      detail: b.asking?.silent ? noAnswer(b) : `port ${b.path} open, waiting for the Firmata handshake`,
    };
  }

  #open(b: Board, write: (bytes: Uint8Array) => void): void {
    this.#closed(b);
    b.write = write;
    b.parser = new FirmataParser('board');
    b.asking = { attempt: 0, got: {}, silent: false };
    this.#ask(b);
  }

  #closed(b: Board): void {
    b.write = undefined;
    b.asking?.cancel?.();
    b.asking = undefined;
    b.ready = undefined;
    for (const input of b.inputs.values()) {
      input.pending?.cancel();
      input.pending = undefined;
      input.analog = undefined;
    }
  }

  /** One handshake attempt: every query at once, then a wait for the answers. */
  #ask(b: Board): void {
    const a = b.asking;
    if (!a || !b.write) return;
    a.attempt++;
    this.counters.handshakeAttempts++;
    for (const q of [queryVersion(), queryFirmware(), queryCapabilities(), queryAnalogMapping()]) b.write(q);
    const wait =
      a.attempt < RETRIES
        ? this.#handshakeMs
        : Math.min(this.#capMs, this.#handshakeMs * 2 ** (a.attempt - RETRIES));
    a.cancel = this.ctx.clock.timer(this.ctx.clock.now() + wait, () => this.#unanswered(b));
  }

  #unanswered(b: Board): void {
    const a = b.asking;
    if (!a || b.ready) return;
    if (a.attempt >= RETRIES && !a.silent) {
      a.silent = true;
      this.ctx.log.warn({ port: b.path, attempts: a.attempt }, noAnswer(b));
      this.ctx.status(this.#status(b));
    }
    this.#ask(b);
  }

  #data(b: Board, bytes: Buffer): void {
    for (const m of b.parser.push(bytes)) {
      this.counters.messages++;
      const res = decodeMessage(m, 'board');
      if (!res.ok) {
        this.counters.badMessages++;
        this.ctx.log.debug({ port: b.path, reason: res.reason }, 'firmata: message refused');
        continue;
      }
      if (b.ready) this.#message(b, res.message);
      else this.#answer(b, res.message);
    }
  }

  #answer(b: Board, m: Message): void {
    const got = b.asking?.got;
    if (!got) return;
    if (m.type === 'version') got.version = { major: m.major, minor: m.minor };
    else if (m.type === 'firmware') got.firmware = { name: m.name, major: m.major, minor: m.minor };
    else if (m.type === 'capabilities') got.pins = m.pins;
    else if (m.type === 'analog-mapping') got.channels = m.channels;
    else if (m.type === 'string') this.#boardSays(b, m.text);
    if (got.pins && got.channels) this.#setUp(b, { ...got, pins: got.pins, channels: got.channels });
  }

  #setUp(b: Board, info: BoardInfo): void {
    b.asking?.cancel?.();
    b.asking = undefined;
    const plan = planPins(b.rows, info);
    for (const p of plan.problems)
      this.ctx.log.error({ device: p.row.id, port: b.path }, `${p.row.id}: ${p.why}; this row is not read`);
    const byPort = new Map<number, PinSetup[]>();
    const byChannel = new Map<number, PinSetup[]>();
    for (const s of plan.setups) {
      if (s.type === 'digital') byPort.set(portOf(s.pin), [...(byPort.get(portOf(s.pin)) ?? []), s]);
      if (s.type === 'analog') byChannel.set(s.channel, [...(byChannel.get(s.channel) ?? []), s]);
    }
    b.ready = { info, plan, byPort, byChannel };
    for (const bytes of plan.bytes) b.write?.(bytes);
    for (const { row, player } of b.players.values()) if (player.on) this.#setOutput(b, row, true);
    this.counters.handshakes++;
    const status = this.#status(b);
    this.ctx.log.info({ port: b.path, pins: info.pins.length, pinValue: plan.pinValue }, status.detail);
    this.ctx.status(status);
  }

  #message(b: Board, m: Message): void {
    const r = b.ready;
    if (!r) return;
    if (m.type === 'digital')
      for (const s of r.byPort.get(m.port) ?? []) this.#level(b, s.row, levelIn(m.value, s.pin));
    else if (m.type === 'analog')
      for (const s of r.byChannel.get(m.channel) ?? []) {
        if (s.type !== 'analog') continue;
        const input = b.inputs.get(s.row.id);
        if (!input) continue;
        input.analog = analogLevel(input.analog, m.value, s.threshold, s.hysteresis);
        this.#level(b, s.row, input.analog);
      }
    else if (m.type === 'string') this.#boardSays(b, m.text);
  }

  /** A level seen now; it becomes a Reading once it has held `debounce`. */
  #level(b: Board, row: FirmataRow, raw: boolean): void {
    const input = b.inputs.get(row.id);
    if (!input) return;
    const value = raw !== row.invert;
    if (value === input.reported) {
      input.pending?.cancel();
      input.pending = undefined;
      return;
    }
    if (input.pending?.value === value) return;
    input.pending?.cancel();
    const since = this.ctx.clock.now();
    if (row.debounce <= 0) {
      input.pending = undefined;
      this.#emit(row, input, value, since);
      return;
    }
    input.pending = {
      value,
      since,
      cancel: this.ctx.clock.timer(since + row.debounce, () => {
        input.pending = undefined;
        this.#emit(row, input, value, since);
      }),
    };
  }

  #emit(row: FirmataRow, input: Input, value: boolean, since: number): void {
    input.reported = value;
    if (row.kind === 'button' && !value) return;
    this.counters.readings++;
    this.ctx.reading({
      device: row.id,
      at: since,
      // Only input rows are read: an output row is never emitted.
      kind: row.kind as Exclude<FirmataRow['kind'], 'output'>,
      value: row.kind === 'button' ? 'press' : value,
    });
  }

  #setOutput(b: Board, row: FirmataRow, on: boolean): void {
    const r = b.ready;
    const s = r?.plan.setups.find((x) => x.row === row);
    if (!r || !s) return;
    for (const bytes of writePin(r.plan, s.pin, on)) b.write?.(bytes);
  }

  /** What the board prints (StandardFirmata's own complaints): a few lines a minute at most. */
  #boardSays(b: Board, text: string): void {
    this.counters.boardStrings++;
    this.#said('board', (held) => {
      if (held) this.ctx.log.warn({ suppressed: held }, 'firmata: more board lines not logged');
      this.ctx.log.warn({ port: b.path }, `firmata board says: ${text}`);
    });
  }
}

function noAnswer(b: Board): string {
  return `no Firmata answer on ${b.path}: is StandardFirmata flashed, is the baud ${b.baud}?`;
}

function describeBoard(path: string, info: BoardInfo): string {
  const fw = info.firmware
    ? `${info.firmware.name} ${info.firmware.major}.${info.firmware.minor}`
    : 'Firmata';
  const proto = info.version ? ` (protocol ${info.version.major}.${info.version.minor})` : '';
  return `${fw}${proto} on ${path}, ${info.pins.length} pins`;
}
