// check_in: the resident's own word on the day, from a button with role check-in (single press:
// good; double: so-so; long: not good). A "not good" raises an info alert when the provisioning
// file asks for it; a better answer later resolves it.
import { z } from 'zod';
import { aboutEvent, applyAck, newAlert, openAlert, transition } from './alert.ts';
import type { Rule, RuleContext } from './types.ts';

export const CHECK_IN_ANSWERS: Readonly<Record<string, 'good' | 'so-so' | 'not good'>> = {
  press: 'good',
  single: 'good',
  double_press: 'so-so',
  long_press: 'not good',
};

const isCheckIn = (ctx: RuleContext, device: string) => ctx.devices.get(device)?.role === 'check-in';

const checkInState = z.object({ alert: openAlert.nullable() });

export const checkIn: Rule<z.infer<typeof checkInState>> = {
  key: 'check_in',
  stateVersion: 1,
  stateSchema: checkInState,
  init: () => ({ alert: null }),

  reduce(s, input, now, ctx) {
    const cfg = ctx.config.rules.check_in;
    if (!cfg?.alert_not_good) return { state: s, emits: [], wakeAt: null };
    const acked = applyAck(s.alert, input, now, ctx);
    if (acked) return { state: { alert: acked.alert }, emits: [acked.emit], wakeAt: null };
    if (input.type !== 'event' || input.event.kind !== 'button' || !isCheckIn(ctx, input.event.device))
      return { state: s, emits: [], wakeAt: null };
    const answer = CHECK_IN_ANSWERS[String(input.event.value)];
    if (!answer) return { state: s, emits: [], wakeAt: null };
    const e = input.event;
    if (answer === 'not good' && !s.alert) {
      const alert = newAlert(ctx, 'check_in', now, 'info', aboutEvent(e));
      const t = transition(
        alert,
        'raised',
        now,
        `The resident checked in at ${ctx.zone.hm(now)}: not good today.`,
        { answer },
      );
      return { state: { alert: t.alert }, emits: [t.emit], wakeAt: null };
    }
    if (answer !== 'not good' && s.alert) {
      const t = transition(
        s.alert,
        'resolved',
        now,
        `The resident checked in again at ${ctx.zone.hm(now)}: ${answer}.`,
        { answer },
      );
      return { state: { alert: null }, emits: [t.emit], wakeAt: null };
    }
    return { state: s, emits: [], wakeAt: null };
  },
};
