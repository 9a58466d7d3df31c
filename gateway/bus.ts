// One typed event bus between the stages. A listener that throws is logged and counted, and
// cannot take the other listeners (or the source that emitted) down with it.
// Each event carries the contract type where it is declared.
import type { DeliveryState } from '../cloud-relay/uplink/relay.ts';
import type { Counters } from '../core/counters.ts';
import type { Logger } from '../core/log.ts';
import type { Event, Reading } from '../core/reading.ts';
import type { OutputEvent, SourceStatus } from '../firmware-bridge/driver.ts';
import type { OutMessage } from './engine/messages.ts';
import type { ModeChange } from './modes/mode.ts';

export type BusEvents = {
  /** What a source read, before ingest has checked it and placed it in its room. */
  reading: Reading;
  event: Event;
  /** An alert state change, committed; local ones (pre-alert, cancelled) included. */
  message: OutMessage;
  /**
   * A pattern for the prompt output (buzzer/LED) in the home: `prompt` asks the resident to press
   * "I'm OK"; `link-down` says carers are not being told; `link-ok` ends it.
   */
  output: OutputEvent;
  /** Whether every alert reaches the trust (the relay's watch). */
  delivery: DeliveryState;
  /**
   * A fault the home shows with the link-down pattern while it lasts, by its source (storage
   * failing, a test call nobody acknowledged); `fault: null`, it is over.
   */
  fault: { source: string; fault: string | null };
  /** Whether a source's devices can be reached now, and why not. */
  'source-status': SourceStatus;
  /** A care mode set, replaced or ended, committed. */
  mode: ModeChange;
};

type Listener<T> = (payload: T) => void;

export class Bus {
  #listeners = new Map<keyof BusEvents, Set<Listener<never>>>();
  constructor(
    private readonly log: Logger,
    private readonly counters: Counters,
  ) {}

  on<K extends keyof BusEvents>(name: K, fn: Listener<BusEvents[K]>): () => void {
    const set = this.#listeners.get(name) ?? new Set();
    this.#listeners.set(name, set);
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  emit<K extends keyof BusEvents>(name: K, payload: BusEvents[K]): void {
    for (const fn of this.#listeners.get(name) ?? []) {
      try {
        (fn as Listener<BusEvents[K]>)(payload);
      } catch (err) {
        this.counters.add(`bus.listener_failed.${name}`);
        this.log.error({ err, event: name }, 'a listener failed; the others carry on');
      }
    }
  }
}
