// What each kind of message does to the hub's tables, inside the transaction that took its id.
// Every effect is keyed by the gateway that sent it: one home never touches another's rows.
import type { Transaction } from 'kysely';
import { chunks } from '../../core/chunks.ts';
import { summaryBundle } from '../protocol/fhir.ts';
import {
  type AlertMessage,
  type CmdResultMessage,
  type NightMessage,
  type SummaryMessage,
  TEST_CALL_RULE,
} from '../protocol/messages.ts';
import { STATE_RANK } from './alert-order.ts';
import { queueFhirDay } from './fhir-tables.ts';
import { type HomeRow, readHomes, writeHomes } from './home-rows.ts';
import { type Arrival, touchHome, UNHEARD } from './home-touch.ts';
import { ALERT_COLUMNS, ALERT_HISTORY_COLUMNS } from './intake-columns.ts';
import { anyOf, columnsOf, unnestRows } from './pg-arrays.ts';
import type { AlertFacts } from './push-plan.ts';
import type { HubDb } from './tables.ts';

export type Tx = Transaction<HubDb>;

export const affected = (r: { numInsertedOrUpdatedRows?: bigint; numUpdatedRows?: bigint } | undefined) =>
  Number(r?.numInsertedOrUpdatedRows ?? r?.numUpdatedRows ?? 0);

/** Two strings as one map key (a gateway and its resident, its alert id or its message id). */
export const pairKey = (gateway: string, resident: string) => `${gateway}\0${resident}`;

/**
 * Binds each resident to the gateway speaking for her if nobody holds her yet. For each pair, a
 * reason when another gateway holds her or this gateway already speaks for someone else; null
 * when it may speak. One read for the whole batch, one insert for the new bindings.
 */
export async function bindResidents(
  t: Tx,
  pairs: readonly { gateway: string; resident: string; at: number }[],
  postgres: boolean,
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (pairs.length === 0) return out;
  const residents = [...new Set(pairs.map((p) => p.resident))];
  const gateways = [...new Set(pairs.map((p) => p.gateway))];
  const rows = await t
    .selectFrom('residents')
    .select(['resident', 'gateway'])
    .where((eb) =>
      postgres
        ? eb.or([eb('resident', '=', anyOf(residents, 'text')), eb('gateway', '=', anyOf(gateways, 'text'))])
        : eb.or([eb('resident', 'in', residents), eb('gateway', 'in', gateways)]),
    )
    .execute();
  const holder = new Map(rows.map((r) => [r.resident, r.gateway]));
  /** Whom each gateway speaks for: one resident, unless the database already holds a conflict. */
  const speaksFor = new Map<string, string[]>();
  const speaks = (gateway: string, resident: string) => {
    const list = speaksFor.get(gateway);
    if (list) list.push(resident);
    else speaksFor.set(gateway, [resident]);
  };
  for (const r of rows) speaks(r.gateway, r.resident);
  const taken = (p: { gateway: string; resident: string }, by: string | undefined) =>
    `resident ${p.resident} speaks through gateway ${by}; ${p.gateway} may not speak for her`;
  const fresh: { gateway: string; resident: string; at: number }[] = [];
  for (const p of pairs) {
    const key = pairKey(p.gateway, p.resident);
    if (out.has(key)) continue;
    const hers = holder.get(p.resident);
    if (hers !== undefined && hers !== p.gateway) {
      out.set(key, taken(p, hers));
      continue;
    }
    const other = speaksFor.get(p.gateway)?.find((r) => r !== p.resident);
    if (other !== undefined) {
      out.set(key, `gateway ${p.gateway} speaks for resident ${other}, not ${p.resident}`);
      continue;
    }
    if (hers === undefined) {
      fresh.push(p);
      holder.set(p.resident, p.gateway);
      speaks(p.gateway, p.resident);
    }
    out.set(key, null);
  }
  if (fresh.length === 0) return out;
  const bound = await t
    .insertInto('residents')
    .values(fresh.map((p) => ({ resident: p.resident, gateway: p.gateway, bound_at: p.at })))
    .onConflict((oc) => oc.column('resident').doNothing())
    .returning('resident')
    .execute();
  if (bound.length === fresh.length) return out;
  // Another instance bound some of them between our read and our write.
  const got = new Set(bound.map((r) => r.resident));
  const lost = fresh.filter((p) => !got.has(p.resident));
  const now_ = await t
    .selectFrom('residents')
    .select(['resident', 'gateway'])
    .where(
      'resident',
      'in',
      lost.map((p) => p.resident),
    )
    .execute();
  for (const p of lost) {
    const by = now_.find((r) => r.resident === p.resident)?.gateway;
    if (by !== p.gateway) out.set(pairKey(p.gateway, p.resident), taken(p, by));
  }
  return out;
}

