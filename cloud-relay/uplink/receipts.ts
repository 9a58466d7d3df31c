// The hub's receipts, in the home (relay.receipts): a message the hub receipts (an alert, a
// summary, a night) stays in the outbox after the trust broker's PUBACK, marked with when it goes
// again; a receipt on hearth/v1/{gw}/receipt (signed by the hub when relay.hub_cert is set,
// bounded, validated) removes the messages it names; and every resendEveryMs the messages whose
// time has come go again with the same id, at most resendPerPass of them, each waiting twice as
// long as the last time before the next (up to receiptWaitCapMs). The hub drops a repeat by its
// id and receipts it again.
import { parseJson } from '../../core/json.ts';
import { receiptMessage } from '../protocol/messages.ts';
import type { DeliveryWatch, Drain } from './drain.ts';
import { type RelayDeps, type RelayLimits, retryAt } from './relay-deps.ts';
import type { Session } from './session.ts';

/** A receipt names at most MAX_RECEIPT_IDS ids of 128 characters: a few tens of KB. */
const RECEIPT_JSON = { maxBytes: 64 * 1024, maxDepth: 3 };

export class ReceiptKeeper {
  readonly #d: RelayDeps;
  readonly #limits: RelayLimits;
  readonly #session: Session;
  readonly #drain: Drain;

  readonly #watch: DeliveryWatch;

  constructor(d: RelayDeps, limits: RelayLimits, session: Session, drain: Drain, watch: DeliveryWatch) {
    this.#d = d;
    this.#limits = limits;
    this.#session = session;
    this.#drain = drain;
    this.#watch = watch;
  }

  /** A receipt from the hub: what it names is stored at the trust, and leaves the outbox. */
  handle(topic: string, payload: Buffer, props?: Record<string, string | string[]>): void {
    const { log, counters, outbox } = this.#d;
    try {
      const read = this.#read(topic, payload, props);
      if (!read.ok) {
        counters.add('relay.receipt_refused');
        log.warn({ topic }, `relay: receipt refused: ${read.reason}`);
        return;
      }
      const removed = outbox.unit(() => outbox.receipted(read.ids), false);
      counters.add('relay.receipts');
      counters.add('relay.receipted', removed);
      this.#d.onReceipt?.(read.ids);
      // Only a flagged delay needs a fresh look (as at a PUBACK); the periodic watch covers the rest.
      if (this.#watch.unconfirmed) this.#watch.check();
    } catch (err) {
      // A disk that will not even hold the removal: the messages go again, and are receipted again.
      log.error({ topic, err: (err as Error).message }, 'relay: a receipt could not be kept');
    }
  }

  #read(
    topic: string,
    payload: Buffer,
    props?: Record<string, string | string[]>,
  ): { ok: true; ids: string[] } | { ok: false; reason: string } {
    // Another home, under a broker that let it, must not make this home forget its alerts.
    const unsigned = this.#session.signer().refuseCommand(topic, payload, props);
    if (unsigned) return { ok: false, reason: unsigned };
    const json = parseJson(payload, RECEIPT_JSON);
    if (!json.ok) return json;
    const r = receiptMessage.safeParse(json.value);
    if (r.success) return { ok: true, ids: r.data.ids };
    const i = r.error.issues[0];
    return { ok: false, reason: `not a valid receipt: ${i?.path.join('.') || 'payload'}: ${i?.message}` };
  }

  /** Sends again what has waited its time for a receipt: at most resendPerPass, the longest due first. */
  resend(): void {
    const { outbox, clock, counters, log } = this.#d;
    if (!this.#d.config.relay?.receipts || !this.#session.connected) return;
    const now = clock.now();
    const due = outbox.due(now, this.#limits.resendPerPass);
    if (due.length === 0) return;
    for (const row of due) {
      if (!this.#drain.resend(row)) break;
      const attempts = row.attempts + 1;
      outbox.unit(() => outbox.awaitReceipt(row.seq, retryAt(now, attempts, this.#limits), attempts), false);
      counters.add('relay.resent');
      this.#d.onResent?.(row);
    }
    log.warn(
      { resent: due.length },
      `relay: sent ${due.length} message(s) again: the hub has not receipted them`,
    );
  }
}
