// help_button: a press on a help pendant raises an urgent alert at once; presses within 60 s of
// the last one belong to the same alert.
import { aboutEvent, newAlert, transition } from './alert.ts';
import { followUp, type Immediate, immediateState } from './immediate.ts';
import type { Rule, RuleContext } from './types.ts';

export const SAME_CALL_MS = 60_000;

const helpDevices = (ctx: RuleContext): string[] =>
  ctx.config.rules.help_button?.devices ??
  ctx.config.devices.filter((d) => d.role === 'help-button').map((d) => d.id);

export const helpButton: Rule<Immediate> = {
  key: 'help_button',
  stateVersion: 1,
  stateSchema: immediateState,
  init: () => ({ alert: null, lastAt: null }),

  reduce(s, input, now, ctx) {
    if (!ctx.config.rules.help_button) return { state: s, emits: [], wakeAt: null };
    const isPress =
      input.type === 'event' &&
      input.event.kind === 'button' &&
      input.event.value !== 'ok' &&
      helpDevices(ctx).includes(input.event.device);
    if (!isPress) {
      const f = followUp(s, input, now, ctx);
      return { ...f, wakeAt: null };
    }
    const sameCall = s.alert && s.lastAt !== null && now - s.lastAt < SAME_CALL_MS;
    if (sameCall || s.alert?.state === 'raised')
      return { state: { ...s, lastAt: now }, emits: [], wakeAt: null };
    const emits = s.alert
      ? [transition(s.alert, 'resolved', now, `Superseded by a new call at ${ctx.zone.hm(now)}.`).emit]
      : [];
    const e = input.event;
    const alert = newAlert(ctx, 'help_button', now, 'urgent', aboutEvent(e));
    const t = transition(
      alert,
      'raised',
      now,
      `The help button (${e.device}) was pressed at ${ctx.zone.hm(now)}.`,
      { press: String(e.value) },
    );
    emits.push(t.emit);
    return { state: { alert: t.alert, lastAt: now }, emits, wakeAt: null };
  },
};
