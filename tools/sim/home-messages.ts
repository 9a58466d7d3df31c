// What a simulated home sends, each passing the protocol's schema: its heartbeat and retained
// status, an alert's states and the daily summary. For `hearth simulate homes` and the hub's tests.
import {
  type AlertMessage,
  type AlertState,
  alertPayload,
  envelope,
  type HeartbeatMessage,
  heartbeatMessage,
  PROTOCOL_VERSION,
  type StatusMessage,
  type SummaryMessage,
  statusMessage,
  validSummary,
} from '../../cloud-relay/protocol/messages.ts';

/** A simulated home writes its times in UTC, to the second: 2026-03-02T07:31:00Z. */
export const utcIso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function heartbeat(gw: string, resident: string, at: number, queueDepth = 0): HeartbeatMessage {
  return heartbeatMessage.parse({
    ...envelope({ type: 'heartbeat', id: `${gw}-heartbeat-${at}`, gateway: gw, resident, at: utcIso(at) }),
    queue_depth: queueDepth,
    uptime_s: 60,
  });
}

export function status(
  gw: string,
  resident: string,
  state: 'online' | 'offline',
  at: number,
  extra: Partial<StatusMessage> = {},
): StatusMessage {
  return statusMessage.parse({
    ...envelope({ type: 'status', id: `${gw}-status-${state}-${at}`, gateway: gw, resident, at: utcIso(at) }),
    state,
    versions: { hearth: '0.1.0', protocol: PROTOCOL_VERSION },
    queue_depth: 0,
    ...extra,
  });
}

export function alert(
  gw: string,
  resident: string,
  alertId: string,
  state: AlertState,
  at: number,
): AlertMessage {
  return alertPayload({
    ...envelope({ type: 'alert', id: `${gw}-${alertId}-${state}`, gateway: gw, resident, at: utcIso(at) }),
    alert_id: alertId,
    rule: 'inactivity',
    state,
    severity: 'urgent',
    room: 'lounge',
    reason: 'No movement seen since 10:42 (3 h 10 m).',
    quiet_for_s: 11_400,
  });
}

export function summary(
  gw: string,
  resident: string,
  date: string,
  at: number,
  id = `${gw}-summary-${date}`,
): SummaryMessage {
  return validSummary({
    ...envelope({ type: 'summary', id, gateway: gw, resident, at: utcIso(at) }),
    date,
    sleep: {
      source: 'bed',
      confidence: 'high',
      slept: true,
      note: 'Slept through.',
      bedtime: `${date}T00:10:00+00:00`,
      wake: `${date}T07:05:00+00:00`,
      time_in_bed_min: 415,
      mid_sleep: `${date}T03:37:00+00:00`,
      out_of_bed: { count: 1, total_min: 4, longest_min: 4 },
      bathroom_visits: 1,
      restlessness: { bed_changes: 2, movement_min: 6 },
      heart_rate: { min: 52, mean: 58, readings: 40 },
      in_bed: [{ from: `${date}T00:10:00+00:00`, to: `${date}T07:05:00+00:00` }],
    },
    activity: {
      per_hour: Array.from({ length: 24 }, (_, h) => (h > 7 && h < 22 ? 5 : 0)),
      per_room: [{ room: 'lounge', count: 40 }],
      signs_of_life: 70,
      active_min: 300,
      first: `${date}T07:06:00+00:00`,
      last: `${date}T21:50:00+00:00`,
      out_of_home_min: 0,
      away: [],
      kitchen: { fridge_opened: 6, meals: [{ meal: 'breakfast', active_min: 12 }], meals_with_activity: 1 },
      temperature: [{ room: 'lounge', min: 18.5, mean: 19.6, max: 20.4 }],
      steps: null,
      devices: { silent: [], low_battery: [] },
      alerts: [],
    },
    mental_health: {
      sri_7: 82,
      sri_14: null,
      mid_sleep: `${date}T03:37:00+00:00`,
      mid_sleep_drift_min_per_day: 1.5,
      night_activity_min: 4,
      days_without_leaving: 1,
      check_ins: [],
    },
    baselines: [{ figure: 'sleep_min', value: 415, median: 420, days: 14 }],
    notable: [],
  });
}
