// night_out_of_bed: inside the night window, out of bed and not back within `after`.

import { z } from 'zod';
import { formatDuration } from '../../config/values.ts';
import { inMinutes, type LearnedNightUp, nightUpLimit } from '../routine/limits.ts';
import { applyAck, newAlert, openAlert, transition } from './alert.ts';
import { type AlertEmit, lifeOf, type Rule, type RuleContext, type Step } from './types.ts';

const nightOutState = z.object({
  /** In bed at the last input: getting up is the change from in bed to not. */
  wasInBed: z.boolean(),
  outSince: z.number().nullable(),
  alert: openAlert.nullable(),
});
export type NightOutState = z.infer<typeof nightOutState>;

/** The bed sensor: the one the rule names, else the first device of kind bed. */
export const bedDevice = (ctx: RuleContext): string | null =>
  ctx.config.rules.night_out_of_bed?.device ??
  ctx.config.devices.find((d) => 'kind' in d && d.kind === 'bed')?.id ??
  null;

/**
 * In bed, as the home model has it: the named sensor's mat, else any mat of the bed (two mats on
 * one bed are one bed), each counted once its change has held; and since when.
 */
function inBed(ctx: RuleContext): { inBed: boolean; since: number | null } {
  const named = ctx.config.rules.night_out_of_bed?.device;
  if (!named) return { inBed: ctx.home.inBed, since: ctx.home.inBedSince };
  const m = ctx.home.mats[named];
  return { inBed: m?.held ?? false, since: m && m.raw === m.held ? m.rawSince : null };
}

export const nightOutOfBed: Rule<NightOutState> = {
  key: 'night_out_of_bed',
  stateVersion: 2,
  stateSchema: nightOutState,
  // Version 1 named its bed and read its raw events; the model's debounced bed replaces both.
  migrate: (old, from) => {
    if (from !== 1 || !old || typeof old !== 'object') return undefined;
    const o = old as { outSince?: number | null; alert?: unknown };
    const r = nightOutState.safeParse({
      wasInBed: false,
      outSince: o.outSince ?? null,
      alert: o.alert ?? null,
    });
    return r.success ? r.data : undefined;
  },
  init: (_now, ctx) => ({ wasInBed: inBed(ctx).inBed, outSince: null, alert: null }),

  reduce(s, input, now, ctx): Step<NightOutState> {
    const cfg = ctx.config.rules.night_out_of_bed;
    if (!cfg || !bedDevice(ctx)) return { state: s, emits: [], wakeAt: null };
    const emits: AlertEmit[] = [];
    let st = s;
    const acked = applyAck(st.alert, input, now, ctx);
    if (acked) {
      emits.push(acked.emit);
      st = { ...st, alert: acked.alert };
    }
    const bed = inBed(ctx);
    const at = bed.since ?? now;
    if (st.wasInBed && !bed.inBed && st.outSince === null && !st.alert) st = { ...st, outSince: at };
    if (!st.wasInBed && bed.inBed) {
      if (st.alert) {
        const out = st.outSince ?? st.alert.startedAt;
        // Stamped when she lay down: the mat's change is known once it has held.
        const back = `Back in bed at ${ctx.zone.hm(at)} after ${formatDuration(at - out)}.`;
        emits.push(
          transition(st.alert, st.alert.state === 'pre-alert' ? 'cancelled' : 'resolved', at, back).emit,
        );
      }
      st = { ...st, outSince: null, alert: null };
    }
    st = { ...st, wasInBed: bed.inBed };
    // Asked, she answers with any button: she is up and well, and this time out of bed is done
    // with (no longer out since anything) until she is back in bed and gets up again.
    const life = lifeOf(input, ctx);
    if (st.alert?.state === 'pre-alert' && life?.kind === 'button') {
      emits.push(
        transition(
          st.alert,
          'cancelled',
          now,
          `The resident answered at ${ctx.zone.hm(now)} (${life.device}).`,
        ).emit,
      );
      st = { ...st, alert: null, outSince: null };
    }
    const limit = upLimit(ctx);
    const deadline = st.outSince === null ? null : st.outSince + limit.afterMs;
    if (deadline !== null && st.outSince !== null && (!st.alert || st.alert.state === 'pre-alert')) {
      const since = st.outSince;
      const night = ctx.zone.windowAt(since, cfg.window.from, cfg.window.to);
      const askAt = Math.max(since, deadline - cfg.prompt);
      const outFor = (t: number) =>
        `Out of bed since ${ctx.zone.hm(since)} (${formatDuration(t - since)}) in the night`;
      // Up near the end of the night is the morning, not a night out of bed.
      if (!night || deadline >= night.end) st = { ...st, outSince: null };
      else if (now >= deadline) {
        const alert = st.alert ?? newAlert(ctx, 'night_out_of_bed', since, 'warning', about(ctx));
        const t = transition(
          alert,
          'raised',
          now,
          `${outFor(now)}${usualUp(limit)}${st.alert ? '; the prompt was not answered' : ''}.`,
          {
            out_since: ctx.zone.iso(since),
            out_for_s: Math.round((now - since) / 1000),
          },
        );
        emits.push(t.emit);
        st = { ...st, alert: t.alert };
      } else if (now >= askAt && !st.alert) {
        // Asked in the last minutes before the bound, so carers hear at the bound, as unasked.
        const alert = {
          ...newAlert(ctx, 'night_out_of_bed', since, 'warning', about(ctx)),
          state: 'pre-alert' as const,
        };
        const t = transition(
          alert,
          'pre-alert',
          now,
          `${outFor(now)}${usualUp(limit)}; asking the resident to press "I'm OK" before carers are told at ${ctx.zone.hm(deadline)}.`,
        );
        emits.push(t.emit);
        st = { ...st, alert: t.alert };
      }
    }
    const wake =
      st.outSince === null || (st.alert && st.alert.state !== 'pre-alert')
        ? null
        : st.alert
          ? st.outSince + limit.afterMs
          : Math.max(st.outSince, st.outSince + limit.afterMs - cfg.prompt);
    return { state: st, emits, wakeAt: wake };
  },
};

/** `after`, or once her nights are known, a long time up of hers and a margin, never longer. */
function upLimit(ctx: RuleContext): LearnedNightUp {
  const cfg = ctx.config.rules.night_out_of_bed;
  if (!cfg) return { afterMs: 0 };
  if (cfg.learn === 'off') return { afterMs: cfg.after };
  return nightUpLimit(ctx.routine, { afterMs: cfg.after, learnAfter: ctx.config.home.learn_after });
}

/** "; at night she is usually back in bed within 12 m (longest in 14 days: 20 m)" once learned. */
const usualUp = (l: LearnedNightUp): string =>
  l.usual
    ? `; at night she is usually back in bed within ${inMinutes(l.usual.q95Ms)} (longest in ${l.usual.days} days: ${inMinutes(l.usual.maxMs)})`
    : '';

const about = (ctx: RuleContext) => ({
  device: bedDevice(ctx) ?? undefined,
  ...(ctx.bedroom ? { room: ctx.bedroom } : {}),
});
