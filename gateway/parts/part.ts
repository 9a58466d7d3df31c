// A part of the running gateway: a named piece with a start and a stop. The gateway is a list of
// them (gateway/main.ts), started in order by one runner and stopped in reverse.
import type { Logger } from '../../core/log.ts';
import type { Bus, BusEvents } from '../bus.ts';

export type Part = {
  readonly name: string;
  start(signal: AbortSignal): void | Promise<void>;
  stop(): void | Promise<void>;
};

/** A part that opens something the parts after it use (the store, the local broker). */
export type Opening<T> = {
  readonly name: string;
  open(): T | Promise<T>;
  close(opened: T): void | Promise<void>;
};

/** Something that already has a start and a stop (a driver, the relay) as a part of that name. */
export const asPart = (
  name: string,
  o: { start(signal: AbortSignal): void | Promise<void>; stop(): void | Promise<void> },
): Part => ({ name, start: (signal) => o.start(signal), stop: () => o.stop() });

/** A part that listens to one kind of bus event while it runs. */
export function listening<K extends keyof BusEvents>(
  name: string,
  bus: Bus,
  kind: K,
  fn: (payload: BusEvents[K]) => void,
): Part {
  let off = () => {};
  return {
    name,
    start: () => {
      off = bus.on(kind, fn);
    },
    stop: () => off(),
  };
}

/** Starts parts in order and stops the started ones in reverse; a part that fails to stop is logged. */
export class PartRunner {
  readonly #started: Part[] = [];
  readonly #abort = new AbortController();

  constructor(private readonly log: Logger) {}

  /** Opens what later parts need; it is closed with the others, in its turn. */
  async open<T>(o: Opening<T>): Promise<T> {
    const opened = await o.open();
    this.#started.push({ name: o.name, start: () => {}, stop: () => o.close(opened) });
    return opened;
  }

  async start(parts: readonly Part[]): Promise<void> {
    for (const part of parts) {
      await part.start(this.#abort.signal);
      this.#started.push(part);
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    while (this.#started.length) {
      const part = this.#started.pop() as Part;
      try {
        await part.stop();
        this.log.debug({ part: part.name }, 'stopped');
      } catch (err) {
        this.log.error({ err, part: part.name }, 'failed to stop cleanly');
      }
    }
  }
}
