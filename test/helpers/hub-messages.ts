// Version-1 messages as a home sends them, for the hub's tests; each passes the protocol schema.
import { envelope, type NightMessage, validNight } from '../../cloud-relay/protocol/messages.ts';
import { utcIso } from '../../tools/sim/home-messages.ts';

export { alert, heartbeat, status, summary } from '../../tools/sim/home-messages.ts';

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
