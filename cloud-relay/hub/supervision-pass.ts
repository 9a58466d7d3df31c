// Runs supervision every interval: reads the homes and open supervision alerts, applies the pure
// decision, and raises each alert through its unique key so that only one instance raises it.
import type { Logger } from '../../core/log.ts';
import { commandsDue, homes, hubAlerts } from './queries.ts';
import type { HubStore } from './store.ts';
import { type SupervisionLimits, supervise } from './supervision-checks.ts';
import { testCallSummaries } from './test-calls.ts';

export type SupervisorDeps = {
  store: HubStore;
  log: Logger;
  now: () => number;
  instance: string;
  limits: SupervisionLimits;
  commandTimeoutMs: number;
  /**
   * After a pass that raised, resolved or flagged something: the console's open pages hear of it
   * at once (a silent gateway at night is urgent), and the push sender may send what it queued.
   */
  onChange?: (p: Pass) => void;
};

export type Pass = { raised: string[]; resolved: number; flagged: number };

/** Raised by the receiver, the ACL probe or the push sender when something happened, at most once a day each. */
export const EVENT_KINDS = ['signature_refused', 'resident_claimed', 'broker_acl', 'push_failed'];
const EVENT_ALERT_MS = 24 * 3600_000;

/** One pass; safe to run on every instance at once. */
export async function supervisionPass(d: SupervisorDeps): Promise<Pass> {
  const now = d.now();
  const db = d.store.db;
  const decision = supervise(
    await homes(db),
    await hubAlerts(db, { open: true }),
    now,
    d.limits,
    await testCallSummaries(db),
  );
  const raised: string[] = [];
  for (const a of decision.raise)
    if (await d.store.raiseHubAlert(a, now, d.instance)) {
      raised.push(a.key);
      d.log.warn({ gateway: a.gateway, kind: a.kind, severity: a.severity }, `hub alert: ${a.reason}`);
    }
  let resolved = 0;
  for (const r of decision.resolve) {
    const n = await d.store.resolveHubAlerts(r.gateway, r.kind, now);
    resolved += n;
    if (n) d.log.info({ gateway: r.gateway, kind: r.kind }, 'hub alert resolved');
  }
  // Alerts about one event, not a state supervision can see end: they stand for a day.
  resolved += await d.store.resolveStale(EVENT_KINDS, now - EVENT_ALERT_MS, now);
  let flagged = 0;
  for (const c of await commandsDue(db, now - d.commandTimeoutMs)) {
    if (!(await d.store.flagUnconfirmed(c.id))) continue;
    flagged++;
    const reason = `Command ${c.name}${c.alert_id ? ` for alert ${c.alert_id}` : ''} sent to ${c.gateway} was not confirmed within ${Math.round(d.commandTimeoutMs / 1000)} s.`;
    await d.store.raiseHubAlert(
      {
        key: `command_unconfirmed/${c.id}`,
        gateway: c.gateway,
        kind: 'command_unconfirmed',
        severity: 'high',
        reason,
      },
      now,
      d.instance,
    );
    d.log.warn({ gateway: c.gateway, command_id: c.id }, `hub alert: ${reason}`);
  }
  return { raised, resolved, flagged };
}

/** Every `everyMs`, one pass at a time; a failed pass is logged and the next one tries again. */
export function startSupervisor(
  d: SupervisorDeps,
  everyMs: number,
): { stop(): Promise<void>; runNow(): Promise<Pass> } {
  let running: Promise<Pass | undefined> = Promise.resolve(undefined);
  const run = () => {
    running = running.then(() =>
      supervisionPass(d)
        .then((p) => {
          if (p.raised.length > 0 || p.resolved > 0 || p.flagged > 0) d.onChange?.(p);
          return p;
        })
        .catch((err) => {
          d.log.error({ err: (err as Error).message }, 'hub: supervision pass failed');
          return undefined;
        }),
    );
    return running;
  };
  const timer = setInterval(() => void run(), everyMs);
  return {
    async runNow() {
      return (await run()) ?? { raised: [], resolved: 0, flagged: 0 };
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
