// Connections that have not sent CONNECT yet (nor finished TLS or the WebSocket handshake): at
// most so many from one address and in all. A new one past a bound closes the oldest, of its own
// address first, so idle sockets cannot hold the door shut: a client that sends CONNECT at once,
// as Zigbee2MQTT does, is never the oldest for long. Pure: keys in, keys to close out.

export type PendingLimits = { maxPending: number; maxPerAddress: number };

export class PendingConnections {
  /** Key -> address, oldest first. */
  #waiting = new Map<string, string>();
  #perAddress = new Map<string, number>();

  constructor(private readonly limits: PendingLimits) {}

  get size(): number {
    return this.#waiting.size;
  }

  /** A new connection from `address`: the older ones to close to make room for it. */
  add(key: string, address: string): string[] {
    const close: string[] = [];
    if ((this.#perAddress.get(address) ?? 0) >= this.limits.maxPerAddress) {
      const oldest = [...this.#waiting].find(([, a]) => a === address)?.[0];
      if (oldest !== undefined) close.push(oldest);
    }
    for (const k of close) this.remove(k);
    if (this.#waiting.size >= this.limits.maxPending) {
      const oldest = this.#waiting.keys().next().value as string;
      this.remove(oldest);
      close.push(oldest);
    }
    this.#waiting.set(key, address);
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    return close;
  }

  /** Its CONNECT came, or it closed. */
  remove(key: string): void {
    const address = this.#waiting.get(key);
    if (address === undefined) return;
    this.#waiting.delete(key);
    const n = (this.#perAddress.get(address) ?? 1) - 1;
    if (n === 0) this.#perAddress.delete(address);
    else this.#perAddress.set(address, n);
  }
}
