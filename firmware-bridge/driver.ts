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

export { backoff } from '../gateway/backoff.ts';
