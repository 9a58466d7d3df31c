// Version-1 messages as a home sends them, for the hub's tests; each passes the protocol schema.
import {
  type AlertMessage,
  type AlertState,
  alertPayload,
  envelope,
  type NightMessage,
  type SummaryMessage,
  validNight,
  validSummary,
} from '../../cloud-relay/protocol/messages.ts';
import { utcIso } from '../../tools/sim/homes.ts';

export { heartbeat, status } from '../../tools/sim/homes.ts';

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

/**
 * The night ending on `date`'s morning, sent alone that morning; bedtime and wake as given (HH:MM,
 * UTC; a bedtime from noon on is the evening before).
 */
export function night(
  gw: string,
  resident: string,
  date: string,
  at: number,
  o: { bedtime?: string; wake?: string | null; over?: boolean; note?: string } = {},
): NightMessage {
  const hhmm = o.bedtime ?? '00:10';
  const evening = new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const bedtime = `${hhmm >= '12:00' ? evening : date}T${hhmm}:00+00:00`;
  const wake = o.wake === null ? null : `${date}T${o.wake ?? '07:30'}:00+00:00`;
  return validNight({
    ...envelope({ type: 'night', id: `${gw}-night-${date}-${at}`, gateway: gw, resident, at: utcIso(at) }),
    date,
    over: o.over ?? true,
    sleep: {
      source: 'bed',
      confidence: 'high',
      slept: true,
      note: o.note ?? 'From the bed sensor.',
      bedtime,
      wake,
      time_in_bed_min: wake ? Math.round((Date.parse(wake) - Date.parse(bedtime)) / 60_000) : 400,
      mid_sleep: null,
      out_of_bed: { count: 0, total_min: 0, longest_min: 0 },
      bathroom_visits: 0,
      restlessness: { bed_changes: 0, movement_min: null },
      heart_rate: null,
      in_bed: [{ from: bedtime, to: wake ?? `${date}T11:00:00+00:00` }],
    },
  });
}
