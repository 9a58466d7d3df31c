// What the engine does with each change of care mode beyond its own state: the span it writes in
// the store (in the unit of work that changed the mode), and, once that is committed, the log
// line, the counter and whoever listens (the local status).
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import type { Zone } from '../../core/zone.ts';
import { modeText } from '../modes/filter.ts';
import type { ModeChange } from '../modes/mode.ts';
import type { Store } from '../store/store.ts';

/** In the unit of work: the span that ended is closed, the one that began is opened. */
export function recordModeChanges(store: Store, changes: readonly ModeChange[]): void {
  for (const c of changes) {
    if (c.from) store.modes.end(c.at);
    if (c.to) store.modes.begin(c.to);
  }
}

/** After the commit: said in the log, counted (modes.set, replaced, ended, expired), told. */
export function tellModeChange(
  c: ModeChange,
  d: { log: Logger; counters: Counters; zone: Zone; onMode?: (c: ModeChange) => void },
): void {
  d.counters.add(`modes.${c.how}`);
  if (c.to)
    d.log.info(
      { mode: c.to.mode, by: c.to.by },
      `care mode: ${modeText(c.to, c.at, d.zone)}, set by ${c.to.by} (${c.to.source})`,
    );
  else if (c.from)
    d.log.info(
      { mode: c.from.mode },
      c.how === 'expired'
        ? `care mode: ${c.from.mode} mode ended at ${d.zone.hm(c.at)}, its time up`
        : `care mode: ${c.from.mode} mode ended at ${d.zone.hm(c.at)} by ${c.by ?? 'request'}`,
    );
  d.onMode?.(c);
}
