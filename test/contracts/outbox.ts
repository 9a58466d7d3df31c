// The contract of the uplink's ports (cloud-relay/uplink/outbox.ts), one suite for every
// implementation, as aedes-persistence's abstract.js and MQTT.js's abstract store are: a backend
// passes it or the relay cannot rely on it. Run by test/outbox-contract.test.ts against SQLite
// (the gateway's store) and memory.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandLog, NewOutboxRow, Outbox, Queue } from '../../cloud-relay/uplink/outbox.ts';

export type OutboxBackend = {
  outbox: Outbox;
  /** Another queue of the same outbox, as the pusher's. */
  pushes: Queue;
  commands: CommandLog;
  /** The same outbox as the next start finds it (the backend is closed first). */
  reopen(): OutboxBackend;
  close(): void;
};

const row = (type: string, i: number, over: Partial<NewOutboxRow> = {}): NewOutboxRow => ({
  id: `${type}-${i}`,
  topic: `hearth/v1/gw/${type}`,
  type,
  payload: `{"n":${i}}`,
  created_at: 1000 + i,
  ...over,
});

const ids = (q: Queue, after = 0, limit = 1000) => q.peekAfter(after, limit).map((r) => r.id);

export function outboxContract(name: string, open: () => OutboxBackend): void {
  describe(`outbox contract: ${name}`, () => {
    let b: OutboxBackend;
    beforeEach(() => {
      b = open();
    });
    afterEach(() => b.close());

    it('keeps the order messages were queued in, and ignores a repeated id', () => {
      const { outbox } = b;
      outbox.unit(() => {
        for (const id of ['a', 'b', 'a', 'c']) outbox.add(row('alert', 0, { id }));
      }, true);
      outbox.unit(() => outbox.add(row('alert', 0, { id: 'b' })), true);
      const rows = outbox.peekAfter(0, 10);
      expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
      expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((x, y) => x - y));
      expect(new Set(rows.map((r) => r.seq)).size).toBe(3);
      expect(rows[0]).toEqual({ seq: rows[0]?.seq, ...row('alert', 0, { id: 'a' }) });
    });

    it('peeks after a sequence number, at most `limit` at a time', () => {
      const { outbox } = b;
      outbox.unit(() => {
        for (let i = 0; i < 10; i++) outbox.add(row('alert', i));
      }, true);
      const first = outbox.peekAfter(0, 3);
      expect(first.map((r) => r.id)).toEqual(['alert-0', 'alert-1', 'alert-2']);
      const last = first.at(-1)?.seq ?? -1;
      expect(ids(outbox, last)).toEqual([
        'alert-3',
        'alert-4',
        'alert-5',
        'alert-6',
        'alert-7',
        'alert-8',
        'alert-9',
      ]);
      const end = outbox.peekAfter(0, 100).at(-1)?.seq ?? -1;
      expect(outbox.peekAfter(end, 10)).toEqual([]);
      outbox.unit(() => outbox.add(row('alert', 10)), true);
      expect(ids(outbox, end)).toEqual(['alert-10']);
    });

    it('removes a message by its sequence number, and nothing for one it does not hold', () => {
      const { outbox } = b;
      outbox.unit(() => {
        for (let i = 0; i < 3; i++) outbox.add(row('alert', i));
      }, true);
      const [, second] = outbox.peekAfter(0, 10);
      outbox.unit(() => outbox.remove(second?.seq ?? -1), false);
      outbox.unit(() => outbox.remove(999_999), false);
      expect(ids(outbox)).toEqual(['alert-0', 'alert-2']);
      expect(outbox.stats().rows).toBe(2);
    });

    it('keeps what a durable unit queued, in its order and under its numbers, across a restart', () => {
      b.outbox.unit(() => {
        for (let i = 0; i < 5; i++) b.outbox.add(row(i % 2 ? 'heartbeat' : 'alert', i));
      }, true);
      b.outbox.unit(() => b.outbox.remove(b.outbox.peekAfter(0, 1)[0]?.seq ?? -1), true);
      const before = b.outbox.peekAfter(0, 10);
      b = b.reopen();
      expect(b.outbox.peekAfter(0, 10)).toEqual(before);
      b.outbox.unit(() => b.outbox.add(row('alert', 9)), true);
      expect(b.outbox.peekAfter(before.at(-1)?.seq ?? -1, 10).map((r) => r.id)).toEqual(['alert-9']);
    });

    it('undoes a unit that throws: nothing queued, removed or recorded', () => {
      const { outbox, commands, pushes } = b;
      outbox.unit(() => outbox.add(row('alert', 0)), true);
      const before = { rows: outbox.peekAfter(0, 10), stats: outbox.stats() };
      expect(() =>
        outbox.unit(() => {
          outbox.add(row('alert', 1));
          pushes.add(row('push', 1));
          outbox.remove(before.rows[0]?.seq ?? -1);
          commands.record('c1', 'ping', '{"answer":1}', 5);
          throw new Error('crash between writes');
        }, true),
      ).toThrow('crash between writes');
      expect(outbox.peekAfter(0, 10)).toEqual(before.rows);
      expect(pushes.peekAfter(0, 10)).toEqual([]);
      expect(outbox.stats()).toEqual(before.stats);
      expect(commands.result('c1')).toBeUndefined();
    });

    it('counts every message waiting, its bytes, and when the oldest alert was queued', () => {
      const { outbox } = b;
      expect(outbox.stats()).toEqual({ rows: 0, bytes: 0, oldestAlertAt: null });
      outbox.unit(() => {
        outbox.add(row('heartbeat', 1, { payload: 'xx' }));
        outbox.add(row('alert', 2, { payload: 'abc', created_at: 7000 }));
        outbox.add(row('alert', 3, { payload: 'defg', created_at: 9000 }));
      }, true);
      expect(outbox.stats()).toEqual({ rows: 3, bytes: 9, oldestAlertAt: 7000 });
      const [, alert] = outbox.peekAfter(0, 10);
      outbox.unit(() => outbox.remove(alert?.seq ?? -1), false);
      expect(outbox.stats()).toEqual({ rows: 2, bytes: 6, oldestAlertAt: 9000 });
    });

    it('makes room when full: heartbeats first, then the oldest summaries, never alerts or command results', () => {
      const { outbox } = b;
      const big = (type: string, i: number) => row(type, i, { payload: 'x'.repeat(100) });
      outbox.unit(() => {
        for (let i = 0; i < 50; i++) {
          outbox.add(big('alert', i));
          outbox.add(big('heartbeat', i));
          outbox.add(big('summary', i));
        }
        for (let i = 0; i < 5; i++) outbox.add(big('cmd_result', i));
      }, true);
      expect(outbox.enforceLimit(1000, 1e9)).toEqual({});
      expect(outbox.enforceLimit(95, 1e9)).toEqual({ heartbeat: 50, summary: 10 });
      const left = outbox.peekAfter(0, 1000);
      expect(left.filter((r) => r.type === 'alert')).toHaveLength(50);
      expect(left.filter((r) => r.type === 'summary').map((r) => r.id)[0]).toBe('summary-10');
      expect(outbox.enforceLimit(10, 1e9)).toEqual({ summary: 40 });
      expect(outbox.stats().rows).toBe(55);
      expect(outbox.enforceLimit(10, 100)).toEqual({});
      expect(outbox.stats()).toMatchObject({ rows: 55, bytes: 5500 });
    });

    it('drops by bytes as by rows, the oldest first, only as many as it must', () => {
      const { outbox } = b;
      outbox.unit(() => {
        for (let i = 0; i < 10; i++) outbox.add(row('heartbeat', i, { payload: 'x'.repeat(10) }));
        outbox.add(row('alert', 0, { payload: 'x'.repeat(10) }));
      }, true);
      expect(outbox.enforceLimit(1000, 75)).toEqual({ heartbeat: 4 });
      expect(ids(outbox)).toEqual([
        'heartbeat-4',
        'heartbeat-5',
        'heartbeat-6',
        'heartbeat-7',
        'heartbeat-8',
        'heartbeat-9',
        'alert-0',
      ]);
    });

    it('remembers the answer to each command, the first one given, across a restart', () => {
      const { outbox, commands } = b;
      expect(commands.result('c1')).toBeUndefined();
      outbox.unit(() => {
        commands.record('c1', 'ack', '{"answer":"first"}', 1);
        outbox.add(row('cmd_result', 1));
      }, true);
      outbox.unit(() => commands.record('c1', 'ack', '{"answer":"second"}', 2), true);
      expect(commands.result('c1')).toBe('{"answer":"first"}');
      b = b.reopen();
      expect(b.commands.result('c1')).toBe('{"answer":"first"}');
      expect(b.commands.result('c2')).toBeUndefined();
    });

    it("keeps pushes in a queue of their own: counted with the rest, never drained with the trust's", () => {
      const { outbox, pushes } = b;
      outbox.unit(() => {
        outbox.add(row('alert', 1));
        pushes.add(row('push', 1, { payload: 'p' }));
        outbox.add(row('alert', 2));
        pushes.add(row('push', 2, { payload: 'q' }));
      }, true);
      expect(ids(outbox)).toEqual(['alert-1', 'alert-2']);
      expect(ids(pushes)).toEqual(['push-1', 'push-2']);
      expect(outbox.stats().rows).toBe(4);
      expect(outbox.enforceLimit(1, 1)).toEqual({});
      pushes.unit(() => pushes.remove(pushes.peekAfter(0, 1)[0]?.seq ?? -1), false);
      expect(ids(pushes)).toEqual(['push-2']);
      expect(ids(outbox)).toEqual(['alert-1', 'alert-2']);
      b = b.reopen();
      expect(ids(b.pushes)).toEqual(['push-2']);
      expect(ids(b.outbox)).toEqual(['alert-1', 'alert-2']);
    });

    it("keeps a message the broker took until the hub's receipt: out of the drain, due again at its time, across a restart", () => {
      b.outbox.unit(() => {
        for (let i = 0; i < 4; i++) b.outbox.add(row('alert', i, { created_at: 1000 + i }));
        b.outbox.add(row('summary', 9, { created_at: 5000 }));
      }, true);
      const [a0, a1, a2] = b.outbox.peekAfter(0, 10);
      b.outbox.unit(() => {
        b.outbox.awaitReceipt(a0?.seq ?? -1, 60_000, 1);
        b.outbox.awaitReceipt(a1?.seq ?? -1, 30_000, 2);
        b.outbox.awaitReceipt(a2?.seq ?? -1, 90_000, 1);
        b.outbox.awaitReceipt(999_999, 1, 1);
      }, true);
      // The drain sees only what the broker has not taken; the oldest undelivered alert is alert-3.
      expect(ids(b.outbox)).toEqual(['alert-3', 'summary-9']);
      expect(b.outbox.stats()).toMatchObject({ rows: 5, oldestAlertAt: 1003 });
      expect(b.outbox.receipts()).toEqual({ awaiting: 3, oldestAt: 1000, oldestAlertAt: 1000 });
      expect(b.outbox.due(29_999, 10)).toEqual([]);
      expect(b.outbox.due(60_000, 10).map((r) => [r.id, r.attempts])).toEqual([
        ['alert-1', 2],
        ['alert-0', 1],
      ]);
      expect(b.outbox.due(1e9, 1).map((r) => r.id)).toEqual(['alert-1']);
      b = b.reopen();
      expect(ids(b.outbox)).toEqual(['alert-3', 'summary-9']);
      expect(b.outbox.due(1e9, 10).map((r) => r.id)).toEqual(['alert-1', 'alert-0', 'alert-2']);
      expect(b.outbox.due(1e9, 10)[0]).toEqual({ ...a1, attempts: 2 });
    });

    it('removes by a receipt the messages it names, sent or not yet, and nothing of another queue', () => {
      const { outbox, pushes } = b;
      outbox.unit(() => {
        for (let i = 0; i < 3; i++) outbox.add(row('alert', i, { payload: 'xx' }));
        pushes.add(row('push', 0, { payload: 'p' }));
      }, true);
      const [a0] = outbox.peekAfter(0, 10);
      outbox.unit(() => outbox.awaitReceipt(a0?.seq ?? -1, 5, 1), true);
      expect(outbox.unit(() => outbox.receipted(['alert-0', 'alert-2', 'never-sent', 'push-0']), false)).toBe(
        2,
      );
      expect(ids(outbox)).toEqual(['alert-1']);
      expect(ids(pushes)).toEqual(['push-0']);
      expect(outbox.receipts()).toEqual({ awaiting: 0, oldestAt: null, oldestAlertAt: null });
      expect(outbox.due(1e9, 10)).toEqual([]);
      expect(outbox.stats()).toMatchObject({ rows: 2, bytes: 3 });
      expect(outbox.unit(() => outbox.receipted(['alert-0']), false)).toBe(0);
    });

    it('undoes a unit that throws after marking or receipting', () => {
      const { outbox } = b;
      outbox.unit(() => outbox.add(row('alert', 0)), true);
      const [a0] = outbox.peekAfter(0, 1);
      expect(() =>
        outbox.unit(() => {
          outbox.awaitReceipt(a0?.seq ?? -1, 5, 1);
          throw new Error('crash');
        }, true),
      ).toThrow('crash');
      expect(ids(outbox)).toEqual(['alert-0']);
      outbox.unit(() => outbox.awaitReceipt(a0?.seq ?? -1, 5, 1), true);
      expect(() =>
        outbox.unit(() => {
          outbox.receipted(['alert-0']);
          throw new Error('crash');
        }, true),
      ).toThrow('crash');
      expect(outbox.receipts().awaiting).toBe(1);
    });

    it('says the disk takes writes', () => {
      expect(b.outbox.health()).toMatchObject({ fault: null });
    });
  });
}
