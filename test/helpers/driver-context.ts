import type { DriverContext, SourceStatus } from '../../firmware-bridge/driver.ts';
import { RealClock } from '../../gateway/clock.ts';
import { createLogger } from '../../gateway/log.ts';

/** A driver's context on the real clock, collecting what the driver hands on. */
export function driverContext() {
  const readings: Record<string, unknown>[] = [];
  const statuses: SourceStatus[] = [];
  const ctx: DriverContext = {
    clock: new RealClock(),
    log: createLogger({ level: 'silent' }),
    reading: (r) => readings.push(r as Record<string, unknown>),
    status: (s) => statuses.push(s),
  };
  return { ctx, readings, statuses };
}
