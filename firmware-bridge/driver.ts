// One small interface for every source of Readings (serial boards, radars, BLE, local MQTT).
import type { Clock } from '../gateway/clock.ts';
import type { Logger } from '../gateway/log.ts';

/** Whether a source's devices can be reached now, and why not. */
export type SourceStatus = { source: string; devices: string[]; present: boolean; detail: string };

export type DriverContext = {
  clock: Clock;
  log: Logger;
  /** A Reading, validated downstream by ingest. */
  reading(r: unknown): void;
  status(s: SourceStatus): void;
};

export interface Driver {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  health(): SourceStatus[];
}

/** Capped exponential backoff with jitter: 1 s, 2 s, 4 s ... up to `cap`. */
export function backoff(attempt: number, capMs: number, random = Math.random): number {
  const base = Math.min(capMs, 1000 * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.8 + 0.4 * random()));
}
