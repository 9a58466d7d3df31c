// What arrives from a home: the topic tells the message type, the protocol's schema tells
// whether it is valid. Pure: bytes in, a typed message or a reason out, never a throw.
import { createHash } from 'node:crypto';
import { parseJson } from '../../core/json.ts';
import {
  type AlertMessage,
  alertMessage,
  type CmdResultMessage,
  cmdResultMessage,
  type HeartbeatMessage,
  heartbeatMessage,
  type NightMessage,
  nightMessage,
  parseTopic,
  type StatusMessage,
  type SummaryMessage,
  statusMessage,
  summaryMessage,
  topics,
} from '../protocol/messages.ts';

export type Incoming =
  | { type: 'alert'; msg: AlertMessage }
  | { type: 'summary'; msg: SummaryMessage }
  | { type: 'night'; msg: NightMessage }
  | { type: 'status'; msg: StatusMessage }
  | { type: 'heartbeat'; msg: HeartbeatMessage }
  | { type: 'cmd_result'; msg: CmdResultMessage };

/** The hub reads these topics of a home (by their kind in `topics`), each message by its schema. */
const BY_KIND = {
  alert: { type: 'alert', schema: alertMessage },
  summary: { type: 'summary', schema: summaryMessage },
  night: { type: 'night', schema: nightMessage },
  status: { type: 'status', schema: statusMessage },
  heartbeat: { type: 'heartbeat', schema: heartbeatMessage },
  commandResult: { type: 'cmd_result', schema: cmdResultMessage },
} as const;
type ReadKind = keyof typeof BY_KIND;
const KINDS = Object.keys(BY_KIND) as ReadKind[];

/** The topic filters the hub subscribes to: hearth/v1/+/{leaf} for each message a home sends. */
export const SUBSCRIPTIONS = KINDS.map((kind) => topics[kind]('+'));

/** The share group of every hub instance, when they share the homes' messages. */
export const SHARE_GROUP = 'hearth-hub';

/**
 * The same filters as one MQTT 5 shared subscription, each message to one of the group; but for
 * statuses, which every instance takes. They are a few a day a home, and they must be applied in
 * the order the broker had them: each instance reads its own stream in order, and a status is
 * taken once (by its id), so whichever instance applies a status has seen every earlier one. An
 * instance back from a restart, draining what waited for it, would otherwise apply a home's
 * "online" after the "offline" that followed it.
 */
export const SHARED_SUBSCRIPTIONS = SUBSCRIPTIONS.map((t) =>
  t === topics.status('+') ? t : `$share/${SHARE_GROUP}/${t}`,
);

/** A day's summary is a few kilobytes; an alert, a few hundred bytes. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** The deepest message (a summary's sleep figures) is 4 levels. */
const MAX_DEPTH = 8;

export type Parsed =
  | { ok: true; gateway: string; incoming: Incoming }
  | { ok: false; gateway: string | null; reason: string };

/** Stands for a rejected message: the same bytes on the same topic are one row, whoever saw them. */
export const rejectKey = (topic: string, payload: Buffer): string =>
  createHash('sha256').update(topic).update('\0').update(payload).digest('hex');

export function parseIncoming(topic: string, payload: Buffer): Parsed {
  const t = parseTopic(topic);
  const gateway = t.ok ? t.gateway : null;
  const kind = t.ok && KINDS.includes(t.kind as ReadKind) ? BY_KIND[t.kind as ReadKind] : undefined;
  if (!gateway || !kind) return { ok: false, gateway, reason: `not a topic the hub reads: ${topic}` };
  const json = parseJson(payload, { maxBytes: MAX_PAYLOAD_BYTES, maxDepth: MAX_DEPTH });
  if (!json.ok)
    return {
      ok: false,
      gateway,
      reason: json.reason.startsWith('payload is not JSON') ? 'payload is not JSON' : json.reason,
    };
  const r = kind.schema.safeParse(json.value);
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
