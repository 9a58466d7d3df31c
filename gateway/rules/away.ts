// away: out by the front door for longer than she is ever out (the file's `after`, 12 h by
// default, or learned), or not back by the file's `back_by` at night. Out is a belief (the home
// model): the alert says what Hearth believes and why it may be wrong. Resolved when she is back,
// by the door or by movement inside. Pure.
import { z } from 'zod';
import { formatDuration } from '../../config/values.ts';
import { applyAck, newAlert, openAlert, transition } from './alert.ts';
import type { AlertEmit, Rule, RuleContext, Step } from './types.ts';

const awayState = z.object({ alert: openAlert.nullable(), outSince: z.number().nullable() });
export type AwayState = z.infer<typeof awayState>;

/** The home has a front door contact: without one, nothing tells her out from her still inside. */
export const hasFrontDoor = (ctx: RuleContext) => ctx.config.devices.some((d) => d.role === 'front-door');

/** When out since `since` becomes an alert, and how urgent. */
function deadlineOf(since: number, ctx: RuleContext): { at: number; urgent: boolean } | null {
  const cfg = ctx.config.rules.away;
  if (cfg === 'off') return null;
  const after = { at: since + cfg.after, urgent: false };
  if (!cfg.back_by) return after;
  // The first back_by after she left, at least an hour on: a walk at 01:30 is not "not back by 02:00".
  let backBy = ctx.zone.at(since, cfg.back_by);
  if (backBy < since + 3_600_000) backBy = ctx.zone.at(since, cfg.back_by, 1);
  return backBy < after.at ? { at: backBy, urgent: true } : after;
}

export const away: Rule<AwayState> = {
  key: 'away',
  stateVersion: 1,
  stateSchema: awayState,
  init: () => ({ alert: null, outSince: null }),

  reduce(s, input, now, ctx): Step<AwayState> {
    if (ctx.config.rules.away === 'off' || !hasFrontDoor(ctx)) return { state: s, emits: [], wakeAt: null };
    const emits: AlertEmit[] = [];
    let st = s;
    const acked = applyAck(st.alert, input, now, ctx);
    if (acked) {
      emits.push(acked.emit);
      st = { ...st, alert: acked.alert };
    }
    const out = ctx.home.out;
    if (!out) {
      if (st.alert) {
        const how = ctx.home.arrivedAt === ctx.home.lastLifeAt ? 'by the front door' : 'moving inside';
        const back = ctx.home.lastLifeAt ?? now;
        emits.push(transition(st.alert, 'resolved', back, `Back at ${ctx.zone.hm(back)}, ${how}.`).emit);
      }
      return { state: { alert: null, outSince: null }, emits, wakeAt: null };
    }
    st = { ...st, outSince: out.since };
    const due = deadlineOf(out.since, ctx);
    if (!due) return { state: st, emits, wakeAt: null };
    if (!st.alert && now >= due.at) {
      const alert = newAlert(ctx, 'away', out.since, due.urgent ? 'urgent' : 'warning');
      const evidence =
        out.evidence === 'door and tag' ? 'the front door, and her tag is not heard' : 'the front door';
      const t = transition(
        alert,
        'raised',
        now,
        `Out since ${ctx.zone.hm(out.since)} (${formatDuration(now - out.since)}) by ${evidence}; not back. If she is in, she has not moved since.`,
        { out_since: ctx.zone.iso(out.since), out_for_s: Math.round((now - out.since) / 1000) },
      );
      emits.push(t.emit);
      st = { ...st, alert: t.alert };
    }
    return { state: st, emits, wakeAt: st.alert ? null : due.at };
  },
};
