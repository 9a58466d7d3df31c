// Readings per second through ingest + rules + store, and the cost of one reading with 1 and with
// 90 days of history in the event log (it must not grow with history).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/schema.ts';
import { SimClock } from '../../core/clock.ts';
import { Counters } from '../../core/counters.ts';
import { createLogger } from '../../core/log.ts';
import { RuleEngine } from '../../gateway/engine/engine.ts';
import { indexDevices, ingest } from '../../gateway/ingest.ts';
import { Store } from '../../gateway/store/store.ts';

const DAY = 86_400_000;
/** A typical home sends about 20,000 readings a day. */
export const READINGS_PER_DAY = 20_000;

/** A plausible stream of readings from the reference home: motion, doors, bed, temperature, battery. */
export function* readings(config: Config, start: number, gapMs: number) {
  const pick = [
    ['hall-motion', 'motion', true],
    ['kitchen-motion', 'motion', true],
    ['bathroom-motion', 'motion', false],
    ['fridge-door', 'contact', true],
    ['fridge-door', 'contact', false],
    ['bed-pad', 'bed', true],
    ['lounge-temp', 'temperature', 19.5],
    ['lounge-pir', 'motion', true],
    ['bedroom-radar', 'presence', true],
    ['lounge-temp', 'battery', 80],
  ] as const;
  const known = new Set(config.devices.map((d) => d.id));
  let t = start;
  for (let i = 0; ; i++) {
    const [device, kind, value] = pick[i % pick.length] as (typeof pick)[number];
    if (!known.has(device)) continue;
    t += gapMs;
    yield { device, at: t, kind, value };
  }
}

function prefill(store: Store, days: number, end: number): void {
  const n = days * READINGS_PER_DAY;
  const gap = (days * DAY) / n;
  store.transaction(() => {
    for (let i = 0; i < n; i++)
      store.events.append({
        device: 'hall-motion',
        at: Math.round(end - days * DAY + i * gap),
        kind: 'motion',
        value: i % 2 === 0,
        room: 'hall',
        role: null,
      });
  });
}

/** Microseconds per reading over `count` readings on a store holding `historyDays` of events. */
/** The rules engine of a benchmark: started, silent, delivering nowhere. */
export function quietEngine(config: Config, store: Store, clock: SimClock) {
  const devices = indexDevices(config);
  const engine = new RuleEngine({
    config,
    devices,
    store,
    clock,
    log: createLogger({ level: 'silent' }),
    counters: new Counters(),
    deliver: () => {},
  });
  engine.start();
  return { devices, engine };
}

export function measureIngest(
  config: Config,
  historyDays: number,
  count: number,
): { perReadingUs: number; perSecond: number } {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  try {
    const start = Date.parse('2026-03-02T07:00:00Z');
    const store = Store.open(join(dir, 'bench.db'));
    if (historyDays > 0) prefill(store, historyDays, start);
    const clock = new SimClock(start);
    const { devices, engine } = quietEngine(config, store, clock);
    const stream = readings(config, start, 4_000);
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const r = stream.next().value as { device: string; at: number; kind: string; value: boolean | number };
      clock.advanceTo(r.at);
      const res = ingest(devices, r);
      if (res.ok) engine.event(res.event);
    }
    const elapsed = performance.now() - t0;
    engine.stop();
    store.close();
    return { perReadingUs: (elapsed * 1000) / count, perSecond: count / (elapsed / 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
