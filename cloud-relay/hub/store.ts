// The hub's one store over Kysely, the same code on PostgreSQL and SQLite. Every message takes
// effect in one transaction that first inserts its id: a repeated id inserts nothing and changes
// nothing, so delivery at least once (to any number of instances) has its effect exactly once.
import type { Kysely } from 'kysely';
import type { Incoming } from './incoming.ts';
import { migrate } from './migrations.ts';
import { enforceRetention, type RetentionPeriods, type RetentionResult } from './retention.ts';
import {
  affected,
  applyAlert,
  applyNight,
  applyResult,
  applySummary,
  bindResident,
  type Tx,
  touchHome,
} from './store-apply.ts';
import type { HubDb } from './tables.ts';

export type Received = {
  incoming: Incoming;
  topic: string;
  payload: string;
  receivedAt: number;
  instance: string;
  /** Heartbeat interval of a home the hub file does not list. */
  defaultHeartbeatMs: number;
  /** supervision.clock_skew: beyond it, heartbeats in a row say the home's clock is wrong. */
  clockSkewMs?: number;
};

export type ReceiveResult =
  | { duplicate: true; refused?: undefined }
  | {
      duplicate: false;
      refused?: undefined;
      alert?: { gateway: string; alertId: string; rule: string; state: string; moved: boolean };
    }
  /** The home may not speak for this resident: nothing was stored. */
  | { duplicate: false; refused: string; alert?: undefined };

export type Rejection = {
  key: string;
  topic: string;
  gateway: string | null;
  payload: string;
  reason: string;
  receivedAt: number;
  instance: string;
};

export type HubAlertDraft = { key: string; gateway: string; kind: string; severity: string; reason: string };

export type ExpectedHome = { gateway: string; resident: string; heartbeatMs: number };

/**
 * What else an alert state or a hub alert causes, written in the same transaction (the push
 * outbox): committed with its cause or not at all.
 */
export type StoreEffects = {
  alertMoved?: (t: Tx, a: { gateway: string; alertId: string }, now: number) => Promise<unknown>;
  hubAlertRaised?: (t: Tx, a: HubAlertDraft, now: number) => Promise<unknown>;
};

const n = affected;
/** Heartbeats and statuses change a home's row to what they say, again and again alike: no id kept. */
const IDEMPOTENT = new Set(['heartbeat', 'status']);

/**
 * Errors worth one more try: lost races between instances, a busy SQLite file (SQLITE_BUSY_SNAPSHOT
 * too: a transaction that read before another instance wrote must start again to write).
 */
const RETRYABLE = /^(40001|40P01|23505|SQLITE_BUSY|SQLITE_LOCKED)/;

export const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;

export class HubStore {
  readonly db: Kysely<HubDb>;
  readonly #effects: StoreEffects;
  constructor(db: Kysely<HubDb>, effects: StoreEffects = {}) {
    this.db = db;
    this.#effects = effects;
  }

  migrate(): Promise<string[]> {
    return this.#retry(() => migrate(this.db as Kysely<unknown>));
  }

