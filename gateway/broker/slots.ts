// Who gets in once signed in: connections are bounded in all and per user, so that one account
// (a leaked password, a buggy script) cannot take every slot and the configured users can always
// get in, as long as users x max_connections_per_user <= max_connections. Pure counts.
import type { Refusal } from './guard.ts';

export type SlotLimits = { maxConnections: number; maxPerUser: number };

export class ConnectionSlots {
  #byUser = new Map<string, number>();
  #total = 0;

  constructor(private readonly limits: SlotLimits) {}

  /**
   * A slot for `user`, or why not. `replacing`: it takes over a session of the same user (the same
   * client id, as a reconnecting Zigbee2MQTT does), whose slot is freed when it closes.
   */
  take(user: string, replacing: boolean): Refusal | undefined {
    const mine = this.#byUser.get(user) ?? 0;
    if (!replacing && mine >= this.limits.maxPerUser)
      return { code: 3, reason: `${user} has ${mine} connections, its limit` };
    if (!replacing && this.#total >= this.limits.maxConnections)
      return { code: 3, reason: `connection limit reached (${this.limits.maxConnections})` };
    this.#byUser.set(user, mine + 1);
    this.#total++;
    return undefined;
  }

  free(user: string): void {
    const mine = this.#byUser.get(user) ?? 0;
    if (mine <= 1) this.#byUser.delete(user);
    else this.#byUser.set(user, mine - 1);
    if (mine > 0) this.#total--;
  }
}
