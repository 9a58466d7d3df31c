// Devices that publish to the local broker, as one source: subscribes to the topics the router
// names, maps each message, and hands the Readings on. A bad payload is counted and logged, never
// fatal, and costs none of the good readings in the same message.
import type { Clock } from '../../core/clock.ts';
import { rateLimited } from '../../core/log.ts';
import type { Driver, DriverContext, SourceStatus } from '../driver.ts';
import type { MapResult, MqttRow } from './mapper.ts';
import type { Router } from './router.ts';

export type Subscribe = (filter: string, handler: (topic: string, payload: Buffer) => void) => () => void;

/** Log at most this many refusals a minute: a misbehaving device must not flood the journal. */
const LOG_PER_MINUTE = 20;

export class MqttDevices implements Driver {
  readonly name = 'local-mqtt';
  #off: (() => void)[] = [];
  #seen = new Set<string>();
  #log: ReturnType<typeof rateLimited>;

  constructor(
    private readonly rows: readonly MqttRow[],
    private readonly router: Router,
    private readonly subscribe: Subscribe,
    private readonly ctx: DriverContext & { clock: Clock; counted?: (n: number) => void },
  ) {
    this.#log = rateLimited(60_000, () => ctx.clock.now(), { lines: LOG_PER_MINUTE, onTheClock: true });
  }

  async start(): Promise<void> {
    for (const filter of this.router.filters)
      this.#off.push(this.subscribe(filter, (topic, payload) => this.#message(topic, payload)));
  }

  async stop(): Promise<void> {
    for (const off of this.#off.splice(0)) off();
  }

  health(): SourceStatus[] {
    const heard = this.rows.filter((r) => this.#seen.has(r.id)).map((r) => r.id);
    const waiting = this.rows.filter((r) => !this.#seen.has(r.id)).map((r) => r.id);
    return [
      ...(heard.length
        ? [{ source: 'local-mqtt', devices: heard, present: true, detail: 'publishing to the local broker' }]
        : []),
      ...(waiting.length
        ? [
            {
              source: 'local-mqtt',
              devices: waiting,
              present: false,
              detail: 'nothing received yet on the local broker',
            },
          ]
        : []),
    ];
  }

  #message(topic: string, payload: Buffer): void {
    const now = this.ctx.clock.now();
    let r: MapResult;
    try {
      r = this.router.map(topic, payload, now);
    } catch (err) {
      // Nothing a device sends may throw into the broker that delivered it.
      r = { readings: [], problems: [`${topic}: the message could not be mapped: ${String(err)}`] };
    }
    for (const reading of r.readings) {
      this.#seen.add(reading.device);
      this.ctx.reading(reading);
    }
    if (r.problems.length) this.ctx.counted?.(r.problems.length);
    for (const p of r.problems)
      this.#log('refused', () => this.ctx.log.warn({ topic }, `payload refused: ${p}`));
  }
}
