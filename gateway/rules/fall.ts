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
    const fallen = input.type === 'event' && input.event.kind === 'fall' && input.event.value === true;
    // A fall that is no change (the home model's `life`) while its call is open is that same fall
    // republished: a fall radar on Zigbee2MQTT sends its fall state again with every other change
    // of its state, and the trust would hear "another fall" each time, or a new call once a carer
    // has acknowledged. After the call is over, a fall is a new call, changed or not, so a device
    // that only ever says true is still heard.
    const fell = fallen && (input.life || s.alert === null) ? input.event : null;
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
