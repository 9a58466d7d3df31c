// The local broker's bounds as pure policy, on an injected clock: what each decides, at the edges.
import { describe, expect, it } from 'vitest';
import { forward } from '../../gateway/broker/backlog.ts';
import { FrameLimit } from '../../gateway/broker/frame-limit.ts';

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
