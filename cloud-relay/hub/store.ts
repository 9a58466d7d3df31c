// The hub's one store over Kysely, the same code on PostgreSQL and SQLite. Every message takes
// effect in one transaction that first inserts its id: a repeated id inserts nothing and changes
// nothing, so delivery at least once (to any number of instances) has its effect exactly once.
import { type Kysely, sql, type Transaction } from 'kysely';
import { summaryBundle } from '../protocol/fhir.ts';
import type { AlertMessage, CmdResultMessage, SummaryMessage } from '../protocol/messages.ts';
import { RANK } from './alert-order.ts';
import type { Incoming } from './incoming.ts';
import { migrate } from './migrations.ts';
import type { HubDb } from './tables.ts';

type Tx = Transaction<HubDb>;

export type Received = {
  incoming: Incoming;
  topic: string;
  payload: string;
  receivedAt: number;
  instance: string;
  /** Heartbeat interval of a home the hub file does not list. */
  defaultHeartbeatMs: number;
};

export type ReceiveResult =
  | { duplicate: true }
  | { duplicate: false; alert?: { gateway: string; alertId: string; state: string; moved: boolean } };

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

const n = (r: { numInsertedOrUpdatedRows?: bigint; numUpdatedRows?: bigint } | undefined) =>
  Number(r?.numInsertedOrUpdatedRows ?? r?.numUpdatedRows ?? 0);

/** Errors worth one more try: lost races between instances, a busy SQLite file. */
const RETRYABLE = new Set(['40001', '40P01', '23505', 'SQLITE_BUSY', 'SQLITE_LOCKED']);

