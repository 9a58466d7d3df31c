// The hub's own logger: JSON lines (journald, a log shipper), secrets redacted by field name.
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export function hubLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.HEARTH_LOG_LEVEL ?? 'info',
      redact: { paths: ['password', '*.password', 'url', '*.url', 'key', '*.key'], censor: '[secret]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    (opts.destination ?? process.stderr) as pino.DestinationStream,
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
