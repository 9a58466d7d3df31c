// not_up: by the configured time, no sign of life outside the bedroom since the night ended.
import { z } from 'zod';
import { hhmmOf, minutesOfDay } from '../../core/zone.ts';
import { getUpBy, type LearnedGetUp } from '../routine/limits.ts';
import { applyAck, newAlert, openAlert, transition, whereSeen } from './alert.ts';
import { lastNightEnd, upSinceNight, wentToBed } from './night.ts';
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
    const by = upBy(ctx);
    if (st.alert) {
      const acked = applyAck(st.alert, input, now, ctx);
      const life = lifeOf(input, ctx);
      if (acked) {
        emits.push(acked.emit);
        st = { ...st, alert: acked.alert };
      } else if (
        life &&
        (upSinceNight(now, ctx) || (st.alert.state === 'pre-alert' && life.kind === 'button'))
      ) {
        // Up, or (asked) a press of any button: her answer. Either ends the morning's check.
        const where = whereSeen(life.device, life.room);
        const up = upSinceNight(now, ctx) && life.kind !== 'button';
        const said = up
          ? `Up at ${ctx.zone.hm(now)}: activity ${where}.`
          : `The resident answered at ${ctx.zone.hm(now)} (${life.device}).`;
        emits.push(
          transition(st.alert, st.alert.state === 'pre-alert' ? 'cancelled' : 'resolved', now, said).emit,
        );
        st = { ...st, alert: null };
      } else if (st.alert.state === 'pre-alert' && now >= st.alert.startedAt) {
        const t = transition(
          st.alert,
          'raised',
          now,
          `${notUpSentence(by, ctx, now)} The prompt was not answered.`,
          notUpFacts(ctx, now),
        );
        emits.push(t.emit);
        st = { ...st, alert: t.alert };
      }
    }
    const byAt = ctx.zone.at(now, by.byMin);
    const askAt = byAt - cfg.prompt;
    const today = ctx.zone.date(now);
    if (now >= askAt && st.checkedDay !== today) {
      st = { ...st, checkedDay: today };
      const nightEnd = lastNightEnd(now, ctx);
      if (!st.alert && ctx.home.out === null && !upSinceNight(now, ctx) && nightEnd <= byAt) {
        const alert = newAlert(ctx, 'not_up', byAt, 'warning', ctx.bedroom ? { room: ctx.bedroom } : {});
        // Asked in the minutes before `by`, so that carers hear at `by`, as without a prompt: the
        // alert begins at `by`, so the question lasts until its start.
        const t =
          now < byAt
            ? transition(
                { ...alert, state: 'pre-alert' },
                'pre-alert',
                now,
                `${notUpSentence(by, ctx, now, true)} Asking the resident to press "I'm OK" before carers are told at ${hhmmOf(by.byMin)}.`,
                notUpFacts(ctx, now),
              )
            : transition(alert, 'raised', now, notUpSentence(by, ctx, now), notUpFacts(ctx, now));
        emits.push(t.emit);
        st = { ...st, alert: t.alert };
      }
    }
    const next =
      st.alert?.state === 'pre-alert'
        ? st.alert.startedAt
        : now < askAt
          ? askAt
          : ctx.zone.at(now, by.byMin, 1) - cfg.prompt;
    return { state: st, emits, wakeAt: next };
  },
};

/** "Not up by 10:00: still in bed since 23:00; no sign of life outside the bedroom since 05:00. …" */
function notUpSentence(by: LearnedGetUp, ctx: RuleContext, now: number, asked = false): string {
  const nightEnd = ctx.zone.hm(lastNightEnd(now, ctx));
  const last = ctx.home.lastLifeAt;
  const seen =
    last !== null
      ? ` Last sign of life at ${ctx.zone.hm(last)}${ctx.home.lastLifeRoom ? ` in the ${ctx.home.lastLifeRoom}` : ''}.`
      : '';
  const head = asked ? `Not up at ${ctx.zone.hm(now)}` : `Not up by ${hhmmOf(by.byMin)}`;
  const notToBed = wentToBed(ctx) ? '' : ' She was not seen going to bed.';
  return `${head}: ${inBedNow(ctx)}no sign of life outside the bedroom since ${nightEnd}.${seen}${notToBed}${usualUp(by)}`;
}

function notUpFacts(ctx: RuleContext, now: number) {
  const last = ctx.home.lastLifeAt;
  return {
    night_ended: ctx.zone.iso(lastNightEnd(now, ctx)),
    last_sign_of_life: last === null ? null : ctx.zone.iso(last),
  };
}

/** `by`, or once her mornings are known, a late one of hers and a margin, never past `latest`. */
function upBy(ctx: RuleContext): LearnedGetUp {
  const cfg = ctx.config.rules.not_up;
  if (!cfg) return { byMin: 0 };
  const byMin = minutesOfDay(cfg.by);
  // Her own later mornings are for a night she is believed to have spent in bed; one who was never
  // seen going to bed is looked for at `by`.
  if (cfg.learn === 'off' || !wentToBed(ctx)) return { byMin };
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
