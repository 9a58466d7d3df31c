// A trust's worth of history for the console's benchmark: homes that sent their status, a
// heartbeat and yesterday's summary, closed alerts (raised then resolved) over 30 days, a few
// still open, and supervision alerts for silent homes. Every message goes through the store's
// own receive path, so the rows are the ones the pages really read.
import { sql } from 'kysely';
import { parseIncoming } from '../../cloud-relay/hub/incoming.ts';
import type { HubStore } from '../../cloud-relay/hub/store.ts';
import {
  type AlertState,
  alertPayload,
  envelope,
  type MessageType,
  statusMessage,
  topics,
  validSummary,
} from '../../cloud-relay/protocol/messages.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

export const gatewayOf = (i: number) => `gw-${String(i).padStart(4, '0')}`;
export const residentOf = (i: number) => `r-${String(i).padStart(4, '0')}`;
const envelopeOf = <T extends MessageType>(type: T, home: number, id: string, at: number) =>
  envelope({ type, id, gateway: gatewayOf(home), resident: residentOf(home), at: iso(at) });

/** Hands one message to the store as the receiver would, with its topic and raw payload. */
export async function put(
  store: HubStore,
  m: { type: Exclude<MessageType, 'cmd_result'>; gateway: string },
  receivedAt: number,
) {
  const topic = topics[m.type](m.gateway);
  const p = parseIncoming(topic, Buffer.from(JSON.stringify(m)));
  if (!p.ok) throw new Error(p.reason);
  await store.receive({
    incoming: p.incoming,
    topic,
    receivedAt,
    instance: 'bench',
    defaultHeartbeatMs: MIN,
  });
}

export const alertOf = (home: number, alertId: string, state: AlertState, at: number, reason: string) =>
  alertPayload({
    ...envelopeOf('alert', home, `${gatewayOf(home)}-${alertId}-${state}`, at),
    alert_id: alertId,
    rule: 'inactivity',
    state,
    severity: 'urgent',
    room: 'lounge',
    reason,
  });

function summaryOf(home: number, at: number) {
  const date = iso(at - DAY).slice(0, 10);
  return validSummary({
    ...envelopeOf('summary', home, `${gatewayOf(home)}-summary-${date}`, at),
    date,
    sleep: {
      source: 'bed',
      confidence: 'high',
      slept: true,
      note: 'Slept through.',
      bedtime: null,
      wake: null,
      time_in_bed_min: 415,
      mid_sleep: null,
      out_of_bed: null,
      bathroom_visits: 1,
      restlessness: { bed_changes: 2, movement_min: 6 },
      heart_rate: null,
      in_bed: [],
    },
    activity: {
      per_hour: Array.from({ length: 24 }, (_, h) => (h > 7 && h < 22 ? 5 : 0)),
      per_room: [{ room: 'lounge', count: 40 }],
      signs_of_life: 70,
      active_min: 300,
      first: null,
      last: null,
      out_of_home_min: 0,
      away: [],
      kitchen: { fridge_opened: 6, meals: [], meals_with_activity: 1 },
      temperature: [],
      steps: null,
      // One home in ten has a pendant low on battery: the homes page shows it.
      devices: { silent: [], low_battery: home % 10 ? [] : [{ device: 'pendant', room: null, battery: 15 }] },
      alerts: [],
    },
    mental_health: {
      sri_7: 82,
      sri_14: null,
      mid_sleep: null,
      mid_sleep_drift_min_per_day: null,
      night_activity_min: 4,
      days_without_leaving: 1,
      check_ins: [],
    },
    baselines: [],
    notable: [],
  });
}

/** `alerts` history rows in all: one per open alert (`alerts / 100`), two per closed one. */
export async function seed(store: HubStore, o: { homes: number; alerts: number; now: number }) {
  // Nothing here is worth an fsync per message; the file is synced once at the end.
  await sql`pragma synchronous = OFF`.execute(store.db);
  const { homes, now } = o;
  for (let h = 0; h < homes; h++) {
    const at = now - 10 * MIN + h;
    const status = { state: 'online', versions: { hearth: '0.1.0', protocol: 1 } };
    await put(
      store,
      statusMessage.parse({ ...envelopeOf('status', h, `${gatewayOf(h)}-up`, at), ...status }),
      at,
    );
    await put(store, summaryOf(h, at), at);
  }
  const open = Math.max(1, Math.round(o.alerts / 100));
  const closed = Math.floor((o.alerts - open) / 2);
  for (let k = 0; k < closed; k++) {
    const at = now - 30 * DAY + Math.floor((k / closed) * 29 * DAY);
    const reason = `No movement seen for 3 h (closed alert ${k}).`;
    await put(store, alertOf(k % homes, `c${k}`, 'raised', at, reason), at);
    await put(
      store,
      alertOf(k % homes, `c${k}`, 'resolved', at + 20 * MIN, 'Movement again.'),
      at + 20 * MIN,
    );
  }
  for (let k = 0; k < open; k++) {
    const at = now - 3 * 60 * MIN + k * MIN;
    await put(
      store,
      alertOf((k * 7) % homes, `o${k}`, 'raised', at, `No movement seen for 3 h (open ${k}).`),
      at,
    );
  }
  for (let h = 0; h < homes; h += 100) {
    const draft = { kind: 'gateway_silent', severity: 'warning', reason: 'Not heard for 12 minutes.' };
    await store.raiseHubAlert(
      { key: `gateway_silent/${gatewayOf(h)}`, gateway: gatewayOf(h), ...draft },
      now,
      'bench',
    );
  }
  await sql`pragma synchronous = FULL`.execute(store.db);
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
}
