// fall: a device that reports a fall (a fall-capable radar, custom firmware: kind fall, true)
// raises an urgent alert at once, as a help call does (call.ts). On unless the file says `off`.
import { type CallState, callState, callStep, initCall } from './call.ts';
import type { Rule } from './types.ts';

/** A fall call nobody has acknowledged in this long is escalated. */
const FALL_ESCALATE_MS = 10 * 60_000;

export const fall: Rule<CallState> = {
  key: 'fall',
  stateVersion: 1,
  stateSchema: callState,
  init: initCall,

  reduce(s, input, now, ctx) {
    if (ctx.config.rules.fall === 'off') return { state: s, emits: [], wakeAt: null };
    const fell =
      input.type === 'event' && input.event.kind === 'fall' && input.event.value === true
        ? input.event
        : null;
    const kind = {
      rule: 'fall',
      one: 'fall',
      again: 'Another fall',
      escalateMs: FALL_ESCALATE_MS,
      first: (device: string, at: string) => `A fall was detected by ${device} at ${at}`,
    };
    return callStep(kind, s, input, fell, now, ctx);
  },
};
