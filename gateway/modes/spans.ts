// The local days a care mode touched: what a learner of her routine leaves out (a day away, with
// a visitor or with a technician at work is not one of her usual days), and what a day's summary
// lists. Pure: the spans come from the store (modeSpans in gateway/store/mode-spans.ts).
import type { Zone } from '../../core/zone.ts';

type Span = { from: number; to: number };

/** Every local date (YYYY-MM-DD) that any span touches, in order. */
export function daysInModes(spans: readonly Span[], zone: Zone): string[] {
  const days = new Set<string>();
  for (const s of spans) {
    // Day by day from the span's first local day to the day of its last instant.
    for (let t = s.from; t < s.to; t = zone.at(t, '00:00', 1)) days.add(zone.date(t));
    if (s.to > s.from) days.add(zone.date(s.to - 1));
  }
  return [...days].sort();
}
