// The envelope of version 1: one builder for both ends, its keys in the contract's order, and
// every message type the protocol has beginning with it.
import { describe, expect, it } from 'vitest';
import {
  alertMessage,
  alertPayload,
  cmdResultMessage,
  envelope,
  envelopeSchema,
  heartbeatMessage,
  MESSAGE_TYPES,
  type MessageType,
  nightMessage,
  PROTOCOL_VERSION,
  statusMessage,
  summaryMessage,
} from '../cloud-relay/protocol/messages.ts';
import { night, summary } from './helpers/hub-messages.ts';

const KEYS = ['v', 'id', 'type', 'gateway', 'resident', 'at'];
const AT = '2026-03-02T07:31:00+00:00';
const of = <T extends MessageType>(type: T) =>
  envelope({ at: AT, resident: 'r-7f3a', gateway: 'gw-0042', id: `gw-0042-${type}-1`, type });

/** One valid message of each type, each begun by envelope(). */
const messages: Record<MessageType, unknown> = {
  alert: alertPayload({
    ...of('alert'),
    alert_id: 'a1',
    rule: 'help_button',
    state: 'raised',
    severity: 'urgent',
    reason: 'The help button was pressed.',
  }),
  summary: summary('gw-0042', 'r-7f3a', '2026-03-01', Date.parse(AT)),
  night: night('gw-0042', 'r-7f3a', '2026-03-02', Date.parse(AT)),
  status: statusMessage.parse({
    ...of('status'),
    state: 'online',
    versions: { hearth: '0.1.0', protocol: PROTOCOL_VERSION },
  }),
  heartbeat: heartbeatMessage.parse({ ...of('heartbeat'), queue_depth: 0, uptime_s: 60 }),
  cmd_result: cmdResultMessage.parse({
    ...of('cmd_result'),
    command_id: 'c1',
    command: 'ping',
    ok: true,
    detail: 'pong',
  }),
};

describe('envelope()', () => {
  it.each(MESSAGE_TYPES)(
    'makes the version-1 envelope of a %s message, keys in the contract order',
    (type) => {
      const e = of(type);
      expect(Object.keys(e)).toEqual(KEYS);
      expect(e).toEqual({
        v: 1,
        id: `gw-0042-${type}-1`,
        type,
        gateway: 'gw-0042',
        resident: 'r-7f3a',
        at: AT,
      });
      expect(envelopeSchema.parse(e)).toEqual(e);
    },
  );

  it('keeps only the envelope, whatever else the argument holds, and the time as written', () => {
    const wider = {
      type: 'heartbeat' as const,
      id: 'x',
      gateway: 'g',
      resident: 'r',
      at: '2026-03-02T07:31:00Z',
    };
    const e = envelope({ ...wider, queue_depth: 3 } as typeof wider);
    expect(Object.keys(e)).toEqual(KEYS);
    expect(e.at).toBe('2026-03-02T07:31:00Z');
  });

  it('is the protocol version-1, and every message type the protocol has is one it makes', () => {
    expect(PROTOCOL_VERSION).toBe(1);
    const schemas = [
      alertMessage,
      summaryMessage,
      nightMessage,
      statusMessage,
      heartbeatMessage,
      cmdResultMessage,
    ];
    expect(schemas.map((s) => s.shape.type.value).sort()).toEqual([...MESSAGE_TYPES].sort());
    expect(envelopeSchema.shape.type.options).toEqual([...MESSAGE_TYPES]);
  });

  it.each(MESSAGE_TYPES)('begins every %s message, which its schema accepts', (type) => {
    const m = messages[type] as Record<string, unknown>;
    expect(Object.keys(m).slice(0, KEYS.length)).toEqual(KEYS);
    expect(m).toMatchObject({ v: 1, type });
  });
});
