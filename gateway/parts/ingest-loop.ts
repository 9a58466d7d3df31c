// The ingest loop: each Reading a source puts on the bus goes through ingest into the rules, or
// is counted and logged as dropped. `submit` is the same door for a Reading from elsewhere.
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import type { Bus } from '../bus.ts';
import type { RuleEngine } from '../engine/engine.ts';
import { type DeviceIndex, type IngestResult, ingest } from '../ingest.ts';
import { listening, type Part } from './part.ts';

export function ingestLoop(d: {
  bus: Bus;
  devices: DeviceIndex;
  engine: RuleEngine;
  counters: Counters;
  log: Logger;
}): Part & { submit(reading: unknown): IngestResult } {
  const { bus, devices, engine, counters, log } = d;
  const submit = (reading: unknown): IngestResult => {
    const result = ingest(devices, reading);
    if (result.ok) {
      engine.event(result.event);
      counters.add('ingest.accepted');
      bus.emit('event', result.event);
    } else {
      counters.add(`ingest.dropped.${result.reason}`);
      // Neighbours' devices are expected and frequent: not worth a line each.
      log[result.reason === 'unknown_device' ? 'debug' : 'warn'](
        { reason: result.reason, detail: result.detail },
        'reading dropped',
      );
    }
    return result;
  };
  return { ...listening('ingest', bus, 'reading', submit), submit };
}
