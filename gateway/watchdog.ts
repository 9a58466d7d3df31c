// The systemd watchdog: WATCHDOG=1 only when a health check proves the parts that matter are
// alive. A ping from a bare interval proves only that some timer still runs; this one proves
// the event loop keeps time, the database answers a real query and the rule timer has fired
// when it was due. A failed check sends no ping, so systemd restarts a gateway that is stuck.

import type { Logger } from '../core/log.ts';
import type { Notify } from './notify.ts';

/** A rule wake-up this late means the rule timer is dead (the loop itself is checked apart). */
export const RULE_TIMER_GRACE_MS = 10_000;

export type HealthProbe = {
  /** A real query on the database; throws when the database does not answer. */
  db: () => void;
  /** When the rules asked to be woken next (null: nothing pending). */
  nextWake: () => number | null;
  /** Wall time on the gateway's clock, the one the rule timer runs on. */
  now: () => number;
};

export type HealthFacts = {
  lagMs: number;
  periodMs: number;
  dbError: string | null;
  now: number;
  nextWake: number | null;
};

/** Pure: what is wrong, one short phrase each; empty when healthy. */
export function healthProblems(f: HealthFacts): string[] {
  const problems: string[] = [];
  if (f.lagMs > f.periodMs) problems.push(`event loop held for ${Math.round(f.lagMs)} ms`);
  if (f.dbError) problems.push(`database not answering: ${f.dbError}`);
  if (f.nextWake !== null && f.now - f.nextWake > RULE_TIMER_GRACE_MS)
    problems.push(`rule timer ${Math.round((f.now - f.nextWake) / 1000)} s late`);
  return problems;
}

/** Checks health every half watchdog period and pings when healthy. Stops with the gateway. */
export function startWatchdog(o: { notify: Notify; probe: HealthProbe; log: Logger }): { stop: () => void } {
  const { notify, probe, log } = o;
  if (notify.watchdogMs === null) return { stop: () => {} };
  const periodMs = notify.watchdogMs / 2;
  let expected = performance.now() + periodMs;
  let handle: NodeJS.Timeout;
  let failing = false;
  const check = () => {
    const lagMs = performance.now() - expected;
    let dbError: string | null = null;
    try {
      probe.db();
    } catch (err) {
      dbError = (err as Error).message;
    }
    const problems = healthProblems({
      lagMs,
      periodMs,
      dbError,
      now: probe.now(),
      nextWake: probe.nextWake(),
    });
    if (problems.length === 0) {
      notify.send(failing ? 'WATCHDOG=1\nSTATUS=running' : 'WATCHDOG=1');
      if (failing) log.info('health check passes again');
      failing = false;
    } else {
      // No ping: if this lasts a watchdog period, systemd restarts the gateway.
      log.error({ problems }, `health check failed: ${problems.join('; ')}`);
      notify.send(`STATUS=unhealthy: ${problems.join('; ')}`);
      failing = true;
    }
    expected = performance.now() + periodMs;
    handle = setTimeout(check, periodMs);
  };
  handle = setTimeout(check, periodMs);
  return { stop: () => clearTimeout(handle) };
}
