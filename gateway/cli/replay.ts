// `hearth replay --config FILE --input EVENTS.jsonl [--until ISO] [--db FILE]`: every message
// the rules emit, as JSON lines on stdout. With --db a replay stopped early resumes where it was.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { parseDuration } from '../../config/values.ts';
import { createLogger } from '../../core/log.ts';
import { EXIT } from '../../core/process.ts';
import { replay } from '../engine/replay.ts';
import { Store } from '../store/store.ts';
import { problemsText } from './check-config.ts';

export type ReplayOptions = { config: string; input: string; until?: string; db?: string; ackAfter?: string };

export async function replayCommand(o: ReplayOptions, write: (line: string) => void): Promise<number> {
  const { config, problems } = loadConfig(o.config, { strictRefs: false });
  if (!config) {
    process.stderr.write(`${problemsText(o.config, problems)}\n`);
    return EXIT.badInput;
  }
  const until = o.until === undefined ? undefined : Date.parse(o.until);
  if (until !== undefined && Number.isNaN(until)) {
    process.stderr.write(`--until ${o.until}: not an ISO 8601 time such as 2026-03-02T07:00:00Z\n`);
    return EXIT.badInput;
  }
  const ackAfterMs = o.ackAfter === undefined ? undefined : parseDuration(o.ackAfter);
  if (o.ackAfter !== undefined && ackAfterMs === undefined) {
    process.stderr.write(`--ack-after ${o.ackAfter}: not a duration such as 15m or 1h30m\n`);
    return EXIT.badInput;
  }
  let text: string;
  try {
    text = readFileSync(o.input, 'utf8');
  } catch (e) {
    process.stderr.write(`${o.input}: cannot be read (${(e as NodeJS.ErrnoException).code ?? e})\n`);
    return EXIT.badInput;
  }
  const tmp = o.db ? undefined : mkdtempSync(join(tmpdir(), 'hearth-replay-'));
  try {
    const store = Store.open(o.db ?? join(tmp as string, 'replay.db'), { durability: 'off' });
    try {
      const r = replay({
        config,
        store,
        lines: text.split('\n'),
        until,
        log: createLogger({ level: process.env.HEARTH_LOG_LEVEL ?? 'warn' }),
        deliver: (m) => write(JSON.stringify(m.payload)),
        summaries: true,
        deliverSummary: (m) => write(JSON.stringify(m)),
        deliverNight: (m) => write(JSON.stringify(m)),
        skipped: (n, why) => process.stderr.write(`${o.input}:${n}: ${why}; line skipped\n`),
        ackAfterMs,
      });
      if (r.skipped) process.stderr.write(`${o.input}: ${r.skipped} line(s) skipped\n`);
    } finally {
      store.close();
    }
    return EXIT.ok;
  } catch (e) {
    process.stderr.write(`hearth replay: ${(e as Error).message}\n`);
    return EXIT.failed;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
