// A monitoring screen's session can end while its page sits open on the live stream: past its
// 12 hours, signed out on another page, or deleted by an admin. Nothing the page does would show
// it until its next refresh, which may be hours away on a quiet night. So on a keep-alive tick
// the server checks each screen stream's session on the hub's clock and, once it is gone, tells
// the page (event `signed-out`) and closes the stream: the page shows its signed-out state at once.
import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { ConsoleDb } from '../console-tables.ts';
import { type SessionLimits, sessionLive } from './sessions.ts';

/** As often as the live feed's keep-alive comment (live-feed.ts). */
export const STREAM_CHECK_MS = 20_000;

export class StreamWatch {
  readonly #streams = new Map<ServerResponse, string>();
  readonly #timer: NodeJS.Timeout;
  #checking = false;

  constructor(
    private readonly db: Kysely<ConsoleDb>,
    private readonly now: () => number,
    private readonly limits: SessionLimits,
    everyMs: number,
    private readonly onError: (e: Error) => void,
  ) {
    this.#timer = setInterval(() => void this.check(), everyMs);
    this.#timer.unref();
  }

  /** Watches an open stream of this session until it closes. */
  watch(res: ServerResponse, session: string): void {
    this.#streams.set(res, session);
    res.on('close', () => this.#streams.delete(res));
  }

  /** One look at every watched stream; a look still running skips the tick. */
  async check(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      const now = this.now();
      for (const [res, session] of [...this.#streams]) {
        if (await sessionLive(this.db, session, now, this.limits)) continue;
        this.#streams.delete(res);
        res.end('event: signed-out\ndata: {}\n\n');
      }
    } catch (e) {
      this.onError(e as Error);
    } finally {
      this.#checking = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#streams.clear();
  }
}
