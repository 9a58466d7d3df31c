// The hub's intake: what arrives while a batch commits becomes the next batch; an alert waiting
// behind a backlog goes in the very next one; PUBACKs leave in the order the messages came, each
// after its own commit; and a full intake stops reading until a batch makes room.
import { describe, expect, it } from 'vitest';
import { Intake } from '../cloud-relay/hub/intake.ts';

/** A store whose commits finish when the test says. */
function slowStore() {
  const batches: string[][] = [];
  const commits: (() => void)[] = [];
  return {
    batches,
    run: (batch: string[]) => {
      batches.push(batch);
      return new Promise<void>((r) => commits.push(r));
    },
    /** Finishes the oldest commit in progress and lets the intake act on it. */
    async commit() {
      commits.shift()?.();
      await new Promise((r) => setImmediate(r));
    },
    started: () => new Promise((r) => setImmediate(r)),
  };
}

const LIMITS = { maxBatch: 100, maxQueued: 100, maxBytes: 1 << 20 };

describe('hub intake', () => {
  it('commits an alert beside a batch of others, not after it, and acknowledges in arrival order after each commit', async () => {
    const store = slowStore();
    const intake = new Intake(store.run, LIMITS);
    const acked: string[] = [];
    const add = (m: string) => intake.add(m, m.startsWith('alert'), 10, () => acked.push(m));
    for (const m of ['hb-1', 'hb-2']) void add(m);
    await store.started();
    // While that batch commits: a home's backlog, then a live alert from another home.
    for (let i = 1; i <= 5; i++) void add(`backlog-${i}`);
    void add('alert-live');
    await store.started();
    // The alert is taken at once, beside the batch still committing.
    expect(store.batches).toEqual([['hb-1', 'hb-2'], ['alert-live']]);
    expect(acked).toEqual([]);
    await store.commit(); // hb-1, hb-2
    expect(acked).toEqual(['hb-1', 'hb-2']);
    expect(store.batches[2]).toEqual(['backlog-1', 'backlog-2', 'backlog-3', 'backlog-4', 'backlog-5']);
    await store.commit(); // the alert: stored, but its PUBACK waits for the messages that came before it
    expect(acked).toEqual(['hb-1', 'hb-2']);
    await store.commit(); // the backlog
    expect(acked).toEqual([
      'hb-1',
      'hb-2',
      'backlog-1',
      'backlog-2',
      'backlog-3',
      'backlog-4',
      'backlog-5',
      'alert-live',
    ]);
    await intake.idle();
    expect(intake.size).toBe(0);
  });

  it('stops reading when full, by count or by bytes, until a commit makes room', async () => {
    const store = slowStore();
    const intake = new Intake(store.run, { maxBatch: 2, maxQueued: 3, maxBytes: 1_000 });
    const read: string[] = [];
    const take = (m: string, bytes = 10) => intake.add(m, false, bytes, () => {}).then(() => read.push(m));
    void take('m1');
    void take('m2');
    await store.started();
    void take('m3');
    await store.started();
    expect(read).toEqual(['m1', 'm2']);
    await store.commit();
    expect(read).toEqual(['m1', 'm2', 'm3']);
    // One large payload fills it by bytes alone.
    void take('big', 2_000);
    await store.started();
    expect(read).not.toContain('big');
    await store.commit();
    await store.commit();
    expect(read).toContain('big');
  });
});
