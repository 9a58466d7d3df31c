// Inactivity: a quiet spell longer than the window in force allows -> a prompt in the home ->
// carers alerted if nobody answers -> escalated if nobody acknowledges.

import { z } from 'zod';
import { formatDuration } from '../../config/values.ts';
import { applyAck, newAlert, openAlert, transition, whereSeen } from './alert.ts';
import { upSinceNight } from './night.ts';
import type { AlertEmit, Rule, RuleContext, Step } from './types.ts';

const inactivityState = z.object({
  /** When the rule began watching: the spell's start before any sign of life has been seen. */
  startedAt: z.number(),
  alert: openAlert.nullable(),
  promptUntil: z.number().nullable(),
  escalateAt: z.number().nullable(),
});
export type InactivityState = z.infer<typeof inactivityState>;

type Limit = { deadline: number; since: number } | { deadline: null; nextCheck: number | null };

/** The deadline of the quiet spell in force at now, or when to look again. */
function limitAt(now: number, s: InactivityState, ctx: RuleContext): Limit {
  const cfg = ctx.config.rules.inactivity;
  if (!cfg) return { deadline: null, nextCheck: null };
  // Out of the home, or not yet up after the night (not_up speaks for the morning): quiet.
  if (ctx.home.out !== null || (ctx.config.rules.not_up && !upSinceNight(now, ctx)))
    return { deadline: null, nextCheck: null };
  const lastLife = ctx.home.lastLifeAt ?? s.startedAt;
  for (const w of cfg.windows) {
    const occ = ctx.zone.windowAt(now, w.from, w.to);
    if (!occ) continue;
    if (w.quiet === null) return { deadline: null, nextCheck: occ.end };
    const since = Math.max(lastLife, occ.start);
    const deadline = since + w.quiet;
    return deadline < occ.end ? { deadline, since } : { deadline: null, nextCheck: occ.end };
  }
  // Between windows: look again when the next one starts.
  const starts = cfg.windows.map((w) => ctx.zone.nextStart(now, w.from));
  return { deadline: null, nextCheck: starts.length ? Math.min(...starts) : null };
}

const quietReason = (since: number, now: number, ctx: RuleContext) =>
  `since ${ctx.zone.hm(since)} (${formatDuration(now - since)})`;

export const inactivity: Rule<InactivityState> = {
  key: 'inactivity',
  stateVersion: 1,
  stateSchema: inactivityState,
  init: (now) => ({ startedAt: now, alert: null, promptUntil: null, escalateAt: null }),

  reduce(s, input, now, ctx): Step<InactivityState> {
    const cfg = ctx.config.rules.inactivity;
    if (!cfg) return { state: s, emits: [], wakeAt: null };
    const emits: AlertEmit[] = [];
    let st = s;
    const a = st.alert;

    if (a && input.type === 'event' && input.life) {
      // Any sign of life, the "I'm OK" button included, ends the spell.
      const where = whereSeen(input.event.device, input.event.room);
      const quiet = formatDuration(now - quietStart(st));
      const t =
        a.state === 'pre-alert'
          ? transition(
              a,
              'cancelled',
              now,
              input.event.kind === 'button'
                ? `The resident answered the prompt at ${ctx.zone.hm(now)}.`
                : `Activity ${where} at ${ctx.zone.hm(now)} cancelled the prompt.`,
            )
          : transition(
              a,
              'resolved',
              now,
              `Activity ${where} at ${ctx.zone.hm(now)} after ${quiet} without.`,
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
          `No movement seen ${quietReason(quietStart(st), now, ctx)}; the prompt was not answered.`,
          facts(st, now, ctx),
        );
        emits.push(t.emit);
        st = { ...st, alert: t.alert, promptUntil: null, escalateAt: now + cfg.escalate };
      } else if (a.state === 'raised' && st.escalateAt !== null && now >= st.escalateAt) {
        const t = transition(
          a,
          'escalated',
          now,
          `No movement seen ${quietReason(quietStart(st), now, ctx)}, and not acknowledged for ${formatDuration(cfg.escalate)}.`,
          facts(st, now, ctx),
          'urgent',
        );
        emits.push(t.emit);
        st = { ...st, alert: t.alert, escalateAt: null };
      }
    }

    if (!st.alert) {
      const lim = limitAt(now, st, ctx);
      if (lim.deadline !== null && now >= lim.deadline) {
        const fresh = { ...newAlert(ctx, 'inactivity', lim.since, 'warning'), state: 'pre-alert' as const };
        const reason = `No sign of life ${quietReason(lim.since, now, ctx)}`;
        if (cfg.prompt > 0) {
          const t = transition(
            fresh,
            'pre-alert',
            now,
            `${reason}; prompting the resident to press "I'm OK".`,
            { since: ctx.zone.iso(lim.since), quiet_for_s: Math.round((now - lim.since) / 1000) },
          );
          emits.push(t.emit);
          st = { ...st, alert: t.alert, promptUntil: now + cfg.prompt };
        } else {
          const t = transition(
            fresh,
            'raised',
            now,
            `No movement seen ${quietReason(lim.since, now, ctx)}.`,
            { since: ctx.zone.iso(lim.since), quiet_for_s: Math.round((now - lim.since) / 1000) },
          );
          emits.push(t.emit);
          st = { ...st, alert: t.alert, escalateAt: now + cfg.escalate };
        }
      }
    }
    return { state: st, emits, wakeAt: wakeAt(st, now, ctx) };
  },
};

/** The spell's start, as recorded in the alert's id instant. */
const quietStart = (s: InactivityState): number => s.alert?.startedAt ?? s.startedAt;

function facts(s: InactivityState, now: number, ctx: RuleContext) {
  return { since: ctx.zone.iso(quietStart(s)), quiet_for_s: Math.round((now - quietStart(s)) / 1000) };
}

function wakeAt(s: InactivityState, now: number, ctx: RuleContext): number | null {
  if (s.alert?.state === 'pre-alert') return s.promptUntil;
  if (s.alert?.state === 'raised') return s.escalateAt;
  if (s.alert) return null;
  const lim = limitAt(now, s, ctx);
  return lim.deadline ?? lim.nextCheck;
}
