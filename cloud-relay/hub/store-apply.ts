// What each kind of message does to the hub's tables, inside the transaction that took its id.
// Every effect is keyed by the gateway that sent it: one home never touches another's rows.
import { sql, type Transaction } from 'kysely';
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
import type { Incoming } from './incoming.ts';
import type { HubDb } from './tables.ts';

export type Tx = Transaction<HubDb>;

export const affected = (r: { numInsertedOrUpdatedRows?: bigint; numUpdatedRows?: bigint } | undefined) =>
  Number(r?.numInsertedOrUpdatedRows ?? r?.numUpdatedRows ?? 0);

/**
 * Binds the resident to this gateway if nobody holds her yet; a reason when another gateway
 * does, or when this gateway already speaks for someone else. One read on the usual path.
 */
export async function bindResident(t: Tx, gateway: string, resident: string, now: number) {
  const rows = await t
    .selectFrom('residents')
    .select(['resident', 'gateway'])
    .where((eb) => eb.or([eb('resident', '=', resident), eb('gateway', '=', gateway)]))
    .execute();
  const taken = (by: string | undefined) =>
    `resident ${resident} speaks through gateway ${by}; ${gateway} may not speak for her`;
  const hers = rows.find((r) => r.resident === resident);
  if (hers && hers.gateway !== gateway) return taken(hers.gateway);
  const other = rows.find((r) => r.gateway === gateway && r.resident !== resident);
  if (other) return `gateway ${gateway} speaks for resident ${other.resident}, not ${resident}`;
  if (hers) return null;
  const ins = await t
    .insertInto('residents')
    .values({ resident, gateway, bound_at: now })
    .onConflict((oc) => oc.column('resident').doNothing())
    .executeTakeFirst();
  if (affected(ins) > 0) return null;
  // Another instance bound her between our read and our write.
  const now_ = await t
    .selectFrom('residents')
    .select('gateway')
    .where('resident', '=', resident)
    .executeTakeFirst();
  return now_?.gateway === gateway ? null : taken(now_?.gateway);
}

export async function applyAlert(t: Tx, m: AlertMessage, receivedAt: number) {
  const atMs = Date.parse(m.at);
  const rank = STATE_RANK[m.state];
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
    state_received_at: receivedAt,
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
      first_received_at: receivedAt,
      ack_by: null,
      ack_command_id: null,
      ack_requested_at: null,
      ack_confirmed_at: null,
    })
    .onConflict((oc) =>
      oc
        .columns(['gateway', 'alert_id'])
        .doUpdateSet(state)
        // Only forward: a late `raised` after `acknowledged` goes to the history, not the state. An
        // update of the state it is in (another press while unanswered) is taken, if it is newer.
        .where((eb) =>
          eb.or([
            eb('alerts.rank', '<', rank),
            eb.and([
              eb('alerts.state', '=', m.state),
              eb.or([
                eb('alerts.state_received_at', 'is', null),
                eb('alerts.state_received_at', '<', receivedAt),
              ]),
            ]),
          ]),
        ),
    )
    .executeTakeFirst();
  if (m.rule === TEST_CALL_RULE && m.state === 'raised')
    await t
      .insertInto('test_calls')
      .values({
        gateway: m.gateway,
        alert_id: m.alert_id,
        resident: m.resident,
        sent_at: m.at,
        sent_at_ms: atMs,
        stored_at: receivedAt,
        acked_at: null,
        acked_by: null,
        confirmed_at: null,
      })
      .onConflict((oc) => oc.columns(['gateway', 'alert_id']).doNothing())
      .execute();
  return { gateway: m.gateway, alertId: m.alert_id, rule: m.rule, state: m.state, moved: affected(r) > 0 };
}

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

export type HomeTouch = {
  incoming: Incoming;
  receivedAt: number;
  defaultHeartbeatMs: number;
  /** A skew beyond this, heartbeats in a row, is a clock out of step. */
  clockSkewMs: number;
};

/**
 * Every message says the home is alive; a status or heartbeat says more. One upsert for all of
 * it: on PostgreSQL each statement is a round trip, and heartbeats are most of what a hub receives.
 */
export async function touchHome(t: Tx, r: HomeTouch) {
  const { msg } = r.incoming;
  const said = { last_seen_at: r.receivedAt, ...homeSays(r.incoming, r.receivedAt) };
  const skew = r.incoming.type === 'heartbeat' ? skewOf(Date.parse(msg.at) - r.receivedAt, r) : null;
  await t
    .insertInto('homes')
    .values({
      gateway: msg.gateway,
      resident: msg.resident,
      expected: 0,
      heartbeat_ms: r.defaultHeartbeatMs,
      first_known_at: r.receivedAt,
      ...said,
      ...(skew?.first ?? {}),
    })
    .onConflict((oc) =>
      oc.column('gateway').doUpdateSet((eb) => ({
        ...said,
        ...(skew?.next ?? {}),
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

/**
 * A heartbeat's `at` minus its arrival. A backlog after an outage arrives all at once and says
 * the clock is hours behind; a clock that really is says so again an interval later. So a skew
 * beyond the limit counts only from heartbeats at least half an interval apart, and is believed
 * from the second; a skew within the limit is believed at once.
 */
function skewOf(sample: number, r: HomeTouch) {
  if (Math.abs(sample) < r.clockSkewMs)
    return {
      first: { clock_skew_ms: sample, clock_skew_count: 0 },
      next: { clock_skew_ms: sample, clock_skew_count: 0 },
    };
  const spaced = sql`(homes.last_heartbeat_at is null or ${r.receivedAt} - homes.last_heartbeat_at >= homes.heartbeat_ms / 2)`;
  const count = sql<number>`(case when ${spaced} then homes.clock_skew_count + 1 else homes.clock_skew_count end)`;
  return {
    first: { clock_skew_count: 1 },
    next: {
      clock_skew_count: count,
      clock_skew_ms: sql<number>`(case when ${count} >= 2 then ${sample} else homes.clock_skew_ms end)`,
    },
  };
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
