// The local broker's bounds as pure policy, on an injected clock: what each decides, at the edges.
import { describe, expect, it } from 'vitest';
import { topicProblem } from '../../gateway/broker/acl.ts';
import { forward } from '../../gateway/broker/backlog.ts';
import { FrameLimit } from '../../gateway/broker/frame-limit.ts';
import { SignInGuard } from '../../gateway/broker/guard.ts';
import { PendingConnections } from '../../gateway/broker/pending.ts';
import { ENTRY_BYTES, RetainedBudget } from '../../gateway/broker/retained.ts';
import { ConnectionSlots } from '../../gateway/broker/slots.ts';

describe('a client that does not read', () => {
  const limits = { maxBytes: 1000, stalledMs: 30_000 };
  it('is sent everything under the bound, loses QoS 0 messages over it, and is cut off when it stays behind', () => {
    expect(forward(1000, 0, null, 0, limits)).toEqual({ action: 'send', overSince: null });
    expect(forward(1001, 0, null, 5, limits)).toEqual({ action: 'drop', overSince: 5 });
    expect(forward(1001, 0, 5, 29_000, limits)).toEqual({ action: 'drop', overSince: 5 });
    expect(forward(1001, 0, 5, 30_005, limits)).toMatchObject({
      action: 'close',
      reason: /not read for 30 s/,
    });
    // Caught up: the clock starts again.
    expect(forward(10, 0, 5, 40_000, limits)).toEqual({ action: 'send', overSince: null });
  });
  it('is still sent QoS 1 messages over the bound, up to four times it, then cut off', () => {
    expect(forward(3000, 1, null, 0, limits)).toEqual({ action: 'send', overSince: 0 });
    expect(forward(4001, 1, 0, 1, limits)).toMatchObject({ action: 'close', reason: /cannot be dropped/ });
  });
});

describe('the first packet', () => {
  it('is bounded more tightly than the rest: nobody has signed in yet', () => {
    const connect = Buffer.from([0x10, 0x80, 0x80, 0x04]); // CONNECT of 65,536 bytes
    expect(new FrameLimit(1 << 20, 1024).feed(connect)).toMatch(/65536 bytes exceeds the 1024-byte limit/);
    const limit = new FrameLimit(1 << 20, 1024);
    expect(limit.feed(Buffer.concat([Buffer.from([0x10, 0x02]), Buffer.alloc(2)]))).toBeUndefined();
    expect(limit.feed(Buffer.from([0x30, 0x80, 0x80, 0x04]))).toBeUndefined();
  });
});

describe('sign-in', () => {
  const guard = () => new SignInGuard({ maxFailures: 5, banMs: 300_000, maxAddressFailures: 20 });
  it('five wrong passwords refuse that name at that address only', () => {
    const g = guard();
    for (let i = 0; i < 5; i++) g.failed('127.0.0.1', 'dashboard', i);
    expect(g.refuse('127.0.0.1', 'dashboard', 10)).toMatchObject({ code: 5 });
    expect(g.refuse('127.0.0.1', 'zigbee2mqtt', 10)).toBeUndefined();
    expect(g.refuse('10.0.0.2', 'dashboard', 10)).toBeUndefined();
  });
  it('an address guessing many names runs out of its budget for new names, not for names that signed in there', () => {
    const g = guard();
    g.succeeded('127.0.0.1', 'zigbee2mqtt');
    for (let i = 0; i < 20; i++) g.failed('127.0.0.1', `name-${i}`, i);
    expect(g.refuse('127.0.0.1', 'name-99', 100)).toMatchObject({ code: 3 });
    expect(g.refuse('127.0.0.1', 'zigbee2mqtt', 100)).toBeUndefined();
    // A minute on, the budget is back.
    expect(g.refuse('127.0.0.1', 'name-99', 60_020)).toBeUndefined();
  });
  it('a flood of failures from other addresses (remembered within a bound) does not wipe out a ban', () => {
    const g = guard();
    for (let i = 0; i < 5; i++) g.failed('10.9.9.9', 'x', 0);
    expect(g.refuse('10.9.9.9', 'x', 1)).toMatchObject({ code: 5 });
    for (let i = 0; i < 50_000; i++) g.failed(`10.0.${i >> 8}.${i & 255}`, `n${i}`, 0);
    expect(g.refuse('10.9.9.9', 'x', 1)).toMatchObject({ code: 5 });
  });
});

