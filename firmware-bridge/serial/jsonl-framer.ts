// Finds the JSON objects in a board's line stream: one per line, as the firmware prints them.
// A line is cut at '\n'; noise before an object on its line (boot garbage, a line the board was
// printing when it reset) is skipped by starting at a later '{', and a run with no newline longer
// than a line can be keeps only what may still begin one: line noise never costs a later line.
import { Transform, type TransformCallback } from 'node:stream';
import { parseJson } from '../../core/json.ts';

/** Longest line kept; longer ones (a firmware that never prints a newline) are dropped. */
export const MAX_LINE = 1024;

/**
 * A line's JSON, bounded: a firmware's line is one flat object, so a line nested deeper than this
 * is noise, and whatever walks it later (a log line, a comparison) cannot overflow the stack.
 */
export const LINE_JSON = { maxBytes: 4 * MAX_LINE, maxDepth: 16 };

export type JsonlFramerStats = { lines: number; droppedBytes: number };

export class JsonlFramer extends Transform {
  #held: Buffer = Buffer.alloc(0);
  readonly stats: JsonlFramerStats = { lines: 0, droppedBytes: 0 };

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let buf = this.#held.length > 0 ? Buffer.concat([this.#held, chunk]) : chunk;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a)) {
      const line = buf.subarray(0, nl).toString('utf8').replace(/\r$/, '');
      buf = buf.subarray(nl + 1);
      if (line.trim() === '') continue;
      this.stats.lines++;
      this.push(line);
    }
    if (buf.length > MAX_LINE) {
      // A line can only begin at a '{': keep from the last one, if a line could still follow it.
      const brace = buf.lastIndexOf(0x7b);
      const keep = brace >= 0 && buf.length - brace <= MAX_LINE ? brace : buf.length;
      this.stats.droppedBytes += keep;
      buf = buf.subarray(keep);
    }
    // Copy, so a large chunk is not kept alive by the few bytes held back.
    this.#held = Buffer.from(buf);
    done();
  }

  override _flush(done: TransformCallback): void {
    this.stats.droppedBytes += this.#held.length;
    this.#held = Buffer.alloc(0);
    done();
  }
}

/**
 * The object a line holds: the whole line, or else the longest tail of it that starts at a '{'
 * and parses, so garbage in front of a good object costs nothing. Undefined when none parses.
 */
export function objectIn(line: string): { value: unknown; skipped: number } | undefined {
  for (let at = line.indexOf('{'); at >= 0; at = line.indexOf('{', at + 1)) {
    const r = parseJson(line.slice(at), LINE_JSON);
    if (r.ok) return { value: r.value, skipped: at };
  }
  return undefined;
}
