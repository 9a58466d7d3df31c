// Something done now, then again every so often, until stopped or until a bound: an output asks the
// resident again while she has not answered, and never past the prompt's own length, so an end
// that never comes (a bug, a lost message) cannot leave a siren or a voice going for ever.
import type { Cancel, Clock } from '../core/clock.ts';

export type Repeat = {
  everyMs: number;
  /** The instant past which nothing is done again; `atBound` is called then instead. */
  untilAt: number;
  each: () => void;
  atBound: () => void;
};

/** Starts at once; the Cancel stops it without calling `atBound`. */
export function repeatUntil(clock: Clock, r: Repeat): Cancel {
  let timer: Cancel = () => {};
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    if (clock.now() >= r.untilAt) {
      stopped = true;
      r.atBound();
      return;
    }
    r.each();
    // `each` may have stopped it.
    if (!stopped) timer = clock.timer(Math.min(clock.now() + r.everyMs, r.untilAt), tick);
  };
  tick();
  return () => {
    stopped = true;
    timer();
  };
}
