// What the hand labels say, in the terms the evaluation needs: when the home was empty, and the
// main sleep of each night. Pure.
import type { Zone } from '../../core/zone.ts';
import type { Label } from './home.ts';

const MIN = 60_000;

/** Times she was out (the `Leaving` labels), merged. */
export function outIntervals(labels: readonly Label[]): { start: number; end: number }[] {
  return merge(
    labels.filter((l) => l.activity === 'Leaving'),
    0,
  );
}

export const isOut = (t: number, out: readonly { start: number; end: number }[]): boolean =>
  out.some((o) => t >= o.start && t < o.end);

/**
 * The labelled main sleep of each night, by the local date it ends on: Sleeping spells less than
 * 30 minutes apart are one sleep, and the longest that starts between 18:00 and noon is the night's.
 */
export function labelledNights(
  labels: readonly Label[],
  zone: Zone,
): Map<string, { start: number; end: number }> {
  const nights = new Map<string, { start: number; end: number }>();
  for (const s of merge(
    labels.filter((l) => l.activity === 'Sleeping'),
    30 * MIN,
  )) {
    const date = zone.date(s.end);
    const from = zone.at(s.end, '18:00', -1);
    const to = zone.at(s.end, '12:00');
    const known = nights.get(date);
    if (s.start >= from && s.start < to && (!known || s.end - s.start > known.end - known.start))
      nights.set(date, s);
  }
  return nights;
}

function merge(spells: readonly Label[], gapMs: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const l of [...spells].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && l.start - last.end <= gapMs) last.end = Math.max(last.end, l.end);
    else out.push({ start: l.start, end: l.end });
  }
  return out;
}
