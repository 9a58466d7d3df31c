// The store, opened first and closed last: checked at open, restored from a backup if corrupt.
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { openChecked, type Recovery } from '../store/recover.ts';
import type { Store } from '../store/store.ts';
import type { Opening } from './part.ts';

export function openStore(o: {
  path: string;
  log: Logger;
  clock: Clock;
}): Opening<{ store: Store; recovery: Recovery | null }> {
  return {
    name: 'store',
    open: () => {
      const opened = openChecked(o.path, o.log, o.clock.now());
      o.log.info({ path: o.path, outbox: opened.store.outbox.depth() }, 'store open');
      return opened;
    },
    close: ({ store }) => store.close(),
  };
}
