// Climbs the escalation ladders, on every instance, every `everyMs`: each open, urgent,
// unanswered alert of a resident with a ladder is read again in a transaction and its due rungs
// pushed (push-causes.ts's climb); a rung reached is one row, so instances climbing together push
// it once. Time is the injected clock's: the timer only says when to look.
import type { Logger } from '../../core/log.ts';
import { alertFacts, climb, ladderAlerts, ladderOf } from './push-causes.ts';
import { pushDb, pushTx } from './push-tables.ts';
import type { HubStore } from './store.ts';

export type LadderDeps = {
  store: HubStore;
  now: () => number;
  /** Where carers open the console (the links in the pushes). */
  base: () => string;
  log: Logger;
  /** After a pass that queued pushes: the sender may send at once. */
  onPushed?: () => void;
};

export type LadderPass = { pushed: { gateway: string; alertId: string; rung: number }[] };

export async function ladderPass(d: LadderDeps): Promise<LadderPass> {
  const now = d.now();
  const pushed: LadderPass['pushed'] = [];
  for (const seen of await ladderAlerts(pushDb(d.store.db))) {
    const rungs = await d.store.tx(async (tx) => {
      const t = pushTx(tx);
      // Read again inside: an acknowledgement since the list was read stops the climb.
      const a = await alertFacts(t, seen.gateway, seen.alert_id);
      return a ? climb(t, a, await ladderOf(t, a.resident), now, d.base()) : [];
    });
    for (const rung of rungs) {
      pushed.push({ gateway: seen.gateway, alertId: seen.alert_id, rung });
      d.log.warn(
        { gateway: seen.gateway, alert_id: seen.alert_id, rung },
        `hub: nobody answered alert ${seen.alert_id}; escalated to rung ${rung + 1} of its ladder`,
      );
    }
  }
  if (pushed.length) d.onPushed?.();
  return { pushed };
}

/** Every `everyMs`, one pass at a time; a failed pass is logged and the next one tries again. */
export function startLadder(
  d: LadderDeps,
  everyMs: number,
): { stop(): Promise<void>; runNow(): Promise<LadderPass> } {
  let running: Promise<LadderPass> = Promise.resolve({ pushed: [] });
  const run = () => {
    running = running.then(() =>
      ladderPass(d).catch((err) => {
        d.log.error({ err: (err as Error).message }, 'hub: ladder pass failed');
        return { pushed: [] };
      }),
    );
    return running;
  };
  const timer = setInterval(() => void run(), everyMs);
  return {
    runNow: run,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
