import { Writable } from 'node:stream';
import { RealClock } from '../../core/clock.ts';
import { createLogger } from '../../core/log.ts';
import type { DriverContext, SourceStatus } from '../../firmware-bridge/driver.ts';

/** A driver's context on the real clock, collecting what the driver hands on and what it logs. */
export function driverContext() {
  const readings: Record<string, unknown>[] = [];
  const statuses: SourceStatus[] = [];
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const ctx: DriverContext = {
    clock: new RealClock(),
    log: createLogger({ level: 'info', destination, pretty: false }),
    reading: (r) => readings.push(r as Record<string, unknown>),
    status: (s) => statuses.push(s),
  };
  /** The log's messages so far, one per line. */
  const logs = () => lines.map((l) => String((JSON.parse(l) as { msg?: unknown }).msg)).join('\n');
  return { ctx, readings, statuses, logs };
}
