// The hub's receipts: after a home's alert, summary or night is committed (or found committed
// already: the home sent it again because a receipt was lost), its id goes back to the home on
// hearth/v1/{gw}/receipt, signed like a command. Ids stored close together go as one message per
// home (at most MAX_RECEIPT_IDS each), so a backlog of a thousand costs a few receipts, not a
// thousand. A receipt lost on the way costs only a repeat: the home sends the message again, the
// hub drops it by its id and receipts it again.
import type { Logger } from '../../core/log.ts';
import { MAX_RECEIPT_IDS, PROTOCOL_VERSION, receiptMessage, topics } from '../protocol/messages.ts';

/** How long ids wait for others of the same home before their receipt goes. */
export const RECEIPT_GATHER_MS = 50;

/** The receipts that name `ids`, each within the bound, and how many ids each names: pure. */
function receiptsOf(ids: readonly string[], max: number): { payload: string; named: number }[] {
  const out: { payload: string; named: number }[] = [];
  for (let i = 0; i < ids.length; i += max) {
    const part = ids.slice(i, i + max);
    out.push({
      payload: JSON.stringify(receiptMessage.parse({ v: PROTOCOL_VERSION, ids: part })),
      named: part.length,
    });
  }
  return out;
}

/** The receipts that name `ids`, each within the bound: pure. */
export const receiptPayloads = (ids: readonly string[], max = MAX_RECEIPT_IDS): string[] =>
  receiptsOf(ids, max).map((r) => r.payload);

export type ReceiptDeps = {
  /** Publishes at QoS 1, signed with the hub's key (receiver.ts). */
  publish: (topic: string, payload: string) => Promise<void>;
  log: Logger;
};

export class Receipts {
  readonly #d: ReceiptDeps;
  #pending = new Map<string, string[]>();
  #timer: NodeJS.Timeout | undefined;
  /** Receipts published, and ids named in them (for /healthz and the tests). */
  readonly counters = { receipts: 0, receipted: 0, receiptFailures: 0 };

  constructor(d: ReceiptDeps) {
    this.#d = d;
  }

  /** A home's message is in the database: its receipt goes soon, with any others of that home. */
  stored(gateway: string, id: string): void {
    const ids = this.#pending.get(gateway) ?? [];
    ids.push(id);
    this.#pending.set(gateway, ids);
    if (ids.length >= MAX_RECEIPT_IDS) this.#send(gateway);
    else this.#timer ??= setTimeout(() => this.flush(), RECEIPT_GATHER_MS);
  }

  /** Sends every receipt waiting now. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    return Promise.all([...this.#pending.keys()].map((gw) => this.#send(gw))).then(() => undefined);
  }

  async #send(gateway: string): Promise<void> {
    const ids = this.#pending.get(gateway) ?? [];
    this.#pending.delete(gateway);
    // Each receipt's count as it was made, not read back from the JSON just written.
    for (const { payload, named } of receiptsOf([...new Set(ids)], MAX_RECEIPT_IDS)) {
      try {
        await this.#d.publish(topics.receipt(gateway), payload);
        this.counters.receipts++;
        this.counters.receipted += named;
      } catch (err) {
        // The home sends the messages again after its wait; they are receipted then.
        this.counters.receiptFailures++;
        this.#d.log.warn({ gateway, err: (err as Error).message }, 'hub: a receipt could not be sent');
      }
    }
  }
}
