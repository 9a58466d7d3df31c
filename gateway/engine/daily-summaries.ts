// The daily summary on its schedule (schedules.daily_summary, cron in gateway.timezone), on the
// engine's clock, so replays make them at their simulated instants. A summary made on local day
// F is of day F-1: that complete day and the night that ended on it. It is kept (the next days'
// baselines are made of kept summaries) and queued for the trust in one synced unit.

import type { AlertState } from '../../cloud-relay/protocol/messages.ts';
import { type SummaryMessage, topics } from '../../cloud-relay/protocol/messages.ts';
import type { Config } from '../../config/schema.ts';
import type { Cancel, Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { Zone } from '../../core/zone.ts';
import type { DeviceIndex } from '../ingest.ts';
import type { Store } from '../store/store.ts';
import { type DaySummary, summarizeDay, summaryPayload, toFhirBundle } from '../summaries/index.ts';
import { cronSchedule } from '../time/cron.ts';

const HISTORY_DAYS = 14;
const DAY = 86_400_000;

export type SummaryDeps = {
  config: Config;
  devices: DeviceIndex;
  store: Store;
  clock: Clock;
  zone: Zone;
  log: Logger;
  /** A summary, after it has been committed. */
  deliver: (m: SummaryMessage) => void;
};

/**
 * Since when the gateway has watched the home, noted the first time it starts. A day (or a night)
 * it did not watch from its start would be a partial summary and would skew the baselines of the
 * days after it: the first scheduled summary is of the first whole day.
 */
export function watchingSince(store: Store, now: number): number {
  const known = store.meta.get('watching_since');
  if (known !== undefined) return Number(known);
  store.unit(() => store.meta.put('watching_since', String(now)), true);
  return now;
}

export class DailySummaries {
  #cancel: Cancel | null = null;
  #cron;

  constructor(private readonly d: SummaryDeps) {
    this.#cron = cronSchedule(d.config.schedules.daily_summary, d.zone);
  }

  start(): void {
    watchingSince(this.d.store, this.d.clock.now());
    this.#arm(this.d.clock.now());
  }

  stop(): void {
    this.#cancel?.();
  }

  #arm(after: number): void {
    const at = this.#cron.next(after);
    if (at === null) return;
    this.#cancel = this.d.clock.timer(at, () => {
      const yesterday = this.d.zone.date(this.d.zone.at(at, '12:00', -1));
      const since = Number(this.d.store.meta.get('watching_since') ?? 0);
      try {
        if (this.d.zone.at(this.d.zone.at(at, '12:00', -1), '00:00') >= since) this.produce(yesterday);
        else this.d.log.debug(`no daily summary for ${yesterday}: the gateway started during that day`);
      } catch (err) {
        this.d.log.error({ err, date: yesterday }, `daily summary for ${yesterday} failed`);
      }
      this.#arm(at);
    });
  }

  /** Makes, keeps and queues the summary of a local day (also on request from the trust). */
  produce(date: string): SummaryMessage {
    const { config, store, zone, clock, devices } = this.d;
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const dayStart = zone.fromLocal(y, m, d, 0);
    const from = zone.at(dayStart, '12:00', -1);
    const to = zone.at(dayStart + DAY / 2, '00:00', 1);
    store.commit(); // what the summary reads must include the readings still in the group commit
    // The event log keeps no role: it comes from the provisioning file, as for the rules.
    const events = store.events
      .between(from, to)
      .map((e) => ({ ...e, role: devices.get(e.device)?.role ?? null }));
    const summary: DaySummary = summarizeDay({
      date,
      config,
      zone,
      events,
      history: store.days.summariesBefore<DaySummary>(date, HISTORY_DAYS),
      alerts: store.days.alertsBetween(dayStart, to) as { rule: string; state: AlertState }[],
      modes: store.modes.between(dayStart, to),
      now: clock.now(),
    });
    const payload = summaryPayload(summary, config);
    const format = config.relay?.summary_format ?? 'json';
    const gw = config.gateway.id;
    store.unit(() => {
      store.days.putSummary(date, summary, clock.now());
      if (format !== 'fhir')
        store.outbox.add({
          id: payload.id,
          topic: topics.summary(gw),
          type: 'summary',
          payload: JSON.stringify(payload),
          created_at: clock.now(),
        });
      if (format !== 'json')
        store.outbox.add({
          id: `${payload.id}:fhir`,
          topic: topics.summaryFhir(gw),
          type: 'summary',
          payload: JSON.stringify(toFhirBundle(summary, config)),
          created_at: clock.now(),
        });
    }, true);
    this.d.log.info({ date, notable: summary.notable.length }, `daily summary for ${date}`);
    this.d.deliver(payload);
    return payload;
  }
}
