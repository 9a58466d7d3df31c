// How far the summaries' bedtime and wake are from the hand-labelled main sleep of each night.
import type { SummaryMessage } from '../../cloud-relay/protocol/messages.ts';
import type { Zone } from '../../core/zone.ts';
import type { Label } from './home.ts';
import { labelledNights } from './labels.ts';

export type SleepErrors = {
  nights: number;
  /** Of the labelled nights, those a summary gave a bedtime and a wake for. */
  found: number;
  bedtimeMedianMin: number | null;
  wakeMedianMin: number | null;
  worstMin: number | null;
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[s.length >> 1] as number) : null;
};

export function sleepErrors(
  summaries: readonly SummaryMessage[],
  labels: readonly Label[],
  zone: Zone,
): SleepErrors {
  const truth = labelledNights(labels, zone);
  const byDate = new Map(summaries.map((s) => [s.date, s]));
  const bed: number[] = [];
  const wake: number[] = [];
  for (const [date, t] of truth) {
    const s = byDate.get(date)?.sleep;
    if (!s?.bedtime || !s.wake) continue;
    bed.push(Math.abs(Date.parse(s.bedtime) - t.start) / 60_000);
    wake.push(Math.abs(Date.parse(s.wake) - t.end) / 60_000);
  }
  return {
    nights: truth.size,
    found: bed.length,
    bedtimeMedianMin: median(bed),
    wakeMedianMin: median(wake),
    worstMin: bed.length ? Math.max(...bed, ...wake) : null,
  };
}
