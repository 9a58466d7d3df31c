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

export type RateLimit = {
  /** Lines per key in one window (1). */
  lines?: number;
  /**
   * Windows are the clock's own (whole minutes for a minute), where by default a window opens
   * with the first line written after the last one closed.
   */
  onTheClock?: boolean;
};

/**
 * At most `lines` lines per `key` every `everyMs`; the first line of the next window is told how
 * many were held back in between (`held`), to say so as it sees fit.
 */
export function rateLimited(everyMs: number, now: () => number, o: RateLimit = {}) {
  const lines = o.lines ?? 1;
  const windows = new Map<string, { at: number; written: number; held: number }>();
  return (key: string, write: (held: number) => void): void => {
    const t = now();
    const w = windows.get(key);
    if (w && t - w.at < everyMs) {
      if (w.written >= lines) w.held++;
      else {
        w.written++;
        write(0);
      }
      return;
    }
    write(w?.held ?? 0);
    windows.delete(key);
    windows.set(key, { at: o.onTheClock ? t - (t % everyMs) : t, written: 1, held: 0 });
    if (windows.size > MAX_KEYS) windows.delete(windows.keys().next().value as string);
  };
}
