// The escalation ladder as a pure reducer: given an alert, its resident's ladder, the rungs
// already pushed and the claims on it, which rungs are due now and when to look again. The first
// rung is pushed at once; each next rung when the wait of the one before has passed, counted on
// the schedule from the first push (a hub that was down catches up on every rung overdue, in one
// pass) and only while nobody has claimed or acknowledged the alert. The monitoring centre is
// always the last rung, after every rung of the resident's own.
export type Rung = { kind: 'staff' | 'ntfy'; target: string; waitMin: number };

export type LadderAlert = {
  state: string;
  severity: string;
  /** Someone asked for an acknowledgement (the console, a notification, the hub's CLI). */
  ackBy: string | null;
};

export type LadderView = {
  /** Rungs already pushed, with when. */
  pushed: { rung: number; at: number }[];
  /** Claims ("I'm on my way"), any rung's. */
  claims: number;
};

export type LadderStep = { push: number[]; wakeAt: number | null };

const PUSHED_STATES = new Set(['raised', 'escalated']);

/** Whether the ladder still climbs for this alert: urgent, open, unanswered. */
export const unanswered = (a: LadderAlert, claims: number): boolean =>
  a.severity === 'urgent' && PUSHED_STATES.has(a.state) && a.ackBy === null && claims === 0;

/** The rungs to push now (indexes; `rungs.length` is the centre) and the next instant to look. */
export function ladderStep(a: LadderAlert, rungs: Rung[], v: LadderView, now: number): LadderStep {
  if (!unanswered(a, v.claims)) return { push: [], wakeAt: null };
  const done = new Set(v.pushed.map((p) => p.rung));
  const first = v.pushed.find((p) => p.rung === 0);
  if (!first) return { push: [0], wakeAt: null };
  const push: number[] = [];
  let due = first.at;
  for (let rung = 1; rung <= rungs.length; rung++) {
    due += (rungs[rung - 1]?.waitMin ?? 0) * 60_000;
    if (done.has(rung)) continue;
    if (due > now) return { push, wakeAt: due };
    push.push(rung);
  }
  return { push, wakeAt: null };
}
