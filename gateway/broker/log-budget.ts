// At most a few log lines a minute for each kind of refusal: a guesser or a flood must not fill
// the journal (the counters count every one), and the next line says how many were held back.

export class LogBudget {
  /** Kinds are the broker's own words, never a client's, so this map stays small. */
  #windows = new Map<string, { minute: number; written: number; held: number }>();

  constructor(private readonly perMinute = 10) {}

  /** Whether a line of `kind` may be written at `now`, and how many of its kind were held back. */
  take(kind: string, now: number): { ok: true; held: number } | { ok: false } {
    const minute = Math.floor(now / 60_000);
    const w = this.#windows.get(kind);
    if (!w || w.minute !== minute) {
      this.#windows.set(kind, { minute, written: 1, held: 0 });
      return { ok: true, held: w?.held ?? 0 };
    }
    if (w.written >= this.perMinute) {
      w.held++;
      return { ok: false };
    }
    w.written++;
    const held = w.held;
    w.held = 0;
    return { ok: true, held };
  }
}

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
  const budget = new LogBudget();
  const warn: Refusals['warn'] = (kind, fields, msg) => {
    const t = budget.take(kind, now());
    if (t.ok) log.warn(t.held ? { ...fields, not_logged_before: t.held } : fields, msg);
  };
  return {
    warn,
    refused: (kind, fields, msg) => {
      counters.add(kind);
      warn(kind, fields, msg);
    },
  };
}
