// A call for help, by a pendant's press or a fall a device reports: raised at once, urgent. Presses
// (or falls) within a minute are one call. Another while the call is unanswered reaches the trust
// as an update of it, naming the device, the time and the count, never absorbed in silence; a
// call nobody has acknowledged in time is escalated. Acknowledged, it is resolved by the next
// sign of life in the home (immediate.ts). Pure.
import { z } from 'zod';
import { aboutEvent, newAlert, openAlert, transition, whereSeen } from './alert.ts';
import { followUp } from './immediate.ts';
import type { AlertEmit, RuleContext, RuleInput, Step } from './types.ts';

export const SAME_CALL_MS = 60_000;

export const callState = z.object({
  alert: openAlert.nullable(),
  lastAt: z.number().nullable(),
  /** Presses (or falls) of this call, the first included. */
  count: z.number().int(),
  escalateAt: z.number().nullable(),
});
export type CallState = z.infer<typeof callState>;

export const initCall = (): CallState => ({ alert: null, lastAt: null, count: 0, escalateAt: null });

/** A call state of version 1 (an immediate alert: alert, lastAt) carried on. */
export function callFromV1(old: unknown): CallState | undefined {
  const r = z.object({ alert: openAlert.nullable(), lastAt: z.number().nullable() }).safeParse(old);
  return r.success ? { ...r.data, count: r.data.alert ? 1 : 0, escalateAt: null } : undefined;
}

export type CallKind = {
  rule: string;
  /** What the first one of a call says: "The help button (pendant) was pressed at 12:00". */
  first(device: string, at: string): string;
  /** One of them: "press", "fall". */
  one: string;
  /** Another of them: "Pressed again", "Another fall". */
  again: string;
  escalateMs: number;
};

type Trigger = Extract<RuleInput, { type: 'event' }>['event'];

export function callStep(
  k: CallKind,
  s: CallState,
  input: RuleInput,
  trigger: Trigger | null,
  now: number,
  ctx: RuleContext,
): Step<CallState> {
  if (!trigger) {
    const f = followUp(s, input, now, ctx);
    let st: CallState = {
      ...s,
      ...f.state,
      escalateAt: f.state.alert?.state === 'raised' ? s.escalateAt : null,
    };
    const emits: AlertEmit[] = [...f.emits];
    if (st.alert?.state === 'raised' && st.escalateAt !== null && now >= st.escalateAt) {
      const t = transition(
        st.alert,
        'escalated',
        now,
        `${k.first(st.alert.device ?? 'a device', ctx.zone.hm(st.alert.startedAt))} (${plural(st.count, k.one)}) and nobody has acknowledged it for ${minutes(k.escalateMs)}.`,
        { count: st.count },
      );
      emits.push(t.emit);
      st = { ...st, alert: t.alert, escalateAt: null };
    }
    if (!st.alert) st = { ...st, count: 0 };
    return { state: st, emits, wakeAt: st.escalateAt };
  }
  const open = s.alert && (s.alert.state === 'raised' || s.alert.state === 'escalated');
  if (s.alert && s.lastAt !== null && now - s.lastAt < SAME_CALL_MS)
    return { state: { ...s, lastAt: now, count: s.count + 1 }, emits: [], wakeAt: s.escalateAt };
  if (s.alert && open) {
    // Again while nobody has answered: the trust hears of it, as an update of the same call.
    const count = s.count + 1;
    const t = transition(
      s.alert,
      s.alert.state,
      now,
      `${k.again} at ${ctx.zone.hm(now)} ${whereSeen(trigger.device, trigger.room)} (${plural(count, k.one)}); not yet acknowledged.`,
      { count, last_at: ctx.zone.iso(now), last_device: trigger.device },
    );
    return {
      state: { ...s, alert: t.alert, lastAt: now, count },
      emits: [{ ...t.emit, update: count }],
      wakeAt: s.escalateAt,
    };
  }
  const emits = s.alert
    ? [transition(s.alert, 'resolved', now, `Superseded by a new call at ${ctx.zone.hm(now)}.`).emit]
    : [];
  const alert = newAlert(ctx, k.rule, now, 'urgent', aboutEvent(trigger));
  const t = transition(alert, 'raised', now, `${k.first(trigger.device, ctx.zone.hm(now))}.`, {
    [k.one]: String(trigger.value),
  });
  emits.push(t.emit);
  const escalateAt = now + k.escalateMs;
  return { state: { alert: t.alert, lastAt: now, count: 1, escalateAt }, emits, wakeAt: escalateAt };
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : one.endsWith('s') ? 'es' : 's'}`;
const minutes = (ms: number) => `${Math.round(ms / 60_000)} m`;
