// Plays a tune on one output through the injected clock's timers, so a simulated clock steps
// through it in tests. Keeps playing whether or not the board is there: its level is set again
// when the board comes back.
import type { Cancel, Clock } from '../../../core/clock.ts';
import { TUNES, type Tune } from './patterns.ts';

export class TunePlayer {
  #tune: Tune = TUNES.off;
  #cancel: Cancel | undefined;
  /** The level the tune asks for now. */
  on = false;

  constructor(
    private readonly clock: Clock,
    private readonly set: (on: boolean) => void,
  ) {}

  get tune(): string {
    return this.#tune.name;
  }

  play(tune: Tune): void {
    if (tune === this.#tune) return;
    this.stop();
    this.#tune = tune;
    this.#step(0);
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #step(i: number): void {
    const { steps, loop } = this.#tune;
    const step = steps[i];
    if (!step) return;
    if (step.on !== this.on) {
      this.on = step.on;
      this.set(step.on);
    }
    const next = i + 1 < steps.length ? i + 1 : loop ? 0 : undefined;
    if (next === undefined) return;
    this.#cancel = this.clock.timer(this.clock.now() + step.ms, () => this.#step(next));
  }
}
