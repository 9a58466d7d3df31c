// The home's own view, on the local broker only and never relayed (DESIGN.md section 5):
// every accepted Reading, every alert state (pre-alerts and cancellations included), and a
// retained status for a dashboard in the home and the prompt device.
import { topics } from '../../cloud-relay/protocol/messages.ts';
import type { Config } from '../../config/schema.ts';
import type { Cancel, Clock } from '../../core/clock.ts';
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import type { Zone } from '../../core/zone.ts';
import type { LocalBroker } from '../broker/broker.ts';
import type { Bus } from '../bus.ts';
import { checkLocalStatus, LOCAL_STATUS_VERSION, type LocalStatus } from '../local-status.ts';
import { statusReport } from '../status-report.ts';
import type { Store } from '../store/store.ts';
import type { Part } from './part.ts';
import { storageFault } from './storage-care.ts';

export const STATUS_EVERY_MS = 60_000;

export type StatusSource = () => { source: string; devices: string[]; present: boolean; detail: string }[];

type LocalTopicsDeps = {
  broker: LocalBroker;
  bus: Bus;
  store: Store;
  clock: Clock;
  zone: Zone;
  counters: Counters;
  log: Logger;
  sources: StatusSource;
  /** More of the gateway's state for the status (hearth status reads it from here). */
  more?: () => Record<string, unknown>;
};

/** The local topics as a part; `status()` publishes a fresh status once it has started. */
export function localTopics(o: LocalTopicsDeps): Part & { status: () => Promise<void> } {
  let running: ReturnType<typeof publishLocalTopics> | null = null;
  return {
    name: 'local topics',
    start: () => {
      running = publishLocalTopics(o);
    },
    stop: () => running?.stop(),
    status: () => running?.status() ?? Promise.resolve(),
  };
}

/** The report `hearth status` shows; a database that cannot answer is itself the report. */
export function statusReportFor(o: {
  store: Store;
  path: string;
  config: Config;
  zone: Zone;
  clock: Clock;
}): Record<string, unknown> {
  const { store, path, config, zone, clock } = o;
  const asked = { reader: store.status, path, config, zone, now: clock.now(), failing: storageFault(store) };
  try {
    return { report: statusReport(asked) };
  } catch (err) {
    return { report_error: (err as Error).message };
  }
}

function publishLocalTopics(o: LocalTopicsDeps): { stop: () => void; status: () => Promise<void> } {
  const { broker, bus, zone, log } = o;
  const send = (topic: string, payload: unknown, retain = false) =>
    broker
      .publish(topic, JSON.stringify(payload), { retain })
      .catch((err: Error) => log.warn({ err: err.message, topic }, 'local publish failed'));

  const offEvent = bus.on('event', (e) => {
    void send(topics.localReading(e.device), {
      device: e.device,
      at: zone.iso(e.at),
      kind: e.kind,
      value: e.value,
      room: e.room,
    });
  });
  const offMessage = bus.on('message', (m) => void send(topics.localAlert, m.payload));
  const status = () => {
    const made = checkLocalStatus({
      v: LOCAL_STATUS_VERSION,
      at: zone.iso(o.clock.now()),
      sources: o.sources(),
      queue_depth: o.store.outbox.depth(),
      // An alert that cannot reach the trust is the home's business too: carers are not being told.
      delivery,
      clock: { time_zone: zone.name, wall_clock_jumps: o.counters.get('clock.jumps') },
      counters: o.counters.snapshot(),
      ...o.more?.(),
    });
    // A status that does not fit its own schema is this code's fault: said, and the last one kept.
    if (!made.ok) {
      log.error({ reason: made.reason }, 'local status not published');
      return Promise.resolve();
    }
    return send(topics.localStatus, made.status, true);
  };
  const offSource = bus.on('source-status', () => void status());
  // A care mode set or ended shows at once: a dashboard in the home says it, hearth status too.
  const offMode = bus.on('mode', () => void status());
  const offRequest = broker.subscribe(topics.localStatusRequest, () => void status());
  let delivery: LocalStatus['delivery'] = {
    undelivered: false,
    oldest_alert_age_s: null,
    unconfirmed: false,
    oldest_unconfirmed_alert_age_s: null,
    reason: null,
  };
  const offDelivery = bus.on('delivery', (d) => {
    delivery = {
      undelivered: d.undelivered,
      oldest_alert_age_s: d.oldestAlertAgeS,
      unconfirmed: d.unconfirmed,
      oldest_unconfirmed_alert_age_s: d.oldestUnconfirmedAlertAgeS,
      reason: d.reason,
    };
    void status();
  });
  let cancel: Cancel = () => {};
  const tick = () => {
    void status();
    cancel = o.clock.timer(o.clock.now() + STATUS_EVERY_MS, tick);
  };
  tick();
  return {
    status,
    stop: () => {
      offEvent();
      offMessage();
      offSource();
      offMode();
      offRequest();
      offDelivery();
      cancel();
    },
  };
}