/** Rows a multi-row statement takes at once: well inside either database's limit on parameters. */
const CHUNK = 500;

/** `atMs`: the home's time `m.at` as read once (Date.parse), for its order and its columns. */
export type AlertArrival = { m: AlertMessage; receivedAt: number; atMs: number };
export type AlertApplied = { gateway: string; alertId: string; rule: string; state: string; moved: boolean };

/** An alert a batch moved, as it now stands: what its pushes are made of. */
export type MovedAlert = AlertFacts & { ack_by: string | null };
export const MOVED_FACTS = [
  'gateway',
  'alert_id',
  'rule',
  'state',
  'severity',
  'reason',
  'resident',
  'room',
  'ack_by',
] as const satisfies readonly (keyof MovedAlert)[];

/** The home's time of an alert state, never later than its arrival: a clock in 2999 does not win. */
const orderOf = (a: AlertArrival) => Math.min(a.atMs, a.receivedAt);

/**
 * Whether `next` takes an alert's state from `cur`: only forward, and an update of the state it
 * is in (another press while unanswered) if the home made it later, or at the same time and it
 * arrived later. A late `raised` after `acknowledged` goes to the history, not the state. Not the
 * order of arrival: instances sharing a subscription, and a home's resends, bring a home's
 * messages out of order. The same test as the upsert's below.
 */
const overtakes = (cur: AlertArrival, next: AlertArrival) =>
  STATE_RANK[cur.m.state] < STATE_RANK[next.m.state] ||
  (cur.m.state === next.m.state &&
    (orderOf(cur) < orderOf(next) || (orderOf(cur) === orderOf(next) && cur.receivedAt < next.receivedAt)));

/**
 * A batch's alert states, in arrival order: every one to the history (one insert), and each
 * alert's state moved to the one that wins (one upsert for all of them). Within the batch the
 * states of one alert are folded by the same rule the database applies, so the result is the
 * one they would have had one by one; the pushes follow the state it ends in.
 */
