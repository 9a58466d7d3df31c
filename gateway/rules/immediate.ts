// Alerts that skip the prompt (help button, front door at night): raised at once, urgent.
// Acknowledged by a carer; resolved by the next sign of life in the home after that.
import { z } from 'zod';
import { applyAck, openAlert, transition, whereSeen } from './alert.ts';
import { type AlertEmit, lifeOf, type RuleContext, type RuleInput } from './types.ts';

export const immediateState = z.object({ alert: openAlert.nullable(), lastAt: z.number().nullable() });
export type Immediate = z.infer<typeof immediateState>;

export function followUp(
  s: Immediate,
  input: RuleInput,
  now: number,
  ctx: RuleContext,
): { state: Immediate; emits: AlertEmit[] } {
  if (!s.alert) return { state: s, emits: [] };
  const acked = applyAck(s.alert, input, now, ctx);
  if (acked) return { state: { ...s, alert: acked.alert }, emits: [acked.emit] };
  const life = lifeOf(input, ctx);
  if (s.alert.state === 'acknowledged' && life) {
    const where = whereSeen(life.device, life.room);
    return {
      state: { ...s, alert: null },
      emits: [
        transition(
          s.alert,
          'resolved',
          now,
          `Activity ${where} at ${ctx.zone.hm(now)} after the acknowledgement.`,
        ).emit,
      ],
    };
  }
  return { state: s, emits: [] };
}
