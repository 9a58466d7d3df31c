// Inactivity: a still spell longer than the place and the window in force allow (still-limits.ts)
// -> a prompt in the home -> carers alerted if nobody answers -> escalated if nobody acknowledges.

import { z } from 'zod';
import { formatDuration } from '../../config/values.ts';
import { applyAck, newAlert, openAlert, transition, whereSeen } from './alert.ts';
import { type StillLimit, stillLimitAt, stillSentence } from './still-limits.ts';
import { type AlertEmit, lifeOf, type Rule, type RuleContext, type Step } from './types.ts';

const where = z.object({ place: z.enum(['room', 'chair', 'bed', 'bathroom']), room: z.string().nullable() });

const inactivityState = z.object({
  /** When the rule began watching: the spell's start before any sign of life has been seen. */
  startedAt: z.number(),
  alert: openAlert.nullable(),
  promptUntil: z.number().nullable(),
  escalateAt: z.number().nullable(),
  /** Where she was when the spell began to count: the alert's sentences say it. */
  where: where.nullable(),
  /** What her routine says of such a spell, when a learned limit applied (limits.ts). */
  usual: z.string().optional(),
});
export type InactivityState = z.infer<typeof inactivityState>;

export const inactivity: Rule<InactivityState> = {
  key: 'inactivity',
  stateVersion: 2,
  stateSchema: inactivityState,
  // Version 1 did not say where she was: the sentences of an alert open then say nothing of it.
  migrate: (old, from) =>
    from === 1 && old && typeof old === 'object'
      ? ({ ...(old as object), where: null } as InactivityState)
      : undefined,
  init: (now) => ({ startedAt: now, alert: null, promptUntil: null, escalateAt: null, where: null }),

  reduce(s, input, now, ctx): Step<InactivityState> {
    const cfg = ctx.config.rules.inactivity;
    if (!cfg) return { state: s, emits: [], wakeAt: null };
    const emits: AlertEmit[] = [];
    let st = s;
    const a = st.alert;

    const life = lifeOf(input, ctx);
    if (a && life) {
      // Any sign of life, the "I'm OK" button included, ends the spell; a press of the button
      // given role ok is her answer, and the sentence says so.
      const where = whereSeen(life.device, life.room);
      const quiet = formatDuration(now - quietStart(st));
      const ok = life.kind === 'button' && ctx.devices.get(life.device)?.role === 'ok';
      const pressed = `The resident pressed "I'm OK" (${life.device}) at ${ctx.zone.hm(now)}`;
      const t =
        a.state === 'pre-alert'
          ? transition(
              a,
              'cancelled',
              now,
              ok
                ? `${pressed}.`
                : life.kind === 'button'
                  ? `The resident answered the prompt at ${ctx.zone.hm(now)}.`
                  : `Activity ${where} at ${ctx.zone.hm(now)} cancelled the prompt.`,
            )
          : transition(
              a,
              'resolved',
              now,
              ok
                ? `${pressed}, after ${quiet} without movement.`
                : `Activity ${where} at ${ctx.zone.hm(now)} after ${quiet} without.`,
            );
      emits.push(t.emit);
      st = { ...st, alert: null, promptUntil: null, escalateAt: null };
    } else if (a) {
      const acked = applyAck(a, input, now, ctx);
      if (acked) {
        emits.push(acked.emit);
        st = { ...st, alert: acked.alert, escalateAt: null };
      } else if (a.state === 'pre-alert' && st.promptUntil !== null && now >= st.promptUntil) {
        const t = transition(
          a,
          'raised',
          now,
          `${sentence(st, now, ctx)}; the prompt was not answered.`,
          facts(st, now, ctx),
        );
        emits.push(t.emit);
        st = { ...st, alert: t.alert, promptUntil: null, escalateAt: now + cfg.escalate };
      } else if (a.state === 'raised' && st.escalateAt !== null && now >= st.escalateAt) {
        const t = transition(
          a,
          'escalated',
          now,
          `${sentence(st, now, ctx)}, and not acknowledged for ${formatDuration(cfg.escalate)}.`,
          facts(st, now, ctx),
          'urgent',
        );
        emits.push(t.emit);
        st = { ...st, alert: t.alert, escalateAt: null };
      }
    }

    // No alert open: the spell's limit, asked once, says both whether it is due and when to wake.
    const lim = st.alert ? null : stillLimitAt(now, st.startedAt, ctx);
    if (lim) {
      if (lim.deadline !== null && now >= lim.deadline) {
        const at = { place: lim.place, room: lim.room };
        const about = lim.room ? { room: lim.room } : {};
        const fresh = {
          ...newAlert(ctx, 'inactivity', lim.since, 'warning', about),
          state: 'pre-alert' as const,
        };
        const spell = {
          since: ctx.zone.iso(lim.since),
          quiet_for_s: Math.round((now - lim.since) / 1000),
          place: lim.place,
        };
        st = { ...st, where: at, usual: lim.usual };
        if (cfg.prompt > 0) {
          const reason = stillSentence(at, lim.since, now, ctx, 'No sign of life') + lim.usual;
          const t = transition(
            fresh,
            'pre-alert',
            now,
            `${reason}; prompting the resident to press "I'm OK".`,
            spell,
          );
          emits.push(t.emit);
          st = { ...st, alert: t.alert, promptUntil: now + cfg.prompt };
        } else {
          const t = transition(
            fresh,
            'raised',
            now,
            `${stillSentence(at, lim.since, now, ctx, 'No movement seen')}${lim.usual}.`,
            spell,
          );
          emits.push(t.emit);
          st = { ...st, alert: t.alert, escalateAt: now + cfg.escalate };
        }
      }
    }
    return { state: st, emits, wakeAt: wakeAt(st, lim) };
  },
};

/** The spell's start, as recorded in the alert's id instant. */
const quietStart = (s: InactivityState): number => s.alert?.startedAt ?? s.startedAt;

function facts(s: InactivityState, now: number, ctx: RuleContext) {
  return {
    since: ctx.zone.iso(quietStart(s)),
    quiet_for_s: Math.round((now - quietStart(s)) / 1000),
    ...(s.where ? { place: s.where.place } : {}),
  };
}

/** The still spell of the open alert, in words, where she was. */
const sentence = (s: InactivityState, now: number, ctx: RuleContext) =>
  stillSentence(s.where ?? { place: 'room', room: null }, quietStart(s), now, ctx, 'No movement seen') +
  (s.usual ?? '');

function wakeAt(s: InactivityState, lim: StillLimit | null): number | null {
  if (s.alert?.state === 'pre-alert') return s.promptUntil;
  if (s.alert?.state === 'raised') return s.escalateAt;
  if (s.alert || !lim) return null;
  return lim.deadline ?? lim.nextCheck;
}
