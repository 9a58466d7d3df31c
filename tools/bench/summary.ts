// The daily summary's cost with 1 and with 90 days of history in the event log: it reads one
// day's events through the time index, so the cost must follow the day, not the history.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/schema.ts';
import { SimClock } from '../../core/clock.ts';
import { createLogger } from '../../core/log.ts';
import { Zone } from '../../core/zone.ts';
import { DailySummaries } from '../../gateway/engine/daily-summaries.ts';
import { indexDevices } from '../../gateway/ingest.ts';
import { Store } from '../../gateway/store/store.ts';
import { READINGS_PER_DAY } from './ingest.ts';

const DAY = 86_400_000;
const ACTIVITY = ['hall-motion', 'kitchen-motion', 'bathroom-motion', 'lounge-pir', 'bed-pad'];

export function measureSummary(config: Config, historyDays: number, repeats: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-summary-'));
  try {
    const zone = new Zone(config.gateway.timezone);
    const end = Date.parse('2026-06-01T00:00:00Z');
    const store = Store.open(join(dir, 'bench.db'));
    const devices = indexDevices(config);
    const gap = DAY / READINGS_PER_DAY;
    store.transaction(() => {
      for (let t = end - historyDays * DAY; t < end; t += gap) {
        const device = ACTIVITY[Math.floor(t / gap) % ACTIVITY.length] as string;
        const row = devices.get(device);
        store.events.append({
          device,
          at: Math.round(t),
          kind: device === 'bed-pad' ? 'bed' : 'motion',
          value: Math.floor(t / 600_000) % 2 === 0,
          room: row?.room ?? null,
          role: null,
        });
      }
    });
    const clock = new SimClock(end);
    const daily = new DailySummaries({
      config: { ...config, relay: undefined },
      devices,
      store,
      clock,
      zone,
      log: createLogger({ level: 'silent' }),
      deliver: () => {},
    });
    const t0 = performance.now();
    for (let i = 0; i < repeats; i++) daily.produce('2026-05-31');
    const ms = (performance.now() - t0) / repeats;
    store.close();
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
