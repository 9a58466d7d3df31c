// The nights a resident page shows: each morning's night as the home sent it that morning (the
// `night` message), or as the day's summary carries it a day later. For one morning the newest
// wins: the summary, made with the whole day, over the night sent as soon as it was over; and an
// older gateway, which sends only summaries, still has its nights. Pure.
import type { NightMessage, SummaryMessage } from '../../protocol/messages.ts';

export type NightRow = {
  /** The morning the night ended on. */
  date: string;
  sleep: SummaryMessage['sleep'];
  /** false: the home had not seen her up when it sent this. */
  over: boolean;
  at: string;
};

/** Newest first, one per morning. */
export function nightRows(summaries: SummaryMessage[], nights: NightMessage[]): NightRow[] {
  const byDate = new Map<string, NightRow>();
  const rows: NightRow[] = [
    ...nights.map((n) => ({ date: n.date, sleep: n.sleep, over: n.over, at: n.at })),
    ...summaries.map((s) => ({ date: s.date, sleep: s.sleep, over: true, at: s.at })),
  ];
  for (const r of rows) {
    const known = byDate.get(r.date);
    if (!known || Date.parse(r.at) > Date.parse(known.at)) byDate.set(r.date, r);
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}
