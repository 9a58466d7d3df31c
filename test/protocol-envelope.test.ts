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
  isoLocal,
  MESSAGE_TYPES,
  type MessageType,
  nightMessage,
  PROTOCOL_VERSION,
  realIso,
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

describe("a home's time", () => {
  const issues = (s: unknown) => isoLocal.safeParse(s).error?.issues.map((i) => [i.code, i.message]);

  it("is refused by its shape with the pattern's issue and the real-date one, as before", () => {
    const shape = ['invalid_format', 'expected an ISO 8601 time with its offset, 2026-03-02T07:31:00+00:00'];
    const real = ['custom', 'not a real date and time'];
    expect(issues('2026-03-02 07:31:00Z')).toEqual([shape, real]);
    expect(issues('2026-03-02T07:31:00')).toEqual([shape, real]);
    expect(issues('2026-02-31T07:31:00Z')).toEqual([real]);
    expect(issues(`${AT}${' '.repeat(20)}`)?.map(([code]) => code)).toEqual([
      'too_big',
      'invalid_format',
      'custom',
    ]);
    expect(isoLocal.safeParse(AT).data).toBe(AT);
  });

  it('exists: each field in range, February by the leap years Date.UTC counts, offsets to 14:59', () => {
    for (const ok of [
      '2024-02-29T00:00:00Z',
      '2000-02-29T23:59:59.123456789+14:59',
      '1904-02-29T00:00:00-01:00',
    ])
      expect(realIso(ok), ok).toBe(true);
    for (const no of [
      '2026-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      // Date.UTC reads year 0 as 1900, which had no 29 February.
      '0000-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-13-10T00:00:00Z',
      '2026-03-00T00:00:00Z',
      '2026-03-02T24:00:00Z',
      '2026-03-02T07:60:00Z',
      '2026-03-02T07:31:60Z',
      '2026-03-02T07:31:00+15:00',
      '2026-03-02T07:31:00+01:60',
    ])
      expect(realIso(no), no).toBe(false);
  });
});
