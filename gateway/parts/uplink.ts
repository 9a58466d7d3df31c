// The way out of the home, as parts: the relay to the trust (with the commands it answers), the
// pushes to carers' phones, and the kick that sends each new trust-bound message at once.
import type { Queue } from '../../cloud-relay/uplink/outbox.ts';
import { Pusher } from '../../cloud-relay/uplink/push.ts';
import { Relay, type RelayDeps, type RelayLimits } from '../../cloud-relay/uplink/relay.ts';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import type { Bus } from '../bus.ts';
import type { DailySummaries } from '../engine/daily-summaries.ts';
import type { RuleEngine } from '../engine/engine.ts';
import type { TestCalls } from '../engine/test-calls.ts';
import { VERSION } from '../status-report.ts';
import type { Store } from '../store/store.ts';
import { listening, type Part } from './part.ts';

export type RelayHooks = Pick<RelayDeps, 'onResent' | 'onReceipt'>;

/** The relay of the provisioning file, or null when it has none (alerts stay in the home). */
export function relayFor(d: {
  config: Config;
  store: Store;
  engine: RuleEngine;
  summaries: DailySummaries;
  testCalls: TestCalls;
  bus: Bus;
  clock: Clock;
  log: Logger;
  counters: Counters;
  limits?: Partial<RelayLimits>;
  hooks?: RelayHooks;
}): Relay | null {
  const { config, store, engine, summaries, bus } = d;
  if (!config.relay) return null;
  return new Relay({
    config,
    ...(d.limits ? { limits: d.limits } : {}),
    ...d.hooks,
    outbox: store.outbox,
    commandLog: store.commands,
    clock: d.clock,
    zone: engine.zone,
    log: d.log,
    counters: d.counters,
    version: VERSION,
    commands: {
      requestSummary: (date) => {
        const m = summaries.produce(date);
        return { ok: true, detail: `summary ${m.id} queued` };
      },
      // A daily test call is acknowledged as any alert is, and answered by the test calls.
      ack: (id, by) =>
        d.testCalls.ack(id, by) ??
        (engine.ack(id, by)
          ? { ok: true, detail: `${id} acknowledged by ${by}` }
          : { ok: false, detail: `no raised or escalated alert ${id} to acknowledge` }),
      close: (id, by, outcome) =>
        engine.close(id, by, outcome)
          ? { ok: true, detail: `${id} closed by ${by}: ${outcome}` }
          : { ok: false, detail: `no open alert ${id} to close (already over, or closed before)` },
      mode: ({ mode, until, by }) =>
        engine.setMode({ mode, by, source: 'trust', ...(until ? { until: Date.parse(until) } : {}) }),
    },
    onDelivery: (s) => bus.emit('delivery', s),
  });
}

/** The pusher of relay.push, or null when carers' phones are not configured. */
export function pusherFor(d: {
  config: Config;
  pushes: Queue;
  clock: Clock;
  log: Logger;
  counters: Counters;
}): Pusher | null {
  const push = d.config.relay?.push;
  return push
    ? new Pusher({ push, queue: d.pushes, clock: d.clock, log: d.log, counters: d.counters })
    : null;
}

/** Pushes left from before a restart are sent at once. */
export const pushes = (pusher: Pusher): Part => ({
  name: 'push',
  start: () => pusher.kick(),
  stop: () => pusher.stop(),
});

/** A committed message bound for the trust is sent now, not at the next drain. */
export const uplinkKicks = (bus: Bus, to: { relay: Relay | null; pusher: Pusher | null }): Part =>
  listening('uplink kicks', bus, 'message', (m) => {
    if (m.local) return;
    to.pusher?.kick();
    to.relay?.kick();
  });

export function relay(relay: Relay | null, log: Logger): Part {
  return {
    name: 'relay',
    start: () => {
      if (relay) relay.start();
      else log.warn('no relay in the provisioning file: alerts stay in the home');
    },
    stop: () => relay?.stop(),
  };
}
