// Custom jsonl firmware without the board: prints {"sensor","kind","value","seq"} lines as the
// pattern says, one when the value changes and one every `everyMs` besides (a heartbeat).
import { KIND_VALUE, type Kind } from '../../config/device-fields.ts';
import { type Pattern, type Step, stepAt, truthy } from './pattern.ts';

export type JsonlSimOptions = {
  write: (bytes: Uint8Array) => void;
  sensor: string;
  kind: Kind;
  pattern: Pattern;
  /** How often a line goes out even when nothing changed. */
  everyMs?: number;
  /** How often the pattern is looked at. */
  tickMs?: number;
  now?: () => number;
};

export class JsonlSim {
  seq = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #start = 0;
  #last: { value: unknown; at: number } | undefined;
  #now: () => number;

  constructor(private readonly opts: JsonlSimOptions) {
    this.#now = opts.now ?? Date.now;
  }

  start(): void {
    this.#start = this.#now();
    this.#last = undefined;
    this.tick();
    this.#timer ??= setInterval(() => this.tick(), this.opts.tickMs ?? 100);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  tick(): void {
    const now = this.#now();
    const value = valueFor(this.opts.kind, stepAt(this.opts.pattern, now - this.#start).value);
    const last = this.#last;
    if (last && last.value === value && now - last.at < (this.opts.everyMs ?? 1_000)) return;
    this.#last = { value, at: now };
    this.seq++;
    const line = JSON.stringify({ sensor: this.opts.sensor, kind: this.opts.kind, value, seq: this.seq });
    this.opts.write(Buffer.from(`${line}\n`));
  }
}

/** A pattern step as a value of the kind's type: present -> true, or 1 for a number kind. */
export function valueFor(kind: Kind, v: Step['value']): boolean | number | string {
  const want = KIND_VALUE[kind];
  if (want === 'boolean') return truthy(v);
  if (want === 'number') return typeof v === 'number' ? v : truthy(v) ? 1 : 0;
  return typeof v === 'string' ? v : truthy(v) ? 'pressed' : 'released';
}
