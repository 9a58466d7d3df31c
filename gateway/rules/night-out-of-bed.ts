// night_out_of_bed: inside the night window, out of bed and not back within `after`.

import { z } from 'zod';
import { formatDuration } from '../../config/values.ts';
import { applyAck, newAlert, openAlert, transition } from './alert.ts';
import type { AlertEmit, Rule, RuleContext, Step } from './types.ts';

const nightOutState = z.object({
  bed: z.string().nullable(),
  outSince: z.number().nullable(),
  alert: openAlert.nullable(),
});
export type NightOutState = z.infer<typeof nightOutState>;

/** The bed sensor: the one the rule names, else the first device of kind bed. */
export const bedDevice = (ctx: RuleContext): string | null =>
  ctx.config.rules.night_out_of_bed?.device ??
  ctx.config.devices.find((d) => 'kind' in d && d.kind === 'bed')?.id ??
  null;

export const nightOutOfBed: Rule<NightOutState> = {
  key: 'night_out_of_bed',
  stateVersion: 1,
  stateSchema: nightOutState,
  init: (_now, ctx) => ({ bed: bedDevice(ctx), outSince: null, alert: null }),

  reduce(s, input, now, ctx): Step<NightOutState> {
    const cfg = ctx.config.rules.night_out_of_bed;
    if (!cfg || !s.bed) return { state: s, emits: [], wakeAt: null };
    const emits: AlertEmit[] = [];
    let st = s;
    const acked = applyAck(st.alert, input, now, ctx);
    if (acked) {
      emits.push(acked.emit);
      st = { ...st, alert: acked.alert };
    }
    if (input.type === 'event' && input.event.device === st.bed && input.event.kind === 'bed') {
      if (input.event.value === false && st.outSince === null && !st.alert) st = { ...st, outSince: now };
      if (input.event.value === true) {
        if (st.alert) {
          const out = st.outSince ?? st.alert.startedAt;
          emits.push(
            transition(
              st.alert,
              'resolved',
              now,
              `Back in bed at ${ctx.zone.hm(now)} after ${formatDuration(now - out)}.`,
            ).emit,
          );
        }
        st = { ...st, outSince: null, alert: null };
      }
    }
    const deadline = st.outSince === null || st.alert ? null : st.outSince + cfg.after;
    if (deadline !== null && st.outSince !== null) {
      const night = ctx.zone.windowAt(st.outSince, cfg.window.from, cfg.window.to);
      // Up near the end of the night is the morning, not a night out of bed.
      if (!night || deadline >= night.end) st = { ...st, outSince: null };
      else if (now >= deadline) {
        const alert = newAlert(ctx, 'night_out_of_bed', st.outSince, 'warning', {
          device: st.bed ?? undefined,
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
