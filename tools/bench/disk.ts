// What a day of readings costs the SD card: the bytes the gateway hands to the kernel for its
// database (WAL frames, checkpoints; `wchar` in /proc/self/io), per reading and per day, at a
// typical home's load of 20,000 readings a day, and the nightly backup on top. The day is
// simulated: the group commit runs on the simulated clock, so commits are as many as in a real
// day. `write_bytes` (what reached the block layer) is given too; in a run this short the
// kernel has not yet merged repeated writes to a page, so it overstates what a day sends.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/schema.ts';
import { SimClock } from '../../core/clock.ts';
import { ingest } from '../../gateway/ingest.ts';
import { Store } from '../../gateway/store/store.ts';
import { quietEngine, READINGS_PER_DAY, readings } from './ingest.ts';

const DAY = 86_400_000;
/** A 32 GB card rated for about 500 full writes (common TLC microSD); "endurance" cards do more. */
export const CARD_BYTES = 32e9;
export const CARD_CYCLES = 500;

/** Bytes this process has handed to write(2)/pwrite(2) so far (wchar), and sent to the block layer. */
function io(): { wchar: number; writeBytes: number } {
  const text = readFileSync('/proc/self/io', 'utf8');
  const field = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { wchar: field('wchar'), writeBytes: field('write_bytes') };
}

export function measureDiskWrites(config: Config, days = 1): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-disk-'));
  try {
    const start = Date.parse('2026-03-02T00:00:00Z');
    const clock = new SimClock(start);
    const file = join(dir, 'bench.db');
    const store = Store.open(file, { now: () => clock.monotonic() });
    const { devices, engine } = quietEngine(config, store, clock);
    const n = days * READINGS_PER_DAY;
    const stream = readings(config, start, DAY / READINGS_PER_DAY);
    const before = io();
    for (let i = 0; i < n; i++) {
      const r = stream.next().value as { device: string; at: number; kind: string; value: boolean | number };
      clock.advanceTo(r.at);
      const res = ingest(devices, r);
      if (res.ok) engine.event(res.event);
    }
    engine.stop();
    store.close();
    const after = io();
    const readingsPerDay = (after.wchar - before.wchar) / days;
    // The nightly backup copies the whole database: at steady state, storage.keep_events of readings.
    const backupPerDay = (statSync(file).size / n) * READINGS_PER_DAY * (config.storage.keep_events / DAY);
    const total = readingsPerDay + backupPerDay;
    return {
      disk_bytes_per_reading_bytes: readingsPerDay / READINGS_PER_DAY,
      disk_readings_per_day_mb: readingsPerDay / 1e6,
      disk_block_layer_per_day_mb: (after.writeBytes - before.writeBytes) / days / 1e6,
      disk_backup_per_day_mb: backupPerDay / 1e6,
      disk_total_per_day_mb: total / 1e6,
      card_32gb_years: (CARD_BYTES * CARD_CYCLES) / (total * 365),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
