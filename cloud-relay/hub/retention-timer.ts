// Runs the retention of the hub file a minute after start and every ten minutes after; a pass
// that fails is logged and the next one tries again. Stopping waits for a pass in progress.
import type { Logger } from '../../core/log.ts';
import type { RetentionPeriods } from './retention.ts';
import type { HubStore } from './store.ts';

const FIRST_MS = 60_000;
const EVERY_MS = 10 * 60_000;

export function startRetention(d: {
  store: HubStore;
  log: Logger;
  now: () => number;
  periods: RetentionPeriods;
}): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const run = () => {
    running = d.store
      .enforceRetention(d.now(), d.periods)
      .then((r) => {
        const { batches: _, ...counts } = r;
        const deleted = Object.values(counts).reduce((a, b) => a + b, 0);
        if (deleted) d.log.info({ ...r }, `hub: retention deleted ${deleted} old records`);
      })
      .catch((err) => d.log.error({ err: (err as Error).message }, 'hub: retention pass failed'))
      .finally(() => {
        timer = setTimeout(run, EVERY_MS);
        timer.unref();
      });
  };
  timer = setTimeout(run, FIRST_MS);
  timer.unref();
  return async () => {
    clearTimeout(timer);
    await running;
    clearTimeout(timer);
  };
}
