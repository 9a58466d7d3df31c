// Sends the push outbox, on every hub instance: each pass claims the rows due (push-outbox.ts),
// hands each to its channel's transport, and records the outcome with the claim still held. A
// push that fails is tried again after a wait that grows; after the last attempt the failure is
// final: written to the audit log and raised as a hub alert in the console, in one transaction.
// Time is the injected clock's: the timer only says when to look.
import { safeText } from '../../core/json.ts';
import type { Logger } from '../../core/log.ts';
import { audit } from './audit.ts';
import { claimDue, markFailed, markRetry, markSent, type PushRow } from './push-outbox.ts';
import { type PushPayload, pushPayload } from './push-plan.ts';
import { type PushChannel, pushTx } from './push-tables.ts';
import type { HubStore } from './store.ts';
import type { Tx } from './store-apply.ts';

export type Delivery = { ok: true } | { ok: false; error: string; gone?: boolean };
/** Sends one row's payload on its channel; a refusal is a value, a thrown error counts as one. */
export type PushTransport = (row: PushRow, p: PushPayload) => Promise<Delivery>;

export type PushSenderDeps = {
  store: HubStore;
  log: Logger;
  now: () => number;
  instance: string;
  /** PostgreSQL: claims skip rows another instance holds. */
  skipLocked: boolean;
  transports: Partial<Record<PushChannel, PushTransport>>;
  /** The wait after each failed attempt; one attempt more than waits. */
  retryMs?: number[];
  /** How long a claim lasts: well beyond a transport's own time limit. */
  leaseMs?: number;
  /** How often to look for rows due (others' too: another instance may have written them). */
  pollMs?: number;
  /** A destination the push service says is gone for good (a web push subscription): forget it. */
  forget?: (t: Tx, row: PushRow, p: PushPayload) => Promise<void>;
  /** After this instance raised a hub alert (the console's live pages). */
  onHubAlert?: () => void;
};

export const DEFAULT_RETRY_MS = [5_000, 30_000, 120_000, 600_000];
const LEASE_MS = 60_000;
const BATCH = 50;

export type PushPass = { sent: number; retried: number; failed: number };

type Outcome = 'sent' | 'retried' | 'failed' | 'lost';

const describe = (p: PushPayload) =>
  p.about.kind === 'alert'
    ? `the urgent alert ${p.about.alert_id} of resident ${p.about.resident}`
    : `the hub alert "${p.about.hub_kind.replace(/_/g, ' ')}" (${p.about.gateway})`;

const targetOf = (p: PushPayload) =>
  p.about.kind === 'alert' ? `${p.about.gateway}/${p.about.alert_id}` : `hub/${p.about.key}`;

export class PushSender {
  readonly #d: PushSenderDeps;
  #running: Promise<PushPass> = Promise.resolve({ sent: 0, retried: 0, failed: 0 });
  #timer: ReturnType<typeof setInterval> | null = null;
  #queued = false;

  constructor(d: PushSenderDeps) {
    this.#d = d;
  }

  start(): void {
    this.#timer = setInterval(() => this.kick(), this.#d.pollMs ?? 2_000);
  }

