// The night summary, sent the morning the night ends: from the end of the night (the end of the
// night_out_of_bed window, or 05:00) it looks every few minutes whether the home model believes
// her up; when she is, it computes the night from the events so far and sends it once it is over
// (up for 30 minutes). At schedules.night_summary_by it sends what is known, saying she is not up.
// On the engine's clock, so replays send it at its simulated instant.
//
// Exactly once: the morning it was sent is marked in the same synced unit as the outbox row, so a
// restart before it sends it (late, if the latest time has passed), and one after sends nothing.

import { type NightMessage, topics } from '../../cloud-relay/protocol/messages.ts';
import type { Cancel } from '../../core/clock.ts';
import { nightEndTime } from '../rules/night.ts';
import type { RuleContext } from '../rules/types.ts';
import {
  DEFAULT_OPTIONS,
  nightPayload,
  RECENT_MS,
  summarizeNight,
  type UpBelief,
  upNow,
} from '../summaries/index.ts';
import { bedroomOf } from '../summaries/timeline.ts';
import { type SummaryDeps, watchingSince } from './daily-summaries.ts';

/** How often the morning is looked at: the night goes out within this of her being up 30 minutes. */
const CHECK_MS = 5 * 60_000;
/** The morning (local date) whose night was last sent. */
const SENT_KEY = 'night_summary.sent';

export type NightDeps = Omit<SummaryDeps, 'deliver'> & {
  /** What the home model believes now. */
  home: () => UpBelief;
  /** A night, after it has been committed. */
  deliver: (m: NightMessage) => void;
};

export class NightSummaries {
  #cancel: Cancel | null = null;
  readonly #bed: { bed: string | null; bedroom: string | null };

  constructor(private readonly d: NightDeps) {
    this.#bed = bedroomOf(d.config, d.devices);
  }

  start(): void {
    watchingSince(this.d.store, this.d.clock.now());
    // A morning not yet sent is looked at at once: the gateway may have been off when she got up,
    // or at the latest time.
    this.#arm(this.d.clock.now());
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = null;
  }

  /** The morning's window: from the end of the night to the latest time, on t's local date. */
  #window(t: number): { from: number; by: number } {
    const { zone, config } = this.d;
    const end = nightEndTime({ config } as RuleContext);
    return { from: zone.at(t, end), by: zone.at(t, config.schedules.night_summary_by) };
  }

  /** The start of the night window (night_out_of_bed's, or the summaries' own) ending on t's date. */
  #nightStart(t: number): number {
    const w = this.d.config.rules.night_out_of_bed?.window ?? DEFAULT_OPTIONS.night;
    return this.d.zone.at(t, w.from, w.from >= w.to ? -1 : 0);
  }

  #arm(at: number): void {
    this.#cancel = this.d.clock.timer(at, () => {
      let next: number;
      try {
        next = this.#check(at);
      } catch (err) {
        this.d.log.error({ err }, 'night summary failed');
        next = at + CHECK_MS;
      }
      this.#arm(next);
    });
  }

  /** Looks at the morning of `now`, sends its night if it is time; returns when to look next. */
  #check(now: number): number {
    const { zone, store } = this.d;
    const date = zone.date(now);
    const { from, by } = this.#window(now);
    const tomorrow = this.#window(zone.at(now, '12:00', 1)).from;
    if (now < from) return from;
    if (store.meta.get(SENT_KEY) === date) return tomorrow;
    // A night the gateway did not watch from its start would be part of one.
    if (watchingSince(store, now) > this.#nightStart(now)) return tomorrow;
    const final = now >= by;
    const home = this.d.home();
    const bedSensor = this.#bed.bed !== null;
    const maybe = upNow(home, { bedroom: this.#bed.bedroom, now, recentMs: RECENT_MS, bedSensor });
    if (final || maybe) {
      const sent = this.produce(date, now, final);
      if (sent || final) return tomorrow;
    }
    // On a grid from the end of the night, so the checks fall on the same minutes every day.
    return Math.min(by, from + (Math.floor((now - from) / CHECK_MS) + 1) * CHECK_MS);
  }

  /** Sends the night that ended on the morning of `date` if it is over (or `final`); null if not. */
  produce(date: string, now: number, final: boolean): NightMessage | null {
    const { config, store, zone, devices } = this.d;
    store.commit(); // what the night reads must include the readings still in the group commit
    const events = store.events
      .between(zone.at(now, '12:00', -1), now + 1)
      .map((e) => ({ ...e, role: devices.get(e.device)?.role ?? null }));
    const night = summarizeNight({ date, config, zone, events, home: this.d.home(), now, final });
    if (!night) return null;
    const payload = nightPayload(night, config);
    store.unit(() => {
      store.meta.put(SENT_KEY, date);
      store.outbox.add({
        id: payload.id,
        topic: topics.night(config.gateway.id),
        type: 'night',
        payload: JSON.stringify(payload),
        created_at: now,
      });
    }, true);
    this.d.log.info({ date, over: night.over }, `night summary for ${date}`);
    this.d.deliver(payload);
    return payload;
  }
}
