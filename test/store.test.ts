import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PUSH_QUEUE } from '../cloud-relay/uplink/push.ts';
import { StoreLockedError, StoreTooNewError } from '../gateway/store/errors.ts';
import { sqliteOf } from '../gateway/store/inspect.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../gateway/store/migrations.ts';
import { Store } from '../gateway/store/store.ts';
import { databaseAtSchema } from './helpers/old-database.ts';
import { tempDir } from './helpers/tmp.ts';

const ev = (at: number, device = 'hall-motion', value: boolean | number | string = true) => ({
  at,
  device,
  kind: 'motion' as const,
  value,
  room: 'hall',
  role: null,
});

describe('store', () => {
  it('creates its folder, records migrations and keeps data across a reopen', () => {
    const path = join(tempDir(), 'nested', 'hearth.db');
    const s = Store.open(path);
    s.events.append(ev(1000));
    s.ruleStates.put('inactivity', { phase: 'quiet' }, 5000, 1000);
    s.outbox.add({ id: 'm1', topic: 't', type: 'alert', payload: '{}', created_at: 1000 });
    s.close();

    const again = Store.open(path);
    expect(again.events.between(0, 2000)).toMatchObject([
      { at: 1000, device: 'hall-motion', value: true, room: 'hall' },
    ]);
    expect(again.ruleStates.get('inactivity')).toEqual({ state: { phase: 'quiet' }, wakeAt: 5000 });
    expect(again.outbox.depth()).toBe(1);
    const versions = sqliteOf(again).prepare('SELECT version FROM schema_migrations').all();
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(sqliteOf(again).pragma('journal_mode', { simple: true })).toBe('wal');
    again.close();
  });

  it('refuses a second opener of the same database with a message that says what to do', () => {
    const path = join(tempDir(), 'hearth.db');
    const first = Store.open(path);
    expect(() => Store.open(path)).toThrow(StoreLockedError);
    expect(() => Store.open(path)).toThrow(/in use by another Hearth process/);
    first.close();
    Store.open(path).close();
  });

  it('keeps the WAL index in memory: no -shm file on the card', () => {
    const path = join(tempDir(), 'hearth.db');
    const s = Store.open(path);
    s.events.append(ev(1));
    expect(existsSync(`${path}-shm`)).toBe(false);
    s.close();
  });

  it('refuses a database from a newer Hearth and leaves it untouched', () => {
    const path = join(tempDir(), 'hearth.db');
    Store.open(path).close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_migrations VALUES (?, 'future', 'x')").run(SCHEMA_VERSION + 1);
    const before = raw.prepare('SELECT count(*) AS n FROM schema_migrations').get();
    raw.close();
    expect(() => Store.open(path)).toThrow(StoreTooNewError);
    const after = new Database(path);
    expect(after.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual(before);
    after.close();
  });

  it('keeps outbox order and ignores a repeated id', () => {
    const s = Store.open(join(tempDir(), 'hearth.db'));
    for (const id of ['a', 'b', 'a', 'c'])
      s.outbox.add({ id, topic: 't', type: 'alert', payload: id, created_at: 0 });
    expect(s.outbox.peek(10).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    s.outbox.remove(s.outbox.peek(1)[0]?.seq ?? -1);
    expect(s.outbox.peek(10).map((r) => r.id)).toEqual(['b', 'c']);
    s.close();
  });

  it("moves the pushes an earlier Hearth queued beside the trust's messages to a queue of their own", () => {
    const path = join(tempDir(), 'hearth.db');
    const raw = databaseAtSchema(path, 3);
    const insert = raw.prepare(
      "INSERT INTO outbox (id, topic, type, payload, created_at) VALUES (?, ?, ?, '{}', 1)",
    );
    insert.run('a1:raised', 'hearth/v1/gw/alert', 'alert');
    insert.run('a1:raised:push', 'push', 'push');
    insert.run('a2:raised', 'hearth/v1/gw/alert', 'alert');
    raw.close();
    const s = Store.open(path);
    expect(s.outbox.peekAfter(0, 10).map((r) => r.id)).toEqual(['a1:raised', 'a2:raised']);
    expect(
      s.outbox
        .queue(PUSH_QUEUE)
        .peekAfter(0, 10)
        .map((r) => r.id),
    ).toEqual(['a1:raised:push']);
    expect(s.outbox.stats().rows).toBe(3);
    s.close();
  });

  it('answers a day of events from the time index and prunes by retention', () => {
    const s = Store.open(join(tempDir(), 'hearth.db'));
    s.transaction(() => {
      for (let i = 0; i < 100; i++) s.events.append(ev(i * 1000, i % 2 ? 'a' : 'b', i));
    });
    expect(s.events.between(10_000, 20_000).map((e) => e.value)).toEqual([
      10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    ]);
    const plan = sqliteOf(s)
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM events WHERE at >= 1 AND at < 2 ORDER BY at, id')
      .all();
    expect(JSON.stringify(plan)).toMatch(/USING INDEX events_at/);
    expect(s.events.lastOf('a')?.value).toBe(99);
    expect(s.events.prune(50_000)).toBe(50);
    expect(s.events.between(0, 1e9)).toHaveLength(50);
    s.close();
  });

  it('rolls a failed transaction back whole', () => {
    const s = Store.open(join(tempDir(), 'hearth.db'));
    expect(() =>
      s.transaction(() => {
        s.events.append(ev(1));
        s.outbox.add({ id: 'x', topic: 't', type: 'alert', payload: '{}', created_at: 1 });
        throw new Error('crash between writes');
      }),
    ).toThrow('crash between writes');
    expect(s.events.between(0, 10)).toHaveLength(0);
    expect(s.outbox.depth()).toBe(0);
    s.close();
  });
});
