// Watches that each configured serial port exists, retrying quietly with capped backoff.
// The drivers that speak each protocol sit on top of this; until a port appears, its devices
// are reported missing once.
import { existsSync } from 'node:fs';
import type { Cancel } from '../../gateway/clock.ts';
import { backoff, type Driver, type DriverContext, type SourceStatus } from '../driver.ts';

export type PortRow = { id: string; port: string; source: string };

export class PortPresence implements Driver {
  readonly name = 'serial';
  #ports: Map<
    string,
    { devices: string[]; source: string; present?: boolean; attempt: number; cancel?: Cancel }
  >;

  constructor(
    rows: PortRow[],
    private readonly ctx: DriverContext,
    private readonly capMs = 30_000,
  ) {
    this.#ports = new Map();
    for (const r of rows) {
      const p = this.#ports.get(r.port) ?? { devices: [], source: r.source, attempt: 0 };
      p.devices.push(r.id);
      this.#ports.set(r.port, p);
    }
  }

  async start(): Promise<void> {
    for (const port of this.#ports.keys()) this.#check(port);
  }

  async stop(): Promise<void> {
    for (const p of this.#ports.values()) p.cancel?.();
  }

  health(): SourceStatus[] {
    return [...this.#ports].map(([port, p]) => this.#status(port, p.present === true));
  }

  #status(port: string, present: boolean): SourceStatus {
    const p = this.#ports.get(port);
    return {
      source: p?.source ?? 'serial',
      devices: p?.devices ?? [],
      present,
      detail: present ? `port ${port} present` : `port ${port} not found`,
    };
  }

  #check(port: string): void {
    const p = this.#ports.get(port);
    if (!p) return;
    const present = existsSync(port);
    if (present !== p.present) this.ctx.status(this.#status(port, present));
    p.present = present;
    p.attempt = present ? 0 : p.attempt + 1;
    const next = present ? 5_000 : backoff(p.attempt, this.capMs);
    p.cancel = this.ctx.clock.timer(this.ctx.clock.now() + next, () => this.#check(port));
  }
}