describe('connections that have not sent CONNECT', () => {
  it('a new one past a bound closes the oldest, of its own address first', () => {
    const p = new PendingConnections({ maxPending: 4, maxPerAddress: 2 });
    expect(p.add('a1', 'a')).toEqual([]);
    expect(p.add('a2', 'a')).toEqual([]);
    expect(p.add('a3', 'a')).toEqual(['a1']);
    expect(p.add('b1', 'b')).toEqual([]);
    expect(p.add('c1', 'c')).toEqual([]);
    expect(p.add('d1', 'd')).toEqual(['a2']);
    p.remove('b1');
    expect(p.add('e1', 'e')).toEqual([]);
    expect(p.size).toBe(4);
  });
});

describe('connection slots', () => {
  it('one user cannot take every slot; a session taken over by its own user is let through', () => {
    const s = new ConnectionSlots({ maxConnections: 10, maxPerUser: 3 });
    for (let i = 0; i < 3; i++) expect(s.take('dashboard', false)).toBeUndefined();
    expect(s.take('dashboard', false)).toMatchObject({ code: 3 });
    expect(s.take('dashboard', true)).toBeUndefined();
    expect(s.take('zigbee2mqtt', false)).toBeUndefined();
    s.free('dashboard');
    s.free('dashboard');
    expect(s.take('dashboard', false)).toBeUndefined();
  });
});

describe('retained messages', () => {
  const cost = (topic: string, n: number) => topic.length + n + ENTRY_BYTES;
  it('are kept per user up to a bound; a message replacing one on its topic counts once', () => {
    const b = new RetainedBudget({ perUserBytes: 3 * cost('t/1', 1000), totalBytes: 1e9 });
    for (const t of ['t/1', 't/2', 't/3']) expect(b.admit('z2m', t, 1000)).toEqual({ keep: true });
    expect(b.admit('z2m', 't/1', 1000)).toEqual({ keep: true });
    expect(b.admit('z2m', 't/4', 1000)).toMatchObject({ keep: false, clearOlder: false });
    // Another user has a budget of its own.
    expect(b.admit('dash', 't/5', 1000)).toEqual({ keep: true });
    // An empty message clears its topic, and frees what it held.
    expect(b.admit('z2m', 't/2', 0)).toEqual({ keep: true });
    expect(b.admit('z2m', 't/4', 1000)).toEqual({ keep: true });
    expect(b.held('z2m')).toBe(3 * cost('t/1', 1000));
  });
  it('past a bound, an older message on the same topic is cleared: it is no longer the latest', () => {
    const b = new RetainedBudget({ perUserBytes: cost('t/1', 1000), totalBytes: 1e9 });
    expect(b.admit('z2m', 't/1', 10)).toEqual({ keep: true });
    expect(b.admit('z2m', 't/1', 5000)).toMatchObject({ keep: false, clearOlder: true });
    expect(b.held('z2m')).toBe(0);
  });
  it('are bounded in all, over every user', () => {
    const b = new RetainedBudget({ perUserBytes: 1e9, totalBytes: 2 * cost('a/1', 100) });
    expect(b.admit('a', 'a/1', 100)).toEqual({ keep: true });
    expect(b.admit('b', 'b/1', 100)).toEqual({ keep: true });
    expect(b.admit('c', 'c/1', 100)).toMatchObject({ keep: false, reason: /over/ });
    expect(b.held()).toBe(2 * cost('a/1', 100));
  });
});

describe('topic names', () => {
  it('refuses U+0000 and what ill-formed UTF-8 decodes to, and nothing else', () => {
    expect(topicProblem('zigbee2mqtt/hall\u0000motion')).toMatch(/U\+0000/);
    expect(topicProblem(Buffer.from([0x61, 0x2f, 0xff]).toString('utf8'))).toMatch(/UTF-8/);
    expect(topicProblem(Buffer.from([0x61, 0xed, 0xa0, 0x80]).toString('utf8'))).toMatch(/UTF-8/);
    expect(topicProblem('zigbee2mqtt/salle_de_séjour/ü/温度')).toBeUndefined();
  });
});
