// Four weeks of a resident's days as her home summarizes them and the hub stores them, for the
// care-team report's tests: readings from known plans (home-week.ts), summarized one day after
// another by the gateway's own summarizer, and each summary received by the hub's store through
// the receive path (parsed from its bytes on its topic). The last week is not like the others:
// later to bed, up in the night on four nights, not out of the home, less in the kitchen. One
// day's summary never arrived.

import type { HubStore } from '../../cloud-relay/hub/store.ts';
import type { SummaryMessage } from '../../cloud-relay/protocol/messages.ts';
import { parseConfigText } from '../../config/parse.ts';
import { Zone } from '../../core/zone.ts';
import { type DaySummary, summarizeDay, summaryPayload } from '../../gateway/summaries/index.ts';
import { addDays, localAt } from '../../gateway/summaries/timeline.ts';
import { type DayPlan, dayReadings, eventsFor, homeText, random, toEvents } from './home-week.ts';
import { received } from './hub-backends.ts';

export const LONDON = new Zone('Europe/London');
/** The 28 days end the day before console-rig's T0 (2026-03-02). */
export const FIRST = '2026-02-02';
export const LAST = '2026-03-01';
/** The day whose summary the home never delivered. */
export const MISSING = '2026-02-10';
/** Week 1's Monday: out 10:00 to 11:30. */
export const OUT_DAY = '2026-02-02';

export type Weeks = { summaries: SummaryMessage[]; plans: DayPlan[] };

const kit = { bed: true };

/** Plans for `days` days from FIRST; `changed`: the last week as described above. */
export function plansFor(days: number, changed: boolean): DayPlan[] {
  return Array.from({ length: days }, (_, i) => {
    const date = addDays(FIRST, i);
    const late = changed && i >= days - 7;
    const bed = late ? '23:45' : i % 2 ? '22:30' : '22:50';
    const tripNights = late ? [0, 1, 3, 5].map((k) => days - 7 + k) : [3, 10, 17, 24].filter((k) => k < days);
    const trips = tripNights.includes(i) ? [{ at: localAt(LONDON, date, '03:10'), minutes: 7 }] : [];
    const out =
      !late && i % 2 === 0
        ? [{ from: localAt(LONDON, date, '10:00'), to: localAt(LONDON, date, '11:30') }]
        : [];
    return {
      date,
      night: { bedtime: localAt(LONDON, date, bed, -1), wake: localAt(LONDON, date, '07:00'), trips },
      out,
    };
  });
}

/** The summaries the home makes of the plans, as `resident` at `gateway`. */
export function summariesOf(
  plans: DayPlan[],
  changed: boolean,
  gateway = 'gw-1',
  resident = 'r-1',
): SummaryMessage[] {
  const r = parseConfigText(
    homeText(kit).replace('id: gw-sum, resident: r-sum', `id: ${gateway}, resident: ${resident}`),
  );
  const config = r.config;
  if (!config) throw new Error(r.problems.map((p) => p.message).join('\n'));
  const keep = random(41);
  const lastWeek = plans.length >= 7 ? (plans[plans.length - 7] as DayPlan).date : '';
  const readings = plans
    .flatMap((p, i) => dayReadings(LONDON, kit, p, i + 3))
    // Less in the kitchen: most of its movement in the last week is never seen.
    .filter(
      (x) => !(changed && x.device === 'kitchen-motion' && LONDON.date(x.at) >= lastWeek && keep() < 0.75),
    );
  const events = toEvents(config, readings);
  const days: DaySummary[] = [];
  for (const p of plans)
    days.push(
      summarizeDay({
        date: p.date,
        config,
        zone: LONDON,
        events: eventsFor(events, LONDON, p.date),
        history: days,
        alerts: [],
      }),
    );
  return days.map((d) => summaryPayload(d, config));
}

/** The summaries received by the hub's store (all but MISSING's), each the morning after its day. */
export async function storeWeeks(
  store: HubStore,
  o: { changed?: boolean; days?: number } = {},
): Promise<Weeks> {
  const key = `${o.days ?? 28}:${o.changed ?? true}`;
  // Summarizing four weeks takes seconds: made once per file, stored afresh in each test's store.
  const made = memo.get(key) ?? weeksOf(o.days ?? 28, o.changed ?? true);
  memo.set(key, made);
  const { summaries } = made;
  for (const s of summaries) {
    if (s.date === MISSING) continue;
    const at = localAt(LONDON, addDays(s.date, 1), '06:00');
    await store.receive(received(`hearth/v1/${s.gateway}/summary`, s, at));
  }
  return made;
}

const memo = new Map<string, Weeks>();

function weeksOf(days: number, changed: boolean): Weeks {
  const plans = plansFor(days, changed);
  return { plans, summaries: summariesOf(plans, changed) };
}
