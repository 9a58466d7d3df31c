// Exit codes at the top only: 0 done, 1 failed while running, 2 refused input (file, usage).
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/** Writes to stdout and resolves once the text has left, so a following exit cannot truncate it. */
export const out = (text: string): Promise<void> =>
  new Promise((resolve) =>
    process.stdout.write(`${text}\n`) ? resolve() : process.stdout.once('drain', resolve),
  );

/** Writes to stdout as it is (output streamed in pieces), resolving once it has left. */
export const write = (text: string): Promise<void> =>
  new Promise((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once('drain', resolve)));

export type StopSignal = Promise<NodeJS.Signals> & {
  /** Removes the handlers without waiting for a signal (the command ends another way). */
  release(): void;
};

/**
 * Resolves with the first SIGINT or SIGTERM. Made before anything starts: whoever started the
 * process may signal the instant it reads a line of ours, before another line has run.
 */
export function stopSignal(): StopSignal {
  let on: (s: NodeJS.Signals) => void = () => {};
  const release = () => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    on = (s) => {
      release();
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  return Object.assign(signalled, { release });
}
