// not_up: by the configured time, no sign of life outside the bedroom since the night ended.
import { z } from 'zod';
import { hhmmOf, minutesOfDay } from '../../core/zone.ts';
import { getUpBy, type LearnedGetUp } from '../routine/limits.ts';
import { applyAck, newAlert, openAlert, transition, whereSeen } from './alert.ts';
import { lastNightEnd, upSinceNight } from './night.ts';
import { type AlertEmit, lifeOf, type Rule, type RuleContext, type Step } from './types.ts';

const notUpState = z.object({ alert: openAlert.nullable(), checkedDay: z.string().nullable() });
export type NotUpState = z.infer<typeof notUpState>;

export const notUp: Rule<NotUpState> = {
  key: 'not_up',
  stateVersion: 1,
  stateSchema: notUpState,
  // Started after `by`, the rule did not watch this morning: it begins with tomorrow's.
  init: (now, ctx) => ({
    alert: null,
    checkedDay:
      ctx.config.rules.not_up && now >= ctx.zone.at(now, ctx.config.rules.not_up.by)
        ? ctx.zone.date(now)
        : null,
  }),

  reduce(s, input, now, ctx): Step<NotUpState> {
    const cfg = ctx.config.rules.not_up;
    if (!cfg) return { state: s, emits: [], wakeAt: null };
    const emits: AlertEmit[] = [];
    let st = s;
    if (st.alert) {
      const acked = applyAck(st.alert, input, now, ctx);
      if (acked) {
        emits.push(acked.emit);
        st = { ...st, alert: acked.alert };
      } else if (lifeOf(input, ctx) && upSinceNight(now, ctx)) {
        const life = lifeOf(input, ctx) as NonNullable<ReturnType<typeof lifeOf>>;
        const where = whereSeen(life.device, life.room);
        emits.push(
          transition(st.alert, 'resolved', now, `Up at ${ctx.zone.hm(now)}: activity ${where}.`).emit,
        );
        st = { ...st, alert: null };
      }
    }
    const by = upBy(ctx);
    const byAt = ctx.zone.at(now, by.byMin);
    const today = ctx.zone.date(now);
    if (now >= byAt && st.checkedDay !== today) {
      st = { ...st, checkedDay: today };
      const nightEnd = lastNightEnd(now, ctx);
      if (!st.alert && ctx.home.out === null && !upSinceNight(now, ctx) && nightEnd <= byAt) {
        const last = ctx.home.lastLifeAt;
        const seen =
          last !== null
            ? ` Last sign of life at ${ctx.zone.hm(last)}${ctx.home.lastLifeRoom ? ` in the ${ctx.home.lastLifeRoom}` : ''}.`
            : '';
        const alert = newAlert(ctx, 'not_up', byAt, 'warning', ctx.bedroom ? { room: ctx.bedroom } : {});
        const t = transition(
          alert,
          'raised',
          now,
          `Not up by ${hhmmOf(by.byMin)}: ${inBedNow(ctx)}no sign of life outside the bedroom since ${ctx.zone.hm(nightEnd)}.${seen}${usualUp(by)}`,
          {
            night_ended: ctx.zone.iso(nightEnd),
            last_sign_of_life: last === null ? null : ctx.zone.iso(last),
          },
        );
        emits.push(t.emit);
        st = { ...st, alert: t.alert };
      }
    }
    const next = now < byAt ? byAt : ctx.zone.at(now, by.byMin, 1);
    return { state: st, emits, wakeAt: next };
  },
};

/** `by`, or once her mornings are known, a late one of hers and a margin, never past `latest`. */
function upBy(ctx: RuleContext): LearnedGetUp {
  const cfg = ctx.config.rules.not_up;
  if (!cfg) return { byMin: 0 };
  const byMin = minutesOfDay(cfg.by);
  if (cfg.learn === 'off') return { byMin };
  const latestMin = cfg.latest ? minutesOfDay(cfg.latest) : Math.min(byMin + 180, 23 * 60 + 59);
  return getUpBy(ctx.routine, { byMin, latestMin, learnAfter: ctx.config.home.learn_after });
}

/** " She usually gets up by 10:50 (latest in 14 days: 11:15)." once learned. */
const usualUp = (by: LearnedGetUp): string =>
  by.usual
    ? ` She usually gets up by ${hhmmOf(by.usual.q50Min)} (latest in ${by.usual.days} days: ${hhmmOf(by.usual.maxMin)}).`
    : '';

/** "still in bed since 23:00; " when the bed says so (the home model's, debounced). */
const inBedNow = (ctx: RuleContext): string =>
  ctx.home.inBed && ctx.home.inBedSince !== null
    ? `still in bed since ${ctx.zone.hm(ctx.home.inBedSince)}; `
    : '';
