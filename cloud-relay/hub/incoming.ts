// What arrives from a home: the topic tells the message type, the protocol's schema tells
// whether it is valid. Pure: bytes in, a typed message or a reason out, never a throw.
import { createHash } from 'node:crypto';
import {
  type AlertMessage,
  alertMessage,
  type CmdResultMessage,
  cmdResultMessage,
  type HeartbeatMessage,
  heartbeatMessage,
  type StatusMessage,
  type SummaryMessage,
  statusMessage,
  summaryMessage,
} from '../protocol/messages.ts';

export type Incoming =
  | { type: 'alert'; msg: AlertMessage }
  | { type: 'summary'; msg: SummaryMessage }
  | { type: 'status'; msg: StatusMessage }
  | { type: 'heartbeat'; msg: HeartbeatMessage }
  | { type: 'cmd_result'; msg: CmdResultMessage };

const BY_LEAF = {
  alert: { type: 'alert', schema: alertMessage },
  summary: { type: 'summary', schema: summaryMessage },
  status: { type: 'status', schema: statusMessage },
  heartbeat: { type: 'heartbeat', schema: heartbeatMessage },
  'cmd-result': { type: 'cmd_result', schema: cmdResultMessage },
} as const;

/** The topic filters the hub subscribes to: hearth/v1/+/{leaf} for each message a home sends. */
export const SUBSCRIPTIONS = Object.keys(BY_LEAF).map((leaf) => `hearth/v1/+/${leaf}`);

export type Parsed =
  | { ok: true; gateway: string; incoming: Incoming }
  | { ok: false; gateway: string | null; reason: string };

/** Stands for a rejected message: the same bytes on the same topic are one row, whoever saw them. */
export const rejectKey = (topic: string, payload: Buffer): string =>
  createHash('sha256').update(topic).update('\0').update(payload).digest('hex');

export function parseIncoming(topic: string, payload: Buffer): Parsed {
  const parts = topic.split('/');
  const leaf = parts[3] as keyof typeof BY_LEAF | undefined;
  const gateway =
    parts.length === 4 && parts[0] === 'hearth' && parts[1] === 'v1' ? (parts[2] ?? null) : null;
  const kind = leaf && Object.hasOwn(BY_LEAF, leaf) ? BY_LEAF[leaf] : undefined;
  if (!gateway || !kind) return { ok: false, gateway, reason: `not a topic the hub reads: ${topic}` };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, gateway, reason: 'payload is not JSON' };
  }
  const r = kind.schema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : '';
    return {
      ok: false,
      gateway,
      reason: `not a valid ${kind.type} message: ${i?.path.join('.') || 'payload'}: ${i?.message}${more}`,
    };
  }
  if (r.data.gateway !== gateway)
    return {
      ok: false,
      gateway,
      reason: `payload names gateway "${r.data.gateway}" on the topic of "${gateway}"`,
    };
  return { ok: true, gateway, incoming: { type: kind.type, msg: r.data } as Incoming };
}
