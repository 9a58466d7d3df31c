// Structured logging: JSON lines for journald and machines, readable lines on a terminal.
// Secrets never reach a log line: known secret fields are redacted wherever they appear.
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
