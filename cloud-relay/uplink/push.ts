// A direct path to carers for urgent alerts: an ntfy-compatible HTTP POST, queued in a queue of
// its own beside the trust's (so it survives restarts) and retried until the server takes it.
// The trust broker remains the record; this only makes sure a person's phone rings.
import { resolveSecret } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { backoff } from '../../core/backoff.ts';
import type { Cancel, Clock } from '../../core/clock.ts';
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import type { AlertMessage } from '../protocol/messages.ts';
import type { NewOutboxRow, Queue } from './outbox.ts';

export type PushConfig = NonNullable<NonNullable<Config['relay']>['push']>;

const SEVERITY_RANK = { info: 0, warning: 1, urgent: 2 } as const;
const PUSHED_STATES = new Set(['raised', 'escalated']);
export const PUSH_RETRY_CAP_MS = 10 * 60_000;
/** The name of the pushes' queue in the outbox: the relay never sees it. */
export const PUSH_QUEUE = 'push';

/** The push an alert state causes, if any. Pure. */
export function pushRowFor(m: AlertMessage, push: PushConfig, now: number): NewOutboxRow | undefined {
  if (!PUSHED_STATES.has(m.state) || SEVERITY_RANK[m.severity] < SEVERITY_RANK[push.severity])
    return undefined;
  const body = {
    title: `Hearth ${m.gateway}: ${m.state === 'escalated' ? 'escalated ' : ''}${m.rule.replace(/_/g, ' ')}`,
    message: m.reason,
    priority: m.severity === 'urgent' ? 5 : 4,
    tags: ['warning'],
    alert_id: m.alert_id,
  };
  return { id: `${m.id}:push`, topic: 'push', type: 'push', payload: JSON.stringify(body), created_at: now };
}

/** Sends queued pushes one by one, oldest first, removing each only on a 2xx answer. */
export class Pusher {
  #attempt = 0;
  #timer: Cancel | null = null;
  #busy = false;
  #stopped = false;

  constructor(
    private readonly d: {
      push: PushConfig;
      /** The pushes' queue (PUSH_QUEUE). */
      queue: Queue;
      clock: Clock;
      log: Logger;
      counters: Counters;
      fetch?: typeof fetch;
    },
  ) {}

  kick(): void {
    if (!this.#busy && !this.#stopped) void this.#send();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.();
  }

  async #send(): Promise<void> {
    const { queue, push, log, counters, clock } = this.d;
    this.#busy = true;
    try {
      for (;;) {
        const row = queue.peekAfter(0, 1)[0];
        if (!row || this.#stopped) return;
        const { message, title, priority } = JSON.parse(row.payload) as {
          message: string;
          title: string;
          priority: number;
        };
        const headers: Record<string, string> = { Title: title, Priority: String(priority), Tags: 'warning' };
        if (push.token) headers.Authorization = `Bearer ${resolveSecret(push.token)}`;
        let ok = false;
        let why = '';
        try {
          const res = await (this.d.fetch ?? fetch)(push.url, {
            method: 'POST',
            headers,
            body: message,
            signal: AbortSignal.timeout(10_000),
          });
          ok = res.ok;
          why = `HTTP ${res.status}`;
        } catch (err) {
          why = (err as Error).message;
        }
        if (!ok) {
          this.#attempt++;
          counters.add('push.failed');
          log.warn({ attempt: this.#attempt }, `push to carers failed (${why}); retrying`);
          this.#timer = clock.timer(clock.now() + backoff(this.#attempt, PUSH_RETRY_CAP_MS), () =>
            this.kick(),
          );
          return;
        }
        this.#attempt = 0;
        queue.unit(() => queue.remove(row.seq), false);
        counters.add('push.sent');
      }
    } finally {
      this.#busy = false;
    }
  }
}