export async function applyAlerts(
  t: Tx,
  batch: readonly AlertArrival[],
  postgres: boolean,
): Promise<{ applied: AlertApplied[]; moved: MovedAlert[] }> {
  for (const part of chunks(batch, CHUNK)) {
    const rows = part.map(({ m, receivedAt, atMs }) => ({
      message_id: m.id,
      gateway: m.gateway,
      alert_id: m.alert_id,
      state: m.state,
      at: m.at,
      at_ms: atMs,
      received_at: receivedAt,
      severity: m.severity,
      reason: m.reason,
    }));
    const into = t.insertInto('alert_history');
    await (postgres
      ? into.columns(columnsOf(ALERT_HISTORY_COLUMNS)).expression(unnestRows(rows, ALERT_HISTORY_COLUMNS))
      : into.values(rows)
    ).execute();
  }
  const firsts = new Map<string, AlertArrival>();
  const wins = new Map<string, AlertArrival>();
  for (const a of batch) {
    const key = pairKey(a.m.gateway, a.m.alert_id);
    if (!firsts.has(key)) firsts.set(key, a);
    const cur = wins.get(key);
    if (!cur || overtakes(cur, a)) wins.set(key, a);
  }
  const moved = new Set<string>();
  const facts: MovedAlert[] = [];
  for (const part of chunks([...wins], CHUNK)) {
    const rows = part.map(([key, win]) => {
      const { m } = win;
      const first = firsts.get(key) ?? win;
      // The spread last: spread first, the dozen properties after it made each row a slow
      // dictionary object in V8 (some 18 µs a row, a tenth of an alert's CPU time).
      return {
        gateway: m.gateway,
        alert_id: m.alert_id,
        resident: first.m.resident,
        rule: first.m.rule,
        room: first.m.room ?? null,
        device: first.m.device ?? null,
        first_at: first.m.at,
        first_received_at: first.receivedAt,
        ack_by: null,
        ack_command_id: null,
        ack_requested_at: null,
        ack_confirmed_at: null,
        ...stateOf(win),
      };
    });
    const into = t.insertInto('alerts');
    const r = await (postgres
      ? into.columns(columnsOf(ALERT_COLUMNS)).expression(unnestRows(rows, ALERT_COLUMNS))
      : into.values(rows)
    )
      .onConflict((oc) =>
        oc
          .columns(['gateway', 'alert_id'])
          .doUpdateSet((eb) => ({
            state: eb.ref('excluded.state'),
            rank: eb.ref('excluded.rank'),
            severity: eb.ref('excluded.severity'),
            reason: eb.ref('excluded.reason'),
            state_at: eb.ref('excluded.state_at'),
            state_at_ms: eb.ref('excluded.state_at_ms'),
            state_received_at: eb.ref('excluded.state_received_at'),
            state_order_ms: eb.ref('excluded.state_order_ms'),
            message_id: eb.ref('excluded.message_id'),
          }))
          .where((eb) =>
            eb.or([
              eb('alerts.rank', '<', eb.ref('excluded.rank')),
              eb.and([
                eb('alerts.state', '=', eb.ref('excluded.state')),
                eb.or([
                  eb('alerts.state_order_ms', 'is', null),
                  eb('alerts.state_order_ms', '<', eb.ref('excluded.state_order_ms')),
                  eb.and([
                    eb('alerts.state_order_ms', '=', eb.ref('excluded.state_order_ms')),
                    eb.or([
                      eb('alerts.state_received_at', 'is', null),
                      eb('alerts.state_received_at', '<', eb.ref('excluded.state_received_at')),
                    ]),
                  ]),
                ]),
              ]),
            ]),
          ),
      )
      .returning([...MOVED_FACTS, 'message_id'])
      .execute();
    for (const { message_id, ...x } of r) {
      moved.add(`${pairKey(x.gateway, x.alert_id)}\0${message_id}`);
      facts.push(x);
    }
  }
  const calls = batch.filter(({ m }) => m.rule === TEST_CALL_RULE && m.state === 'raised');
  for (const part of chunks(calls, CHUNK))
    await t
      .insertInto('test_calls')
      .values(
        part.map(({ m, receivedAt, atMs }) => ({
          gateway: m.gateway,
          alert_id: m.alert_id,
          resident: m.resident,
          sent_at: m.at,
          sent_at_ms: atMs,
          stored_at: receivedAt,
          acked_at: null,
          acked_by: null,
          confirmed_at: null,
        })),
      )
      .onConflict((oc) => oc.columns(['gateway', 'alert_id']).doNothing())
      .execute();
  const applied = batch.map(({ m }) => ({
    gateway: m.gateway,
    alertId: m.alert_id,
    rule: m.rule,
    state: m.state,
    moved: moved.has(`${pairKey(m.gateway, m.alert_id)}\0${m.id}`),
  }));
  return { applied, moved: facts };
}

const stateOf = (a: AlertArrival) => ({
  state: a.m.state,
  rank: STATE_RANK[a.m.state],
  severity: a.m.severity,
  reason: a.m.reason,
  state_at: a.m.at,
  state_at_ms: a.atMs,
  state_received_at: a.receivedAt,
  state_order_ms: orderOf(a),
  message_id: a.m.id,
});

export async function applySummary(t: Tx, m: SummaryMessage, receivedAt: number) {
  const atMs = Date.parse(m.at);
  // A Pi has no real-time clock: a summary dated after it arrived is ordered by its arrival.
  const orderMs = Math.min(atMs, receivedAt);
  const row = {
    gateway: m.gateway,
    message_id: m.id,
    at: m.at,
    at_ms: atMs,
    order_ms: orderMs,
    json: JSON.stringify(m),
    fhir: JSON.stringify(summaryBundle(m)),
  };
  // One summary per resident and day; a newer one for the same day (asked for again) replaces it.
  const stored = await t
    .insertInto('summaries')
    .values({ ...row, resident: m.resident, date: m.date })
    .onConflict((oc) =>
      oc
        .columns(['resident', 'date'])
        .doUpdateSet(row)
        .where((eb) => eb.or([eb('summaries.order_ms', 'is', null), eb('summaries.order_ms', '<', orderMs)])),
    )
    .executeTakeFirst();
  // The day goes to the care record with the summary that stored it, or not at all.
  if (affected(stored) > 0)
    await queueFhirDay(t, { resident: m.resident, date: m.date, messageId: m.id }, receivedAt);
}