  /** Runs `fn` in a transaction, again when it lost a race to another instance. */
  tx<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    return this.#retry(() => this.db.transaction().execute(fn));
  }

  // A busy SQLite file is waited for here, asynchronously: its own busy timeout would block the
  // one thread that must finish the other transaction.
  async #retry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const code = (e as { code?: string }).code ?? '';
        if (attempt >= 200 || !RETRYABLE.test(code)) throw e;
        await new Promise((r) => setTimeout(r, Math.min(2 * attempt, 50)));
      }
    }
  }

  /** The homes of the hub file, watched from now on even if never heard. */
  async expectHomes(homes: ExpectedHome[], now: number): Promise<void> {
    for (const h of homes) {
      // The hub file is the authority: its gateway speaks for its resident, and for no one else.
      await this.tx(async (t) => {
        await t
          .deleteFrom('residents')
          .where('gateway', '=', h.gateway)
          .where('resident', '<>', h.resident)
          .execute();
        await t
          .insertInto('residents')
          .values({ resident: h.resident, gateway: h.gateway, bound_at: now })
          .onConflict((oc) => oc.column('resident').doUpdateSet({ gateway: h.gateway }))
          .execute();
      });
      await this.#retry(() =>
        this.db
          .insertInto('homes')
          .values({
            gateway: h.gateway,
            resident: h.resident,
            expected: 1,
            heartbeat_ms: h.heartbeatMs,
            first_known_at: now,
          })
          .onConflict((oc) =>
            oc
              .column('gateway')
              .doUpdateSet({ resident: h.resident, expected: 1, heartbeat_ms: h.heartbeatMs }),
          )
          .execute(),
      );
    }
  }

  async receive(r: Received): Promise<ReceiveResult> {
    const { msg } = r.incoming;
    return this.tx(async (t) => {
      const refused = await bindResident(t, msg.gateway, msg.resident, r.receivedAt);
      if (refused) return { duplicate: false, refused };
      if (!IDEMPOTENT.has(msg.type) && !(await this.#firstTime(t, msg.gateway, msg.id, r.receivedAt)))
        return { duplicate: true };
      let result: ReceiveResult = { duplicate: false };
      const i = r.incoming;
      if (i.type === 'alert') {
        const alert = await applyAlert(t, i.msg, r.receivedAt);
        if (alert.moved) await this.#effects.alertMoved?.(t, alert, r.receivedAt);
        result = { duplicate: false, alert };
      } else if (i.type === 'summary') await applySummary(t, i.msg, r.receivedAt);
      else if (i.type === 'night') await applyNight(t, i.msg, r.receivedAt);
      else if (i.type === 'cmd_result') await applyResult(t, i.msg, r.receivedAt);
      await touchHome(t, { ...r, clockSkewMs: r.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS });
      return result;
    });
  }

  /** Takes the message's id for its home; false when that home sent it before. */
  async #firstTime(t: Tx, gateway: string, id: string, receivedAt: number): Promise<boolean> {
    const inserted = await t
      .insertInto('message_ids')
      .values({ gateway, id, received_at: receivedAt })
      .onConflict((oc) => oc.columns(['gateway', 'id']).doNothing())
      .executeTakeFirst();
    return n(inserted) > 0;
  }

  /** Deletes what is older than its retention period, a batch at a time. */
  enforceRetention(
    now: number,
    periods: RetentionPeriods,
    o: { batch?: number } = {},
  ): Promise<RetentionResult> {
    return enforceRetention(this.db, now, periods, o.batch ?? 500);
  }

  /** Keeps a refused message with its reason; true when it was not already kept. */
  async reject(x: Rejection): Promise<boolean> {
    const r = await this.#retry(() =>
      this.db
        .insertInto('rejected')
        .values({
          key: x.key,
          topic: x.topic,
          gateway: x.gateway,
          payload: x.payload,
          reason: x.reason,
          received_at: x.receivedAt,
          instance: x.instance,
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst(),
    );
    return n(r) > 0;
  }

  /** Raises a supervision alert unless an instance already did (same key); true for the one that did. */
  raiseHubAlert(a: HubAlertDraft, now: number, instance: string): Promise<boolean> {
    return this.tx((t) => this.raiseHubAlertIn(t, a, now, instance));
  }

  /** raiseHubAlert inside a transaction of the caller's, with what it causes. */
  async raiseHubAlertIn(t: Tx, a: HubAlertDraft, now: number, instance: string): Promise<boolean> {
    const r = await t
      .insertInto('hub_alerts')
      .values({ ...a, raised_at: now, raised_by: instance, resolved_at: null })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    if (n(r) === 0) return false;
    await this.#effects.hubAlertRaised?.(t, a, now);
    return true;
  }

  /** Resolves the open supervision alerts of one kind for a gateway; how many were open. */
  async resolveHubAlerts(gateway: string, kind: string, now: number): Promise<number> {
    const r = await this.#retry(() =>
      this.db
        .updateTable('hub_alerts')
        .set({ resolved_at: now })
        .where('gateway', '=', gateway)
        .where('kind', '=', kind)
        .where('resolved_at', 'is', null)
        .executeTakeFirst(),
    );
    return n(r);
  }

  /** Resolves open supervision alerts of these kinds raised before `before`; how many. */
  async resolveStale(kinds: string[], before: number, now: number): Promise<number> {
    const r = await this.#retry(() =>
      this.db
        .updateTable('hub_alerts')
        .set({ resolved_at: now })
        .where('kind', 'in', kinds)
        .where('raised_at', '<', before)
        .where('resolved_at', 'is', null)
        .executeTakeFirst(),
    );
    return n(r);
  }

  /** Flags a command nobody confirmed in time; true for the instance that flagged it. */
  async flagUnconfirmed(id: string): Promise<boolean> {
    const r = await this.#retry(() =>
      this.db
        .updateTable('commands')
        .set({ state: 'unconfirmed' })
        .where('id', '=', id)
        .where('state', '=', 'sent')
        .executeTakeFirst(),
    );
    return n(r) > 0;
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}
