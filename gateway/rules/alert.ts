// The alert lifecycle shared by every rule (DESIGN.md section 4):
// pre-alert -> raised -> (acknowledged) -> resolved; escalated; cancelled.
import { z } from 'zod';
import { type AlertState, alertState, type Severity, severity } from '../../cloud-relay/protocol/messages.ts';
import type { AlertEmit, RuleContext, RuleInput } from './types.ts';

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
  /** Who closed the call at the trust (a `close` command): the alert is not closed again. */
  closedBy: z.string().optional(),
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
/** States a call can be closed in: told to the trust, and not over yet. */
const CLOSABLE: ReadonlySet<AlertState> = new Set(['raised', 'escalated', 'acknowledged']);

/**
 * Applies the trust's answer to the alert it names: an `ack` acknowledges it; a `close` keeps who
 * closed the call and its outcome, acknowledging it too if nobody had. A closed alert stays open
 * in its rule, as an acknowledged one does, until what raised it is over: the call being closed
 * says nothing of whether she has moved.
 */
export function applyAck(
  a: OpenAlert | null,
  input: RuleInput,
  now: number,
  ctx: RuleContext,
): { alert: OpenAlert; emit: AlertEmit } | undefined {
  if (!a || (input.type !== 'ack' && input.type !== 'close') || input.alertId !== a.id) return undefined;
  if (input.type === 'ack') {
    if (!ACKABLE.has(a.state)) return undefined;
    const t = transition(a, 'acknowledged', now, `Acknowledged by ${input.by} at ${ctx.zone.hm(now)}.`, {
      acknowledged_by: input.by,
    });
    t.alert.ackBy = input.by;
    return t;
  }
  if (!CLOSABLE.has(a.state) || a.closedBy !== undefined) return undefined;
  const ackBy = a.ackBy ?? input.by;
  const t = transition(
    a,
    'acknowledged',
    now,
    `Closed by ${input.by} at ${ctx.zone.hm(now)}: ${input.outcome}.`,
    { acknowledged_by: ackBy, closed_by: input.by, outcome: input.outcome },
  );
  t.alert.ackBy = ackBy;
  t.alert.closedBy = input.by;
  // A second message in the acknowledged state, when the ack was told already: its own id.
  return { alert: t.alert, emit: { ...t.emit, update: 1 } };
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
