// away: out by the front door for longer than she is ever out (the file's `after`, 12 h by
// default, or learned), or not back by the file's `back_by` at night. Out is a belief (the home
// model): the alert says what Hearth believes and why it may be wrong. Resolved when she is back,
// by the door or by movement inside. Pure.
import { z } from 'zod';
import { formatDuration } from '../../config/values.ts';
import { hhmmOf } from '../../core/zone.ts';
import { awayLimits, inMinutes, type LearnedAway } from '../routine/limits.ts';
import { noonShift } from '../routine/types.ts';
import { applyAck, newAlert, openAlert, transition } from './alert.ts';
import type { AlertEmit, Rule, RuleContext, Step } from './types.ts';

const awayState = z.object({ alert: openAlert.nullable(), outSince: z.number().nullable() });
export type AwayState = z.infer<typeof awayState>;

/** The home has a front door contact: without one, nothing tells her out from her still inside. */
export const hasFrontDoor = (ctx: RuleContext) => ctx.config.devices.some((d) => d.role === 'front-door');

type Deadline = { at: number; urgent: boolean; usual: string };

/** The first `hhmm` after `since`, at least an hour on: a walk at 01:30 is not "not back by 02:00". */
function firstAfter(since: number, hhmm: string | number, ctx: RuleContext): number {
  const t = ctx.zone.at(since, hhmm);
  return t < since + 3_600_000 ? ctx.zone.at(since, hhmm, 1) : t;
}

/** When out since `since` becomes an alert, how urgent, and what her own times out say. */
function deadlineOf(since: number, ctx: RuleContext): Deadline | null {
  const cfg = ctx.config.rules.away;
  if (cfg === 'off') return null;
  const learned =
    cfg.learn === 'off'
      ? null
      : awayLimits(ctx.routine, { afterMs: cfg.after, learnAfter: ctx.config.home.learn_after });
  const all: Deadline[] = [
    { at: since + (learned?.limitMs ?? cfg.after), urgent: false, usual: outFor(learned) },
  ];
  if (cfg.back_by) all.push({ at: firstAfter(since, cfg.back_by, ctx), urgent: true, usual: '' });
  if (learned?.backByFromNoon != null) {
    const min = noonShift(learned.backByFromNoon);
    all.push({ at: firstAfter(since, min, ctx), urgent: false, usual: backBy(learned, min) });
  }
  return all.reduce((a, b) => (b.at < a.at ? b : a));
}

/** " She is usually out for about 1 h 30 m (longest in 14 days: 4 h 20 m)." once learned. */
const outFor = (l: LearnedAway | null): string =>
  l?.usual
    ? ` She is usually out for about ${inMinutes(l.usual.q50Ms)} (longest in ${l.usual.days} days: ${inMinutes(l.usual.maxMs)}).`
    : '';

/** " She is usually back by 02:45 at night (latest in 14 days: 01:42)." */
const backBy = (l: LearnedAway, min: number): string => {
  const latest = l.usual?.latestReturnMin;
  const latestText = latest == null ? '' : ` (latest in ${l.usual?.days} days: ${hhmmOf(noonShift(latest))})`;
  return ` She is usually back by ${hhmmOf(min)} at night${latestText}.`;
};

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
        `Out since ${ctx.zone.hm(out.since)} (${formatDuration(now - out.since)}) by ${evidence}; not back.${due.usual} If she is in, she has not moved since.`,
        { out_since: ctx.zone.iso(out.since), out_for_s: Math.round((now - out.since) / 1000) },
      );
      emits.push(t.emit);
      st = { ...st, alert: t.alert };
    }
    return { state: st, emits, wakeAt: st.alert ? null : due.at };
  },
};
