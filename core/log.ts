// Structured logging for both ends, the home and the hub: JSON lines for journald and machines,
// readable lines on a terminal. Secrets never reach a log line: known secret fields are redacted
// wherever they appear (one list for both ends). pino is the one library core/ may use.
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'bindkey',
  '*.bindkey',
  '*.*.bindkey',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'key',
  '*.key',
  // A database or broker URL may hold a password.
  'url',
  '*.url',
];

export type LogOptions = { level?: string; pretty?: boolean; destination?: NodeJS.WritableStream };

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? process.env.HEARTH_LOG_LEVEL ?? 'info';
  const redact = { paths: REDACT, censor: '[secret]' };
  const dest = opts.destination ?? process.stderr;
  const pretty = opts.pretty ?? (dest === process.stderr && process.stderr.isTTY === true);
  if (pretty) {
    return pino(
      { level, redact, base: undefined },
      pino.transport({
        target: 'pino-pretty',
        options: { destination: 2, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
      }),
    );
  }
  return pino(
    { level, redact, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    dest as pino.DestinationStream,
  );
}

/** Keys remembered at most: keys are made of what homes send, so their number is theirs to choose. */
const MAX_KEYS = 1000;

/** At most one line per `key` every `everyMs`, with how many were held back in between. */
export function rateLimited(everyMs: number, now: () => number) {
  const last = new Map<string, { at: number; held: number }>();
  return (key: string, write: (held: number) => void): void => {
    const t = now();
    const s = last.get(key);
    if (s && t - s.at < everyMs) {
      s.held++;
      return;
    }
    write(s?.held ?? 0);
    last.delete(key);
    last.set(key, { at: t, held: 0 });
    if (last.size > MAX_KEYS) last.delete(last.keys().next().value as string);
  };
}
