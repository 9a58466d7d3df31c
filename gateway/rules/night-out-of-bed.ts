// night_out_of_bed: inside the night window, out of bed and not back within `after`.

import { z } from 'zod';
import { formatDuration } from '../../config/values.ts';
import { applyAck, newAlert, openAlert, transition } from './alert.ts';
import type { AlertEmit, Rule, RuleContext, Step } from './types.ts';

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
        emits.push(
          transition(
            st.alert,
            'resolved',
            at,
            `Back in bed at ${ctx.zone.hm(at)} after ${formatDuration(at - out)}.`,
          ).emit,
        );
      }
      st = { ...st, outSince: null, alert: null };
    }
    st = { ...st, wasInBed: bed.inBed };
    const deadline = st.outSince === null || st.alert ? null : st.outSince + cfg.after;
    if (deadline !== null && st.outSince !== null) {
      const night = ctx.zone.windowAt(st.outSince, cfg.window.from, cfg.window.to);
      // Up near the end of the night is the morning, not a night out of bed.
      if (!night || deadline >= night.end) st = { ...st, outSince: null };
      else if (now >= deadline) {
        const alert = newAlert(ctx, 'night_out_of_bed', st.outSince, 'warning', {
          device: bedDevice(ctx) ?? undefined,
          ...(ctx.bedroom ? { room: ctx.bedroom } : {}),
        });
        const t = transition(
          alert,
          'raised',
          now,
          `Out of bed since ${ctx.zone.hm(st.outSince)} (${formatDuration(now - st.outSince)}) in the night.`,
          {
            out_since: ctx.zone.iso(st.outSince),
            out_for_s: Math.round((now - st.outSince) / 1000),
          },
        );
        emits.push(t.emit);
        st = { ...st, alert: t.alert };
      }
    }
    const wake = st.outSince !== null && !st.alert ? st.outSince + cfg.after : null;
    return { state: st, emits, wakeAt: wake };
  },
};
