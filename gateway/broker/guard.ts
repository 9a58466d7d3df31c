// Who may try to sign in: wrong passwords are counted per user name and address, so a guesser
// locks out only the name it guesses, never Zigbee2MQTT beside it on 127.0.0.1; and each address
// has a budget of failures over all names, so guessing many names is slowed too, without
// touching the names that have signed in from there. Pure state over an injected clock reading.

export type SignInLimits = {
  /** Wrong passwords for one name from one address in a minute before that pair is refused. */
  maxFailures: number;
  /** How long such a pair is refused. */
  banMs: number;
  /**
   * Failed sign-ins from one address in a minute, over all names: past it, names that have not
   * signed in from there are refused until the minute has passed.
   */
  maxAddressFailures: number;
};

/** A CONNACK refusal: 5 not authorized (this name, here), 3 server unavailable (a limit). */
export type Refusal = { code: 3 | 5; reason: string };

const WINDOW_MS = 60_000;
/** Names and addresses come from outside: remembered at most this many, the oldest forgotten first. */
const MAX_KEYS = 10_000;

const pairKey = (address: string, name: string) => `${address}\u0000${name}`;

/** Appends to an insertion-ordered map, forgetting the oldest entry past MAX_KEYS. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_KEYS) map.delete(map.keys().next().value as string);
}

export class SignInGuard {
  /** Failure times in the last minute, by pair and by address. */
  #failures = new Map<string, number[]>();
  #bannedUntil = new Map<string, number>();
  /** The names that have signed in from each address. */
  #known = new Map<string, Set<string>>();

  constructor(private readonly limits: SignInLimits) {}

  /** Why `name` may not try to sign in from `address` now, before its password is checked. */
  refuse(address: string, name: string, now: number): Refusal | undefined {
    const pair = pairKey(address, name);
    const until = this.#bannedUntil.get(pair);
    if (until !== undefined && now < until)
      return { code: 5, reason: `too many wrong passwords for ${name || 'no name'} from ${address}` };
    if (until !== undefined) this.#bannedUntil.delete(pair);
    if (this.#known.get(address)?.has(name)) return undefined;
    if (this.#recent(address, now).length >= this.limits.maxAddressFailures)
      return { code: 3, reason: `too many failed sign-ins from ${address}; new names wait a minute` };
    return undefined;
  }

  failed(address: string, name: string, now: number): void {
    remember(
      this.#failures,
      address,
      [...this.#recent(address, now), now].slice(-this.limits.maxAddressFailures),
    );
    const pair = pairKey(address, name);
    const recent = [...this.#recent(pair, now), now];
    if (recent.length >= this.limits.maxFailures) {
      remember(this.#bannedUntil, pair, now + this.limits.banMs);
      this.#failures.delete(pair);
    } else remember(this.#failures, pair, recent);
  }

  succeeded(address: string, name: string): void {
    this.#failures.delete(pairKey(address, name));
    const names = this.#known.get(address) ?? new Set<string>();
    names.add(name);
    remember(this.#known, address, names);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
  }
}
