// Urgent alerts told directly to the carers assigned to the resident: an ntfy-compatible POST to
// each carer's own push address (the body is the reason, headers carry title, priority and a
// link to the alert in the console). Sent by the instance that stored the alert state, so once;
// retried a few times, then given up with a log line and an audit entry. The console's queue
// and the hub's database remain the record; a push only makes a phone ring.
import type { Kysely } from 'kysely';
import type { Logger } from '../../core/log.ts';
import { audit } from './audit.ts';
import type { ConsoleDb } from './console-tables.ts';

export type PushRequest = { carer: string; url: string; headers: Record<string, string>; body: string };

type AlertFacts = {
  gateway: string;
  alert_id: string;
  rule: string;
  state: string;
  severity: string;
  reason: string;
  resident: string;
  room: string | null;
};

const PUSHED_STATES = new Set(['raised', 'escalated']);

/** The pushes one alert state causes. Pure. */
export function pushesFor(
  a: AlertFacts,
  carers: { name: string; push_url: string }[],
  base: string,
): PushRequest[] {
  if (!PUSHED_STATES.has(a.state) || a.severity !== 'urgent') return [];
  const link = `${base.replace(/\/$/, '')}/alerts/${encodeURIComponent(a.gateway)}/${encodeURIComponent(a.alert_id)}`;
  const what = a.rule.replace(/_/g, ' ');
  return carers.map((c) => ({
    carer: c.name,
    url: c.push_url,
    headers: {
      Title: `Hearth ${a.resident}: ${a.state === 'escalated' ? 'escalated ' : ''}${what}${a.room ? ` (${a.room})` : ''}`,
      Priority: '5',
      Tags: 'warning',
      Click: link,
    },
    body: a.reason,
  }));
}

export type CarerPushDeps = {
  db: Kysely<ConsoleDb>;
  log: Logger;
  now: () => number;
  /** Where carers open the console; known once the web listener listens. */
  base: () => string;
  fetch?: typeof fetch;
  retryMs?: number[];
};

export class CarerPush {
  #inFlight = new Set<Promise<void>>();
  constructor(private readonly d: CarerPushDeps) {}

  /** After an alert state was stored by this instance. */
  alertStored(a: { gateway: string; alertId: string; state: string; moved: boolean }): void {
    if (!a.moved || !PUSHED_STATES.has(a.state)) return;
    const p = this.#push(a.gateway, a.alertId).catch((err) =>
      this.d.log.error({ err: (err as Error).message }, 'console: push to carers failed'),
    );
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  async #push(gateway: string, alertId: string): Promise<void> {
    const { db } = this.d;
    const a = await db
      .selectFrom('alerts')
      .selectAll()
      .where('gateway', '=', gateway)
      .where('alert_id', '=', alertId)
      .executeTakeFirst();
    if (!a) return;
    const carers = await db
      .selectFrom('staff_residents')
      .innerJoin('staff', 'staff.name', 'staff_residents.staff')
      .select(['staff.name', 'staff.push_url'])
      .where('staff_residents.resident', '=', a.resident)
      .where('staff.role', '=', 'carer')
      .where('staff.disabled', '=', 0)
      .where('staff.push_url', 'is not', null)
      .execute();
    const targets = carers.flatMap((c) => (c.push_url ? [{ name: c.name, push_url: c.push_url }] : []));
    await Promise.all(pushesFor(a, targets, this.d.base()).map((p) => this.#send(p, a)));
  }

  async #send(p: PushRequest, a: AlertFacts): Promise<void> {
    const waits = this.d.retryMs ?? [1_000, 5_000, 30_000];
    let why = '';
    for (let attempt = 0; attempt <= waits.length; attempt++) {
      try {
        const res = await (this.d.fetch ?? fetch)(p.url, {
          method: 'POST',
          headers: p.headers,
          body: p.body,
          signal: AbortSignal.timeout(10_000),
        });
        if (res.ok) {
          await audit(
            this.d.db,
            {
              staff: p.carer,
              action: 'push',
              resident: a.resident,
              target: `${a.gateway}/${a.alert_id}`,
              outcome: 'ok',
              detail: a.state,
            },
            this.d.now(),
          );
          return;
        }
        why = `HTTP ${res.status}`;
      } catch (err) {
        why = (err as Error).message;
      }
      const wait = waits[attempt];
      if (wait === undefined) break;
      await new Promise((r) => setTimeout(r, wait));
    }
    this.d.log.warn(
      { carer: p.carer, alert_id: a.alert_id },
      `console: push to ${p.carer} failed (${why}); gave up`,
    );
    await audit(
      this.d.db,
      {
        staff: p.carer,
        action: 'push',
        resident: a.resident,
        target: `${a.gateway}/${a.alert_id}`,
        outcome: 'failed',
        detail: why,
      },
      this.d.now(),
    );
  }

  /** Waits for pushes under way (at most their retries). */
  async stop(): Promise<void> {
    await Promise.all(this.#inFlight);
  }
}
