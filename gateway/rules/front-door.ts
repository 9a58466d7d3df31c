// front_door_at_night: the front door opening inside the window while she is home (leaving, not
// coming back) raises an urgent alert at once.

import { z } from 'zod';
import { aboutEvent, newAlert, transition } from './alert.ts';
import { followUp, immediateState } from './immediate.ts';
import type { Rule, RuleContext } from './types.ts';

const frontDoor = (ctx: RuleContext): string | undefined =>
  ctx.config.rules.front_door_at_night?.device ?? ctx.config.devices.find((d) => d.role === 'front-door')?.id;

const frontDoorState = immediateState.extend({ open: z.boolean().nullable() });
export type FrontDoorState = z.infer<typeof frontDoorState>;

export const frontDoorAtNight: Rule<FrontDoorState> = {
  key: 'front_door_at_night',
  stateVersion: 1,
  stateSchema: frontDoorState,
  init: () => ({ alert: null, lastAt: null, open: null }),

  reduce(s, input, now, ctx) {
    const cfg = ctx.config.rules.front_door_at_night;
    if (!cfg) return { state: s, emits: [], wakeAt: null };
    const isDoor =
      input.type === 'event' && input.event.kind === 'contact' && input.event.device === frontDoor(ctx);
    if (!isDoor) {
      const f = followUp(s, input, now, ctx);
      return { state: { ...s, ...f.state }, emits: f.emits, wakeAt: null };
    }
    // Opening while she is out is her coming home: the rule is about leaving in the night.
    const arriving = ctx.home.arrivedAt === input.event.at;
    const opened = input.event.value === true && s.open !== true && !arriving;
    const next = { ...s, open: input.event.value === true };
    if (!opened || s.alert?.state === 'raised' || !ctx.zone.windowAt(now, cfg.window.from, cfg.window.to)) {
      const f = followUp(next, input, now, ctx);
      return { state: { ...next, ...f.state }, emits: f.emits, wakeAt: null };
    }
    const e = input.event;
    const emits = s.alert
      ? [
          transition(s.alert, 'resolved', now, `Superseded by the door opening again at ${ctx.zone.hm(now)}.`)
            .emit,
        ]
      : [];
    const alert = newAlert(ctx, 'front_door_at_night', now, 'urgent', aboutEvent(e));
    const t = transition(alert, 'raised', now, `The front door opened at ${ctx.zone.hm(now)}, in the night.`);
    emits.push(t.emit);
    return { state: { ...next, alert: t.alert, lastAt: now }, emits, wakeAt: null };
  },
};
