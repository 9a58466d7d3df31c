// One small interface for every source of Readings (serial boards, radars, BLE, local MQTT).
import type { Clock } from '../core/clock.ts';
import { type Logger, rateLimited } from '../core/log.ts';
import type { Reading } from '../core/reading.ts';

/** Whether a source's devices can be reached now, and why not. */
export type SourceStatus = { source: string; devices: string[]; present: boolean; detail: string };

export type DriverContext = {
  clock: Clock;
  log: Logger;
  /** A Reading, validated downstream by ingest. */
  reading(r: Reading): void;
  status(s: SourceStatus): void;
};

/**
 * What a device keeps saying wrong (a bad line, a board's complaint) is logged five lines a
 * minute at most, a key each; the next window's first line is told how many were held back.
 */
export const deviceProblemLog = (clock: Clock) => rateLimited(60_000, () => clock.now(), { lines: 5 });

/** A pattern the gateway asks the outputs in the home (prompt buzzer, siren, speaker, status LED) to show. */
export type OutputEvent = { pattern: 'prompt' | 'prompt-end' | 'link-down' | 'link-ok' };

export interface Driver {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  health(): SourceStatus[];
  /** Drivers with output rows play the pattern on them; the others leave this out. */
  output?(o: OutputEvent): void;
}

export { backoff } from '../core/backoff.ts';
