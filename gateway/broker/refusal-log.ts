// At most a few log lines a minute for each kind of refusal: a guesser or a flood must not fill
// the journal (the counters count every one), and the next line says how many were held back.
import { rateLimited } from '../../core/log.ts';

/** Lines of one kind a minute. Kinds are the broker's own words, never a client's: few keys. */
const PER_MINUTE = 10;

export type Refusals = {
  /** A warning, at most a few a minute of each kind. */
  warn(kind: string, fields: Record<string, unknown>, msg: string): void;
  /** A refusal: counted, every one (the kind is the counter), and logged a few times a minute. */
  refused(kind: string, fields: Record<string, unknown>, msg: string): void;
};

export function refusalLog(
  log: { warn(fields: Record<string, unknown>, msg: string): void },
  counters: { add(name: string): void },
  now: () => number,
): Refusals {
  const limit = rateLimited(60_000, now, { lines: PER_MINUTE, onTheClock: true });
  const warn: Refusals['warn'] = (kind, fields, msg) =>
    limit(kind, (held) => log.warn(held ? { ...fields, not_logged_before: held } : fields, msg));
  return {
    warn,
    refused: (kind, fields, msg) => {
      counters.add(kind);
      warn(kind, fields, msg);
    },
  };
}
