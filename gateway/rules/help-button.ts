// help_button: a press on a help pendant raises an urgent alert at once (call.ts): presses within
// a minute are one call, a later one while unanswered is an update of it, and a call nobody
// acknowledges in time is escalated.
import { type CallState, callFromV1, callState, callStep, initCall } from './call.ts';
import type { Rule, RuleContext } from './types.ts';

export { SAME_CALL_MS } from './call.ts';

const helpDevices = (ctx: RuleContext): string[] =>
  ctx.config.rules.help_button?.devices ??
  ctx.config.devices.filter((d) => d.role === 'help-button').map((d) => d.id);

export const helpButton: Rule<CallState> = {
  key: 'help_button',
  stateVersion: 2,
  stateSchema: callState,
  migrate: (old, from) => (from === 1 ? callFromV1(old) : undefined),
  init: initCall,

  reduce(s, input, now, ctx) {
    const cfg = ctx.config.rules.help_button;
    if (!cfg) return { state: s, emits: [], wakeAt: null };
    const press =
      input.type === 'event' &&
      input.event.kind === 'button' &&
      input.event.value !== 'ok' &&
      helpDevices(ctx).includes(input.event.device)
        ? input.event
        : null;
    const kind = {
      rule: 'help_button',
      one: 'press',
      again: 'Pressed again',
      escalateMs: cfg.escalate,
      first: (device: string, at: string) => `The help button (${device}) was pressed at ${at}`,
    };
    return callStep(kind, s, input, press, now, ctx);
  },
};