  /** Something may be due now (this instance just stored an alert): one pass soon, not one per call. */
  kick(): void {
    if (this.#queued) return;
    this.#queued = true;
    void this.runNow().finally(() => {
      this.#queued = false;
    });
  }

  /** One pass after the one under way; a failed pass is logged and the next one tries again. */
  runNow(): Promise<PushPass> {
    this.#running = this.#running.then(() =>
      this.#pass().catch((err) => {
        this.#d.log.error({ err: (err as Error).message }, 'hub: push pass failed');
        return { sent: 0, retried: 0, failed: 0 };
      }),
    );
    return this.#running;
  }

  async #pass(): Promise<PushPass> {
    const now = this.#d.now();
    const rows = await this.#d.store.tx((t) =>
      claimDue(pushTx(t), {
        now,
        leaseMs: this.#d.leaseMs ?? LEASE_MS,
        limit: BATCH,
        skipLocked: this.#d.skipLocked,
      }),
    );
    const outcomes = await Promise.all(rows.map((r) => this.#deliver(r)));
    const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
    return { sent: count('sent'), retried: count('retried'), failed: count('failed') };
  }

  async #deliver(row: PushRow): Promise<Outcome> {
    const parsed = pushPayload.safeParse(JSON.parse(row.payload));
    if (!parsed.success)
      return this.#fail(row, null, `unreadable payload: ${parsed.error.issues[0]?.message}`);
    const p = parsed.data;
    const transport = this.#d.transports[row.channel];
    let d: Delivery;
    try {
      d = transport ? await transport(row, p) : { ok: false, error: `no ${row.channel} sender here` };
    } catch (err) {
      d = { ok: false, error: (err as Error).message };
    }
    if (d.ok) {
      const mine = await this.#d.store.tx(async (t) => {
        if (!(await markSent(pushTx(t), row))) return false;
        await this.#audit(
          t,
          row,
          p,
          'ok',
          `${p.about.kind === 'alert' ? p.about.state : 'raised'} (${row.channel})`,
        );
        return true;
      });
      return mine ? 'sent' : 'lost';
    }
    const error = safeText(d.error, 300);
    const retryMs = this.#d.retryMs ?? DEFAULT_RETRY_MS;
    const wait = retryMs[row.attempts - 1];
    if (d.gone || wait === undefined) return this.#fail(row, p, error, d.gone);
    const mine = await this.#d.store.tx((t) => markRetry(pushTx(t), row, this.#d.now() + wait, error));
    this.#d.log.warn(
      { recipient: row.recipient, channel: row.channel, attempt: row.attempts, err: error },
      `hub: push to ${row.recipient} failed (${error}); trying again in ${Math.round(wait / 1000)} s`,
    );
    return mine ? 'retried' : 'lost';
  }

  /** The final failure: recorded, audited and raised in one transaction. */
  async #fail(row: PushRow, p: PushPayload | null, error: string, gone = false): Promise<Outcome> {
    const now = this.#d.now();
    let raised = false;
    const mine = await this.#d.store.tx(async (t) => {
      raised = false;
      if (!(await markFailed(pushTx(t), row, error))) return false;
      if (gone && p) await this.#d.forget?.(t, row, p);
      await this.#audit(
        t,
        row,
        p,
        'failed',
        gone ? `${error}; the subscription is gone and was removed` : error,
      );
      // A subscription its owner ended is no emergency; nor is a failed push about a failed push
      // (that would ring the same broken phone for ever).
      if (gone || !p || (p.about.kind === 'hub' && p.about.hub_kind === 'push_failed')) return true;
      raised = await this.#d.store.raiseHubAlertIn(
        t,
        {
          key: `push_failed/${row.id}`,
          gateway: p.about.gateway,
          kind: 'push_failed',
          severity: p.urgent ? 'urgent' : 'high',
          reason: safeText(
            `Could not tell ${row.recipient} of ${describe(p)} on their phone (${row.channel}) after ${row.attempts} attempt${row.attempts === 1 ? '' : 's'}: ${error}. Call them.`,
            1000,
          ),
        },
        now,
        this.#d.instance,
      );
      return true;
    });
    if (!mine) return 'lost';
    this.#d.log.error(
      { recipient: row.recipient, channel: row.channel, attempts: row.attempts, err: error },
      `hub: push to ${row.recipient} failed for good (${error})`,
    );
    if (raised) this.#d.onHubAlert?.();
    return 'failed';
  }

  #audit(t: Tx, row: PushRow, p: PushPayload | null, outcome: 'ok' | 'failed', detail: string) {
    return audit(
      t as unknown as Parameters<typeof audit>[0],
      {
        staff: row.recipient,
        action: 'push',
        resident: p?.about.kind === 'alert' ? p.about.resident : null,
        target: p ? targetOf(p) : row.id,
        outcome,
        detail: `${detail}; by ${this.#d.instance}`,
      },
      this.#d.now(),
    );
  }

  /** Stops looking; waits for the pass under way (at most a transport's time limit). */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