export class HubStore {
  readonly db: Kysely<HubDb>;
  constructor(db: Kysely<HubDb>) {
    this.db = db;
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
        if (attempt >= 200 || !RETRYABLE.has(code)) throw e;
        await new Promise((r) => setTimeout(r, Math.min(2 * attempt, 50)));
      }
    }
  }

  /** The homes of the hub file, watched from now on even if never heard. */
  async expectHomes(homes: ExpectedHome[], now: number): Promise<void> {
    for (const h of homes)
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

  async receive(r: Received): Promise<ReceiveResult> {
    const { msg } = r.incoming;
    return this.tx(async (t) => {
      const inserted = await t
        .insertInto('messages')
        .values({
          id: msg.id,
          gateway: msg.gateway,
          type: msg.type,
          topic: r.topic,
          at: msg.at,
          received_at: r.receivedAt,
          instance: r.instance,
          payload: r.payload,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (n(inserted) === 0) return { duplicate: true };
      let result: ReceiveResult = { duplicate: false };
      const i = r.incoming;
      if (i.type === 'alert') result = { duplicate: false, alert: await applyAlert(t, i.msg, r.receivedAt) };
      else if (i.type === 'summary') await applySummary(t, i.msg);
      else if (i.type === 'cmd_result') await applyResult(t, i.msg, r.receivedAt);
      await touchHome(t, r);
      return result;
    });
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
  async raiseHubAlert(a: HubAlertDraft, now: number, instance: string): Promise<boolean> {
    const r = await this.#retry(() =>
      this.db
        .insertInto('hub_alerts')
        .values({ ...a, raised_at: now, raised_by: instance, resolved_at: null })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst(),
    );
    return n(r) > 0;
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

async function applyAlert(t: Tx, m: AlertMessage, receivedAt: number) {
  const atMs = Date.parse(m.at);
  const rank = RANK[m.state];
  await t
    .insertInto('alert_history')
    .values({
      message_id: m.id,
      gateway: m.gateway,
      alert_id: m.alert_id,
      state: m.state,
      at: m.at,
      at_ms: atMs,
      received_at: receivedAt,
      severity: m.severity,
      reason: m.reason,
    })
    .execute();
  const state = {
    state: m.state,
    rank,
    severity: m.severity,
    reason: m.reason,
    state_at: m.at,
    state_at_ms: atMs,
    message_id: m.id,
  };
  const r = await t
    .insertInto('alerts')
    .values({
      ...state,
      gateway: m.gateway,
      alert_id: m.alert_id,
      resident: m.resident,
      rule: m.rule,
      room: m.room ?? null,
      device: m.device ?? null,
      first_at: m.at,
      ack_by: null,
      ack_command_id: null,
      ack_requested_at: null,
      ack_confirmed_at: null,
    })
    .onConflict((oc) =>
      oc
        .columns(['gateway', 'alert_id'])
        .doUpdateSet(state)
        // Only forward: a late `raised` after `acknowledged` goes to the history, not the state.
        .where((eb) => eb('alerts.rank', '<', rank)),
    )
    .executeTakeFirst();
  return { gateway: m.gateway, alertId: m.alert_id, state: m.state, moved: n(r) > 0 };
}

async function applySummary(t: Tx, m: SummaryMessage) {
  const atMs = Date.parse(m.at);
  const row = {
    gateway: m.gateway,
    message_id: m.id,
    at: m.at,
    at_ms: atMs,
    json: JSON.stringify(m),
    fhir: JSON.stringify(summaryBundle(m)),
  };
  // One summary per resident and day; a newer one for the same day (asked for again) replaces it.
  await t
    .insertInto('summaries')
    .values({ ...row, resident: m.resident, date: m.date })
    .onConflict((oc) =>
      oc
        .columns(['resident', 'date'])
        .doUpdateSet(row)
        .where((eb) => eb('summaries.at_ms', '<', atMs)),
    )
    .execute();
}

async function applyResult(t: Tx, m: CmdResultMessage, receivedAt: number) {
  const updated = await t
    .updateTable('commands')
    .set({ state: m.ok ? 'confirmed' : 'failed', detail: m.detail, result_at: receivedAt })
    .where('id', '=', m.command_id)
    .where('state', 'in', ['sent', 'unconfirmed'])
    .returning(['alert_id', 'name'])
    .executeTakeFirst();
  // A late answer still settles the command: its "not confirmed" alert, if raised, is resolved.
  if (updated)
    await t
      .updateTable('hub_alerts')
      .set({ resolved_at: receivedAt })
      .where('key', '=', `command_unconfirmed/${m.command_id}`)
      .where('resolved_at', 'is', null)
      .execute();
  if (m.ok && updated?.name === 'ack' && updated.alert_id)
    await t
      .updateTable('alerts')
      .set({ ack_confirmed_at: receivedAt })
      .where('gateway', '=', m.gateway)
      .where('alert_id', '=', updated.alert_id)
      .where('ack_command_id', '=', m.command_id)
      .execute();
}

/**
 * Every message says the home is alive and how far its clock is from ours; a status or heartbeat
 * says more. One upsert for all of it: on PostgreSQL each statement is a round trip, and
 * heartbeats are most of what a hub receives.
 */
async function touchHome(t: Tx, r: Received) {
  const { msg } = r.incoming;
  const skew = Date.parse(msg.at) - r.receivedAt;
  const seen = { last_seen_at: r.receivedAt, clock_skew_ms: skew };
  const said = homeSays(r.incoming, r.receivedAt);
  await t
    .insertInto('homes')
    .values({
      gateway: msg.gateway,
      resident: msg.resident,
      expected: 0,
      heartbeat_ms: r.defaultHeartbeatMs,
      first_known_at: r.receivedAt,
      ...seen,
      ...said,
    })
    .onConflict((oc) =>
      oc.column('gateway').doUpdateSet((eb) => ({
        ...seen,
        ...said,
        // Every SET sees the row as it was: this compares with the depth before this heartbeat.
        ...(r.incoming.type === 'heartbeat'
          ? {
              queue_growth: eb
                .case()
                .when('homes.queue_depth', '<', r.incoming.msg.queue_depth)
                .then(sql<number>`homes.queue_growth + 1`)
                .else(0)
                .end(),
            }
          : {}),
      })),
    )
    .execute();
}

function homeSays(i: Incoming, receivedAt: number) {
  if (i.type === 'heartbeat') return { last_heartbeat_at: receivedAt, queue_depth: i.msg.queue_depth };
  if (i.type !== 'status') return {};
  const m = i.msg;
  return {
    status: m.state,
    status_at: receivedAt,
    hearth_version: m.versions.hearth,
    ...(m.queue_depth !== undefined ? { queue_depth: m.queue_depth } : {}),
    ...(m.oldest_undelivered_alert_s !== undefined
      ? { oldest_undelivered_alert_s: m.oldest_undelivered_alert_s }
      : {}),
    ...(m.storage_fault !== undefined ? { storage_fault: m.storage_fault } : {}),
  };
}
