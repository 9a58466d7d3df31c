// The rule engine as a part: resumed from the store at start. What it delivers is logged and
// told on the bus, and so is each change of care mode; a trust-bound alert that carers must hear
// of at once also queues a push.
import type { Queue } from '../../cloud-relay/uplink/outbox.ts';
import { pushRowFor } from '../../cloud-relay/uplink/push.ts';
import type { Bus } from '../bus.ts';
import { type EngineOptions, RuleEngine } from '../engine/engine.ts';
import type { Part } from './part.ts';

export function ruleEngine(
  d: Omit<EngineOptions, 'deliver' | 'alsoQueue' | 'rules' | 'onMode'> & {
    bus: Bus;
    /** The pushes' queue (PUSH_QUEUE). */
    pushes: Queue;
  },
): RuleEngine {
  const { config, devices, store, clock, log, counters, bus, pushes } = d;
  return new RuleEngine({
    config,
    devices,
    store,
    clock,
    log,
    counters,
    alsoQueue: (m) => {
      const push = config.relay?.push;
      const row = push ? pushRowFor(m.payload, push, m.at) : undefined;
      if (row) pushes.add(row);
    },
    deliver: (m) => {
      log.info(
        { alert_id: m.payload.alert_id, state: m.payload.state, rule: m.payload.rule },
        m.payload.reason,
      );
      bus.emit('message', m);
    },
    onMode: (c) => bus.emit('mode', c),
  });
}

export const rules = (engine: RuleEngine): Part => ({
  name: 'rules',
  start: () => engine.start(),
  stop: () => engine.stop(),
});
