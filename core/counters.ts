// Counted outcomes (dropped readings, refused payloads, listener failures) for health and status.
export class Counters {
  readonly #values = new Map<string, number>();

  add(name: string, n = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + n);
  }
  get(name: string): number {
    return this.#values.get(name) ?? 0;
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#values].sort(([a], [b]) => a.localeCompare(b)));
  }
}
