// The local broker's policy, pure: ACL wildcard decisions, sign-in limits, packet-size framing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterCovers, topicMatches } from '../core/topic.ts';
import { canPublish, canSubscribe } from '../gateway/broker/acl.ts';
import { FrameLimit } from '../gateway/broker/frame-limit.ts';
import { SignInGuard } from '../gateway/broker/guard.ts';
import { ConnectionSlots } from '../gateway/broker/slots.ts';

const z2m = {
  name: 'zigbee2mqtt',
  publish: ['zigbee2mqtt/#'],
  subscribe: ['zigbee2mqtt/bridge/#', 'zigbee2mqtt/+/set'],
};
const dashboard = { name: 'dashboard', publish: [], subscribe: ['hearth/local/#'] };

describe('ACL', () => {
  it.each([
    ['zigbee2mqtt/#', 'zigbee2mqtt/hall_motion', true],
    ['zigbee2mqtt/#', 'zigbee2mqtt', true],
    ['zigbee2mqtt/+/set', 'zigbee2mqtt/lamp/set', true],
    ['zigbee2mqtt/+/set', 'zigbee2mqtt/lamp/get', false],
    ['zigbee2mqtt/+', 'zigbee2mqtt/a/b', false],
    ['#', '$SYS/broker/uptime', false],
    ['+/uptime', '$SYS/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
  ])('filter %s matches %s: %s', (filter, topic, want) => {
    expect(topicMatches(filter, topic)).toBe(want);
  });

  it.each([
    ['zigbee2mqtt/#', 'zigbee2mqtt/bridge/#', true],
    ['zigbee2mqtt/#', 'zigbee2mqtt/+/set', true],
    ['zigbee2mqtt/bridge/#', 'zigbee2mqtt/#', false],
    ['zigbee2mqtt/+/set', 'zigbee2mqtt/+/set', true],
    ['zigbee2mqtt/+/set', 'zigbee2mqtt/#', false],
    ['zigbee2mqtt/+/set', 'zigbee2mqtt/+/+', false],
    ['hearth/local/#', 'hearth/local/reading/+', true],
    ['hearth/local/#', 'hearth/#', false],
    ['#', '$SYS/#', false],
  ])('allowed %s covers a subscription to %s: %s', (allowed, requested, want) => {
    expect(filterCovers(allowed, requested)).toBe(want);
  });

  it('a covering filter never lets through a topic the allowed filter would not match', () => {
    const level = fc.constantFrom('a', 'b', '+', 'hearth', 'local');
    const filter = fc
      .tuple(fc.array(level, { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([ls, hash]) => (hash ? [...ls, '#'] : ls).join('/'));
    const topic = fc
      .array(fc.constantFrom('a', 'b', 'hearth', 'local', 'x'), { minLength: 1, maxLength: 6 })
      .map((ls) => ls.join('/'));
    fc.assert(
      fc.property(filter, filter, topic, (allowed, requested, t) => {
        if (filterCovers(allowed, requested) && topicMatches(requested, t))
          expect(topicMatches(allowed, t)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('decides per user, and nobody publishes to $ topics', () => {
    expect(canPublish(z2m, 'zigbee2mqtt/hall_motion')).toEqual({ ok: true });
    expect(canPublish(z2m, 'hearth/local/alert')).toEqual({
      ok: false,
      reason: 'zigbee2mqtt may not publish to hearth/local/alert',
    });
    expect(canPublish(dashboard, 'hearth/local/alert').ok).toBe(false);
    expect(canPublish({ ...z2m, publish: ['#'] }, '$SYS/x').ok).toBe(false);
    expect(canPublish(undefined, 'zigbee2mqtt/x').ok).toBe(false);
    expect(canSubscribe(dashboard, 'hearth/local/reading/+')).toEqual({ ok: true });
    expect(canSubscribe(dashboard, '#').ok).toBe(false);
    expect(canSubscribe(z2m, 'zigbee2mqtt/#').ok).toBe(false);
  });
});

describe('sign-in guard', () => {
  const limits = { maxFailures: 5, banMs: 300_000, maxAddressFailures: 20 };
  it('refuses a user name at an address after five wrong passwords in a minute, for five minutes', () => {
    const g = new SignInGuard(limits);
    for (let i = 0; i < 4; i++) g.failed('10.0.0.9', 'dashboard', i * 1000);
    expect(g.refuse('10.0.0.9', 'dashboard', 5000)).toBeUndefined();
    g.failed('10.0.0.9', 'dashboard', 5000);
    expect(g.refuse('10.0.0.9', 'dashboard', 6000)?.reason).toMatch(/too many wrong passwords/);
    expect(g.refuse('127.0.0.1', 'dashboard', 6000)).toBeUndefined();
    expect(g.refuse('10.0.0.9', 'dashboard', 5000 + 300_000)).toBeUndefined();
  });
  it('forgets failures spread out over time, and a success clears them', () => {
    const g = new SignInGuard(limits);
    for (let i = 0; i < 10; i++) g.failed('a', 'u', i * 61_000);
    expect(g.refuse('a', 'u', 700_000)).toBeUndefined();
    for (let i = 0; i < 4; i++) g.failed('b', 'u', i);
    g.succeeded('b', 'u');
    g.failed('b', 'u', 10);
    expect(g.refuse('b', 'u', 20)).toBeUndefined();
  });
  it('refuses past the connection limit', () => {
    const slots = new ConnectionSlots({ maxConnections: 64, maxPerUser: 64 });
    for (let i = 0; i < 64; i++) expect(slots.take(`u${i}`, false)).toBeUndefined();
    expect(slots.take('a', false)?.reason).toMatch(/connection limit/);
  });
});

describe('packet size limit', () => {
  it('passes packets under the limit, in any chunking', () => {
    const packet = Buffer.concat([Buffer.from([0x30, 0x05]), Buffer.from('a/b12')]);
    const stream = Buffer.concat([packet, packet, Buffer.from([0xc0, 0x00])]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const limit = new FrameLimit(16);
        let at = 0;
        for (const n of [...sizes, stream.length]) {
          expect(limit.feed(stream.subarray(at, at + n))).toBeUndefined();
          at += n;
          if (at >= stream.length) break;
        }
      }),
    );
  });
  it('refuses a packet whose declared length is over the limit, before its body arrives', () => {
    const limit = new FrameLimit(1024);
    expect(limit.feed(Buffer.from([0x30, 0x80, 0x80, 0x04]))).toBe(
      'packet of 65536 bytes exceeds the 1024-byte limit',
    );
    expect(new FrameLimit(1024).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toMatch(
      /exceeds|malformed/,
    );
  });
});
