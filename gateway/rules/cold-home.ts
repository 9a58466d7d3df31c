// cold_home: a room below `below` degrees for `for` -> raised; above below + 0.5 for 30 min -> resolved.

import { z } from 'zod';
import { formatDuration } from '../../config/values.ts';
import { applyAck, newAlert, openAlert, transition } from './alert.ts';
import type { AlertEmit, Rule, Step } from './types.ts';

/** Warm again for this long, half a degree above the limit, before the alert is resolved. */
export const WARM_FOR_MS = 30 * 60_000;
export const WARM_MARGIN = 0.5;

const room = z.object({
  temps: z.record(z.string(), z.number()),
  belowSince: z.number().nullable(),
  warmSince: z.number().nullable(),
  alert: openAlert.nullable(),
});
const coldHomeState = z.object({ rooms: z.record(z.string(), room) });
export type ColdHomeState = z.infer<typeof coldHomeState>;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const degrees = (t: number) => `${t.toFixed(1)} °C`;

export const coldHome: Rule<ColdHomeState> = {
  key: 'cold_home',
  stateVersion: 1,
  stateSchema: coldHomeState,
  init: () => ({ rooms: {} }),

  reduce(s, input, now, ctx): Step<ColdHomeState> {
    const cfg = ctx.config.rules.cold_home;
    if (!cfg) return { state: s, emits: [], wakeAt: null };
    const emits: AlertEmit[] = [];
    const rooms = { ...s.rooms };

    for (const [name, r] of Object.entries(rooms)) {
      const acked = applyAck(r.alert, input, now, ctx);
      if (acked) {
        emits.push(acked.emit);
        rooms[name] = { ...r, alert: acked.alert };
      }
    }
    if (
      input.type === 'event' &&
      input.event.kind === 'temperature' &&
      typeof input.event.value === 'number'
    ) {
      const e = input.event;
      const name = e.room;
      if (name && (!cfg.rooms || cfg.rooms.includes(name))) {
        const prev = rooms[name] ?? { temps: {}, belowSince: null, warmSince: null, alert: null };
        const temps = { ...prev.temps, [e.device]: e.value as number };
        const t = mean(Object.values(temps));
        rooms[name] = {
          ...prev,
          temps,
          belowSince: t < cfg.below ? (prev.belowSince ?? now) : null,
          warmSince: prev.alert && t > cfg.below + WARM_MARGIN ? (prev.warmSince ?? now) : null,
        };
      }
    }
    let wake: number | null = null;
    const soonest = (t: number) => {
      wake = wake === null ? t : Math.min(wake, t);
    };
    for (const [name, r] of Object.entries(rooms)) {
      const t = mean(Object.values(r.temps));
      if (!r.alert && r.belowSince !== null) {
        if (now >= r.belowSince + cfg.for) {
          const alert = newAlert(ctx, 'cold_home', r.belowSince, 'warning', { room: name });
          const step = transition(
            alert,
            'raised',
            now,
            `The ${name} has been below ${cfg.below} °C since ${ctx.zone.hm(r.belowSince)} (${formatDuration(now - r.belowSince)}); now ${degrees(t)}.`,
            { temperature: Math.round(t * 10) / 10, below: cfg.below, since: ctx.zone.iso(r.belowSince) },
          );
          emits.push(step.emit);
          rooms[name] = { ...r, alert: step.alert };
        } else soonest(r.belowSince + cfg.for);
      } else if (r.alert && r.warmSince !== null) {
        if (now >= r.warmSince + WARM_FOR_MS) {
          emits.push(
            transition(
              r.alert,
              'resolved',
              now,
              `The ${name} is warm again: ${degrees(t)} since ${ctx.zone.hm(r.warmSince)}.`,
              { temperature: Math.round(t * 10) / 10 },
            ).emit,
          );
          rooms[name] = { ...r, alert: null, warmSince: null, belowSince: null };
        } else soonest(r.warmSince + WARM_FOR_MS);
      }
    }
    return { state: { rooms }, emits, wakeAt: wake };
  },
};