/** One night per resident and morning; a newer one (sent again after a restart) replaces it. */
export async function applyNight(t: Tx, m: NightMessage, receivedAt: number) {
  const atMs = Date.parse(m.at);
  const orderMs = Math.min(atMs, receivedAt);
  const row = {
    gateway: m.gateway,
    message_id: m.id,
    at: m.at,
    at_ms: atMs,
    order_ms: orderMs,
    json: JSON.stringify(m),
  };
  await t
    .insertInto('nights')
    .values({ ...row, resident: m.resident, date: m.date })
    .onConflict((oc) =>
      oc
        .columns(['resident', 'date'])
        .doUpdateSet(row)
        .where((eb) => eb('nights.order_ms', '<', orderMs)),
    )
    .execute();
}

export async function applyResult(t: Tx, m: CmdResultMessage, receivedAt: number) {
  const updated = await t
    .updateTable('commands')
    .set({ state: m.ok ? 'confirmed' : 'failed', detail: m.detail, result_at: receivedAt })
    .where('id', '=', m.command_id)
    // Only the home the command went to can answer it.
    .where('gateway', '=', m.gateway)
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
  if (m.ok && updated?.name === 'ack' && updated.alert_id) {
    await t
      .updateTable('alerts')
      .set({ ack_confirmed_at: receivedAt })
      .where('gateway', '=', m.gateway)
      .where('alert_id', '=', updated.alert_id)
      .where('ack_command_id', '=', m.command_id)
      .execute();
    // A test call is complete once the home confirms its acknowledgement.
    await t
      .updateTable('test_calls')
      .set({ confirmed_at: receivedAt })
      .where('gateway', '=', m.gateway)
      .where('alert_id', '=', updated.alert_id)
      .where('confirmed_at', 'is', null)
      .execute();
  }
}

export type HomeArrivals = {
  arrivals: readonly Arrival[];
  /** Heartbeat interval of a home the hub file does not list. */
  defaultHeartbeatMs: number;
  /** A skew beyond this, heartbeats in a row, is a clock out of step. */
  clockSkewMs: number;
  /**
   * PostgreSQL: the rows are read FOR UPDATE, so two instances fold one home in turn, and go as
   * arrays (home-rows.ts).
   */
  postgres: boolean;
};

/**
 * Every message says the home is alive; a status or heartbeat says more. The batch's homes are
 * read in one statement, folded (home-touch.ts) and written back in one: on PostgreSQL each
 * statement is a round trip, and heartbeats are most of what a hub receives.
 */
export async function touchHomes(t: Tx, h: HomeArrivals): Promise<void> {
  const byHome = new Map<string, Arrival[]>();
  for (const a of h.arrivals) {
    const gw = a.incoming.msg.gateway;
    const list = byHome.get(gw);
    if (list) list.push(a);
    else byHome.set(gw, [a]);
  }
  // In one order whoever locks them, so two instances wait for each other instead of deadlocking.
  for (const gateways of chunks([...byHome.keys()].sort(), CHUNK)) {
    const held = await readHomes(t, gateways, h.postgres);
    const rows = gateways.map((gateway): HomeRow => {
      const arrivals = byHome.get(gateway) ?? [];
      const first = arrivals[0] as Arrival;
      const row = held.get(gateway);
      const said = touchHome(
        row ?? UNHEARD,
        arrivals,
        row?.heartbeat_ms ?? h.defaultHeartbeatMs,
        h.clockSkewMs,
      );
      return {
        gateway,
        resident: first.incoming.msg.resident,
        expected: 0,
        heartbeat_ms: h.defaultHeartbeatMs,
        first_known_at: first.receivedAt,
        ...said,
      };
    });
    await writeHomes(t, rows, h.postgres);
  }
}
