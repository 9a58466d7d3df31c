// The hub's one store over Kysely, the same code on PostgreSQL and SQLite. Every message takes
// effect in one transaction that first inserts its id: a repeated id inserts nothing and changes
// nothing, so delivery at least once (to any number of instances) has its effect exactly once.
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { chunks } from '../../core/chunks.ts';
import type { AlertMessage } from '../protocol/messages.ts';
import type { Incoming } from './incoming.ts';
import { MESSAGE_ID_COLUMNS } from './intake-columns.ts';
import { LIVE_CHANNEL } from './live-listen.ts';
import { migrate } from './migrations.ts';
import { columnsOf, unnestRows } from './pg-arrays.ts';
import { enforceRetention, type RetentionPeriods, type RetentionResult } from './retention.ts';
import {
  affected,
  applyAlerts,
  applyNight,
  applyResult,
  applySummary,
  bindResidents,
  type MovedAlert,
  pairKey,
  type Tx,
  touchHomes,
} from './store-apply.ts';
import type { HubDb } from './tables.ts';

export type Received = {
  incoming: Incoming;
  topic: string;
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
  /** The alerts a batch moved to a new state, each once, as they now stand. */
  alertsMoved?: (t: Tx, moved: MovedAlert[], now: number) => Promise<unknown>;
  hubAlertRaised?: (t: Tx, a: HubAlertDraft, now: number) => Promise<unknown>;
};

const n = affected;
/**
 * Heartbeats change a home's row to what they say, again and again alike: no id kept (they are
 * most of what a hub receives). A status is taken once: applied again (an instance behind the
 * others, a retained status on a new subscription) it would move the home's status time, and an
 * old "online" could follow the "offline" after it.
 */
const IDEMPOTENT: ReadonlySet<string> = new Set(['heartbeat']);
/** Ids taken in one statement: three parameters each, well inside either database's limit. */
const ID_CHUNK = 1000;

/**
 * Errors worth one more try: lost races between instances, a busy SQLite file (SQLITE_BUSY_SNAPSHOT
 * too: a transaction that read before another instance wrote must start again to write).
 */
const RETRYABLE = /^(40001|40P01|23505|SQLITE_BUSY|SQLITE_LOCKED)/;

export const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;

export class HubStore {
  readonly db: Kysely<HubDb>;
  readonly #effects: StoreEffects;
  /** PostgreSQL, where instances write at once and rows are locked; SQLite has one writer. */
  readonly #postgres: boolean;
  constructor(db: Kysely<HubDb>, effects: StoreEffects = {}) {
    this.db = db;
    this.#effects = effects;
    this.#postgres = db.getExecutor().adapter instanceof PostgresAdapter;
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
    return (await this.receiveBatch([r]))[0] as ReceiveResult;
  }

  /**
   * Messages in one transaction, each with the effect it would have had alone, in the order
   * given; a result for each. A handful of statements whatever the batch's size: the ids, the
   * alert states, the homes each go in one.
   */
  async receiveBatch(batch: readonly Received[]): Promise<ReceiveResult[]> {
    const first = batch[0];
    if (!first) return [];
    const msg = (i: number) => (batch[i] as Received).incoming.msg;
    const type = (i: number) => (batch[i] as Received).incoming.type;
    return this.tx(async (t) => {
      const results: ReceiveResult[] = batch.map(() => ({ duplicate: false }));
      const bound = await bindResidents(
        t,
        batch.map((r) => ({
          gateway: r.incoming.msg.gateway,
          resident: r.incoming.msg.resident,
          at: r.receivedAt,
        })),
        this.#postgres,
      );
      const kept: number[] = [];
      for (const [i, r] of batch.entries()) {
        const refused = bound.get(pairKey(r.incoming.msg.gateway, r.incoming.msg.resident));
        if (refused) results[i] = { duplicate: false, refused };
        else kept.push(i);
      }
      const fresh = await this.#firstTimes(
        t,
        kept.filter((i) => !IDEMPOTENT.has(type(i))),
        batch,
      );
      const applied = kept.filter((i) => IDEMPOTENT.has(type(i)) || fresh.has(i));
      const taken = new Set(applied);
      for (const i of kept) if (!taken.has(i)) results[i] = { duplicate: true };
      const alerts = applied.filter((i) => type(i) === 'alert');
      const states = await applyAlerts(
        t,
        alerts.map((i) => {
          const m = msg(i) as AlertMessage;
          return { m, receivedAt: (batch[i] as Received).receivedAt, atMs: Date.parse(m.at) };
        }),
        this.#postgres,
      );
      let movedAt = first.receivedAt;
      for (const [k, i] of alerts.entries()) {
        const alert = states.applied[k] as (typeof states.applied)[number];
        results[i] = { duplicate: false, alert };
        if (alert.moved) movedAt = Math.max(movedAt, (batch[i] as Received).receivedAt);
      }
      if (states.moved.length > 0) await this.#effects.alertsMoved?.(t, states.moved, movedAt);
      for (const i of applied) {
        const { incoming: x, receivedAt } = batch[i] as Received;
        if (x.type === 'summary') await applySummary(t, x.msg, receivedAt);
        else if (x.type === 'night') await applyNight(t, x.msg, receivedAt);
        else if (x.type === 'cmd_result') await applyResult(t, x.msg, receivedAt);
      }
      await touchHomes(t, {
        arrivals: applied.map((i) => batch[i] as Received),
        defaultHeartbeatMs: first.defaultHeartbeatMs,
        clockSkewMs: first.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS,
        postgres: this.#postgres,
      });
      await this.#tellInstances(
        t,
        applied.map((i) => type(i)),
      );
      return results;
    });
  }

  /**
   * Every instance's open pages hear of what this transaction stored, at its commit (PostgreSQL's
   * NOTIFY; live-listen.ts). On SQLite there is one instance, which tells its own pages.
   */
  async #tellInstances(t: Tx, types: readonly string[]): Promise<void> {
    if (!this.#postgres || types.length === 0) return;
    const kinds = [...new Set(types.map((x) => (x === 'cmd_result' ? 'cmd-result' : x)))].join(',');
    await sql`select pg_notify(${LIVE_CHANNEL}, ${kinds})`.execute(t);
  }

  /** Takes each message's id for its home; the indexes of those that home never sent before. */
  async #firstTimes(t: Tx, idx: readonly number[], batch: readonly Received[]): Promise<Set<number>> {
    const byKey = new Map<string, number>();
    for (const i of idx) {
      const m = (batch[i] as Received).incoming.msg;
      // The same id twice in one batch: the second is a repeat of the first.
      if (!byKey.has(pairKey(m.gateway, m.id))) byKey.set(pairKey(m.gateway, m.id), i);
    }
    const fresh = new Set<number>();
    for (const part of chunks([...byKey.values()], ID_CHUNK)) {
      const rows = part.map((i) => {
        const r = batch[i] as Received;
        return { gateway: r.incoming.msg.gateway, id: r.incoming.msg.id, received_at: r.receivedAt };
      });
      const into = t.insertInto('message_ids');
      const inserted = await (this.#postgres
        ? into.columns(columnsOf(MESSAGE_ID_COLUMNS)).expression(unnestRows(rows, MESSAGE_ID_COLUMNS))
        : into.values(rows)
      )
        .onConflict((oc) => oc.columns(['gateway', 'id']).doNothing())
        .returning(['gateway', 'id'])
        .execute();
      for (const r of inserted) fresh.add(byKey.get(pairKey(r.gateway, r.id)) as number);
    }
    return fresh;
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
    await this.#tellInstances(t, ['alert']);
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
