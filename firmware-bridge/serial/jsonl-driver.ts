// Custom firmware printing one JSON object per line:
//   {"sensor":"chair1","kind":"chair","value":true,"seq":12}
// Lines are matched to rows by port and `sensor`; the value's type is checked against the kind.
// A bad line is a value: counted, logged a few times a minute at most, never fatal.
import { KIND_VALUE, KINDS, type Kind } from '../../config/device-fields.ts';
import { jsonDepth, parseJson } from '../../core/json.ts';
import { type Reading, rowTakes } from '../../core/reading.ts';
import { type Driver, type DriverContext, deviceProblemLog, type SourceStatus } from '../driver.ts';
import { JsonlFramer, LINE_JSON, objectIn } from './jsonl-framer.ts';
import type { SerialLink, SerialPorts } from './port.ts';

export type JsonlRow = { id: string; port: string; sensor: string; kind: Kind | 'output'; baud: number };

export type JsonlCounters = {
  lines: number;
  readings: number;
  invalid: number;
  unknownSensor: number;
  seqGaps: number;
};

type Line =
  | { ok: true; sensor: string; kind?: string; value: unknown; seq?: number }
  | { ok: false; why: string };

/** Pure: the fields of one line, or why it is not a line at all. */
export function parseLine(text: string): Line {
  let v: unknown;
  const whole = parseJson(text, LINE_JSON);
  if (whole.ok) v = whole.value;
  else {
    const found = objectIn(text);
    if (!found) {
      const deep = jsonDepth(text, LINE_JSON.maxDepth) > LINE_JSON.maxDepth;
      return { ok: false, why: deep ? whole.reason : 'not JSON' };
    }
    v = found.value;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, why: 'not an object' };
  const o = v as Record<string, unknown>;
  if (typeof o.sensor !== 'string' || o.sensor === '') return { ok: false, why: 'no sensor' };
  if (o.kind !== undefined && typeof o.kind !== 'string') return { ok: false, why: 'kind not a string' };
  if (o.seq !== undefined && !Number.isSafeInteger(o.seq)) return { ok: false, why: 'seq not an integer' };
  return {
    ok: true,
    sensor: o.sensor,
    value: o.value,
    ...(o.kind === undefined ? {} : { kind: o.kind as string }),
    ...(o.seq === undefined ? {} : { seq: o.seq as number }),
  };
}

/** Pure: the kind a line reports for a row, or why it may not. */
export function checkValue(rowKind: Kind, lineKind: string | undefined, value: unknown): Kind | string {
  const k = (lineKind ?? rowKind) as Kind;
  if (!KINDS.includes(k)) return `unknown kind ${lineKind}`;
  // A board's radar that also detects falls may print them under its presence row's sensor.
  if (!rowTakes(rowKind, k)) return `kind ${k} on a ${rowKind} row`;
  const want = KIND_VALUE[k];
  if (typeof value !== want || (want === 'number' && !Number.isFinite(value)))
    return `value ${JSON.stringify(value)} is not a ${want} for ${k}`;
  return k;
}

export class JsonlDriver implements Driver {
  readonly name = 'jsonl';
  readonly counters: JsonlCounters = { lines: 0, readings: 0, invalid: 0, unknownSensor: 0, seqGaps: 0 };
  #links: SerialLink[] = [];
  #limit: ReturnType<typeof deviceProblemLog>;

  constructor(
    rows: JsonlRow[],
    ports: SerialPorts,
    private readonly ctx: DriverContext,
  ) {
    this.#limit = deviceProblemLog(ctx.clock);
    const byPort = new Map<string, JsonlRow[]>();
    for (const r of rows) byPort.set(r.port, [...(byPort.get(r.port) ?? []), r]);
    for (const portRows of byPort.values()) {
      const links = portRows.map((r) => ports.link({ ...r, source: 'jsonl' }));
      const link = links[0];
      if (!link) continue;
      this.#links.push(link);
      this.#attach(link, portRows);
    }
  }

  async start(): Promise<void> {
    for (const l of this.#links) l.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#links.map((l) => l.stop()));
  }

  health(): SourceStatus[] {
    return this.#links.map((l) => l.health());
  }

  #attach(link: SerialLink, rows: JsonlRow[]): void {
    const bySensor = new Map(rows.map((r) => [r.sensor, r]));
    const seqs = new Map<string, number>();
    let framer = this.#framer(link.path, bySensor, seqs);
    link.listen({
      open: () => {
        framer = this.#framer(link.path, bySensor, seqs);
      },
      data: (b) => framer.write(b),
    });
  }

  #framer(path: string, bySensor: Map<string, JsonlRow>, seqs: Map<string, number>): JsonlFramer {
    const framer = new JsonlFramer();
    framer.on('data', (text: string) => this.#line(path, text, bySensor, seqs));
    return framer;
  }

  #line(path: string, text: string, bySensor: Map<string, JsonlRow>, seqs: Map<string, number>): void {
    if (text.trim() === '') return;
    this.counters.lines++;
    const line = parseLine(text);
    if (!line.ok) {
      this.#invalid(path, line.why, text);
      return;
    }
    const row = bySensor.get(line.sensor);
    if (!row) {
      this.counters.unknownSensor++;
      this.#rateLimited({ port: path, sensor: line.sensor }, `unknown sensor ${line.sensor}`);
      return;
    }
    const kind =
      row.kind === 'output' ? `${row.id} is an output` : checkValue(row.kind, line.kind, line.value);
    if (!KINDS.includes(kind as Kind)) {
      this.#invalid(path, kind, text);
      return;
    }
    if (line.seq !== undefined) this.#seq(row, line.seq, seqs);
    this.counters.readings++;
    // checkValue has checked the kind and that the value is of its type.
    const reading = { device: row.id, at: this.ctx.clock.now(), kind: kind as Kind, value: line.value };
    this.ctx.reading(reading as Reading);
  }

  #seq(row: JsonlRow, seq: number, seqs: Map<string, number>): void {
    const last = seqs.get(row.sensor);
    seqs.set(row.sensor, seq);
    if (last === undefined || seq === last + 1) return;
    this.counters.seqGaps++;
    const msg =
      seq <= last
        ? `${row.id}: seq went back from ${last} to ${seq} (firmware restarted?)`
        : `${row.id}: ${seq - last - 1} line(s) lost (seq ${last} -> ${seq})`;
    this.#rateLimited({ device: row.id, last, seq }, msg);
  }

  #invalid(path: string, why: string, text?: string): void {
    this.counters.invalid++;
    this.#rateLimited({ port: path, line: text?.slice(0, 120) }, `invalid jsonl line: ${why}`);
  }

  /** At most a few lines a minute; the rest are counted and summed up in the next window. */
  #rateLimited(fields: Record<string, unknown>, msg: string): void {
    this.#limit('problems', (held) => {
      if (held) this.ctx.log.warn({ suppressed: held }, 'jsonl: more problems not logged');
      this.ctx.log.warn(fields, msg);
    });
  }
}
