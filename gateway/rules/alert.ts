// The alert lifecycle shared by every rule (DESIGN.md section 4):
// pre-alert -> raised -> (acknowledged) -> resolved; escalated; cancelled.
import { z } from 'zod';
import { type AlertState, alertState, type Severity, severity } from '../../cloud-relay/protocol/messages.ts';
import type { AlertEmit, RuleContext } from './types.ts';

/** An alert a rule holds open, as its state keeps it. */
export const openAlert = z.object({
  id: z.string(),
  rule: z.string(),
  state: alertState,
  severity,
  startedAt: z.number(),
  device: z.string().optional(),
  room: z.string().optional(),
  ackBy: z.string().optional(),
});
export type OpenAlert = z.infer<typeof openAlert>;

/** Stable and unique: the gateway, the rule, what it is about, and the instant it began. */
export function newAlert(
  ctx: RuleContext,
  rule: string,
  startedAt: number,
  severity: Severity,
  about: { device?: string; room?: string } = {},
): OpenAlert {
  const subject = about.device ?? about.room;
  const id = `${ctx.config.gateway.id}-${rule}${subject ? `-${subject}` : ''}-${startedAt.toString(36)}`;
  return { id, rule, state: 'raised', severity, startedAt, ...about };
}

export function transition(
  a: OpenAlert,
  state: AlertState,
  at: number,
  reason: string,
  facts?: AlertEmit['facts'],
  severity: Severity = a.severity,
): { alert: OpenAlert; emit: AlertEmit } {
  const alert = { ...a, state, severity };
  const emit: AlertEmit = {
    alertId: a.id,
    rule: a.rule,
    state,
    severity,
    at,
    reason,
    ...(a.device ? { device: a.device } : {}),
    ...(a.room ? { room: a.room } : {}),
    ...(facts ? { facts } : {}),
  };
  return { alert, emit };
}

/** States a carer can acknowledge. */
export const ACKABLE: ReadonlySet<AlertState> = new Set(['raised', 'escalated']);

/** Applies an ack command to the alert it names, if it can be acknowledged. */
export function applyAck(
  a: OpenAlert | null,
  input: { type: string; alertId?: string; by?: string },
  now: number,
  ctx: RuleContext,
): { alert: OpenAlert; emit: AlertEmit } | undefined {
  if (!a || input.type !== 'ack' || input.alertId !== a.id || !ACKABLE.has(a.state)) return undefined;
  const by = input.by ?? 'the care team';
  const t = transition(a, 'acknowledged', now, `Acknowledged by ${by} at ${ctx.zone.hm(now)}.`, {
    acknowledged_by: by,
  });
  t.alert.ackBy = by;
  return t;
}

/** What an alert about one event is about: its device, and its room when it has one. */
export const aboutEvent = (e: {
  device: string;
  room: string | null;
}): { device: string; room?: string } => ({
  device: e.device,
  ...(e.room ? { room: e.room } : {}),
});

/** "in the kitchen" / "on hall-motion": where a sign of life was seen, for reasons. */
export const whereSeen = (device: string, room: string | null): string =>
  room ? `in the ${room}` : `on ${device}`;
