// The engine shell: acknowledgement and the trust's close, restarts, wall-clock jumps and the one-transaction rule.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../core/clock.ts';
import { Counters } from '../core/counters.ts';
import { createLogger } from '../core/log.ts';
import { RuleEngine } from '../gateway/engine/engine.ts';
import type { OutMessage } from '../gateway/engine/messages.ts';
import { indexDevices, ingest } from '../gateway/ingest.ts';
import { sqliteOf } from '../gateway/store/inspect.ts';
import { Store } from '../gateway/store/store.ts';
import { homeConfig, local, zone } from './helpers/simulate.ts';
import { tempDir } from './helpers/tmp.ts';

const config = homeConfig(`inactivity:
  windows:
    - { from: "07:00", to: "22:00", quiet: 3h }
    - { from: "22:00", to: "07:00", quiet: off }
  prompt: 10m
  escalate: 30m`);
const devices = indexDevices(config);
const log = createLogger({ level: 'silent' });

function engineOn(path: string, clock: SimClock, seen: OutMessage[]) {
  const store = Store.open(path);
  const engine = new RuleEngine({
    config,
    devices,
    store,
    clock,
    log,
    counters: new Counters(),
    deliver: (m) => seen.push(m),
  });
  engine.start();
  const motion = (device = 'kitchen-motion') => {
    const r = ingest(devices, { device, at: clock.now(), kind: 'motion', value: true });
    if (!r.ok) throw new Error(r.detail);
    engine.event(r.event);
  };
  return {
    store,
    engine,
    motion,
    close: () => {
      engine.stop();
      store.close();
    },
  };
}

const at = (m: OutMessage) => zone.hm(m.at);
const summary = (seen: OutMessage[]) => seen.map((m) => `${at(m)} ${m.payload.state}`);

describe('rule engine', () => {
  it('an ack moves a raised alert to acknowledged, and it no longer escalates', () => {
    const clock = new SimClock(local('2026-03-02 09:00'));
    const seen: OutMessage[] = [];
    const g = engineOn(join(tempDir(), 'h.db'), clock, seen);
    g.motion();
    clock.advanceTo(local('2026-03-02 12:15'));
    const id = seen[0]?.payload.alert_id as string;
    expect(g.engine.ack('no-such-alert', 'Sam')).toBe(false);
    expect(g.engine.ack(id, 'Sam (monitoring centre)')).toBe(true);
    expect(g.engine.ack(id, 'Sam again')).toBe(false);
    clock.advanceTo(local('2026-03-02 13:30'));
    g.motion();
    expect(summary(seen)).toEqual([
      '12:00 pre-alert',
      '12:10 raised',
      '12:15 acknowledged',
      '13:30 resolved',
    ]);
    expect(seen[2]?.payload).toMatchObject({
      acknowledged_by: 'Sam (monitoring centre)',
      reason: 'Acknowledged by Sam (monitoring centre) at 12:15.',
    });
    g.close();
  });

  it('a close after the ack keeps who closed it and the outcome, once; the alert still ends when she moves', () => {
    const clock = new SimClock(local('2026-03-02 09:00'));
    const seen: OutMessage[] = [];
    const g = engineOn(join(tempDir(), 'h.db'), clock, seen);
    g.motion();
    clock.advanceTo(local('2026-03-02 12:15'));
    const id = seen[0]?.payload.alert_id as string;
    expect(g.engine.ack(id, 'Sam')).toBe(true);
    clock.advanceTo(local('2026-03-02 12:40'));
    expect(g.engine.close('no-such-alert', 'Anna', 'Responder sent')).toBe(false);
    expect(g.engine.close(id, 'Anna', 'Responder sent')).toBe(true);
    expect(g.engine.close(id, 'Ben', 'False alarm')).toBe(false);
    // Closed is not over: no new alert while she is still, and her next movement ends it.
    clock.advanceTo(local('2026-03-02 16:00'));
    g.motion();
    expect(summary(seen)).toEqual([
      '12:00 pre-alert',
      '12:10 raised',
      '12:15 acknowledged',
      '12:40 acknowledged',
      '16:00 resolved',
    ]);
    expect(seen[3]?.payload).toMatchObject({
      id: `${id}:acknowledged:1`,
      acknowledged_by: 'Sam',
      closed_by: 'Anna',
      outcome: 'Responder sent',
      reason: 'Closed by Anna at 12:40: Responder sent.',
    });
    // Each is its own message to the trust: the hub keeps both, by id.
    expect(new Set(seen.map((m) => m.payload.id)).size).toBe(seen.length);
    g.close();
  });

  it('a close before any ack acknowledges it too: it stops escalating, and a later ack is refused', () => {
    const clock = new SimClock(local('2026-03-02 09:00'));
    const seen: OutMessage[] = [];
    const g = engineOn(join(tempDir(), 'h.db'), clock, seen);
    g.motion();
    clock.advanceTo(local('2026-03-02 12:12'));
    const id = seen[0]?.payload.alert_id as string;
    expect(g.engine.close(id, 'Anna', 'Spoke to her')).toBe(true);
    expect(g.engine.ack(id, 'Sam')).toBe(false);
    clock.advanceTo(local('2026-03-02 14:00'));
    expect(summary(seen)).toEqual(['12:00 pre-alert', '12:10 raised', '12:12 acknowledged']);
    expect(seen[2]?.payload).toMatchObject({
      acknowledged_by: 'Anna',
      closed_by: 'Anna',
      outcome: 'Spoke to her',
    });
    // A pre-alert is the home's own question, not a call the trust can close.
    g.motion();
    clock.advanceTo(local('2026-03-02 17:05'));
    const next = seen.at(-1);
    expect(next?.payload.state).toBe('pre-alert');
    expect(g.engine.close(next?.payload.alert_id as string, 'Anna', 'Spoke to her')).toBe(false);
    g.close();
  });

  it('queues for the trust only what leaves the home, in the transaction of the reading that caused it', () => {
    const clock = new SimClock(local('2026-03-02 09:00'));
    const seen: OutMessage[] = [];
    const g = engineOn(join(tempDir(), 'h.db'), clock, seen);
    g.motion();
    clock.advanceTo(local('2026-03-02 12:20'));
    g.motion();
    expect(seen.map((m) => [m.payload.state, m.local, m.topic])).toEqual([
      ['pre-alert', true, 'hearth/local/alert'],
      ['raised', false, 'hearth/v1/gw-test/alert'],
      ['resolved', false, 'hearth/v1/gw-test/alert'],
    ]);
    const rows = g.store.outbox.peek(10);
    expect(rows.map((r) => r.id)).toEqual(seen.filter((m) => !m.local).map((m) => m.payload.id));
    expect(JSON.parse(rows[0]?.payload ?? '{}')).toEqual(seen[1]?.payload);
    g.close();
  });

  it('killed during the prompt, it still raises on time, once', () => {
    const path = join(tempDir(), 'h.db');
    const clock = new SimClock(local('2026-03-02 09:00'));
    const first: OutMessage[] = [];
    const a = engineOn(path, clock, first);
    a.motion();
    clock.advanceTo(local('2026-03-02 12:05'));
    a.close(); // the process dies: nothing but the database survives
    expect(summary(first)).toEqual(['12:00 pre-alert']);

    const clock2 = new SimClock(local('2026-03-02 12:07'));
    const second: OutMessage[] = [];
    const b = engineOn(path, clock2, second);
    clock2.advanceTo(local('2026-03-02 12:20'));
    expect(summary(second)).toEqual(['12:10 raised']);
    b.close();

    const clock3 = new SimClock(local('2026-03-02 12:21'));
    const third: OutMessage[] = [];
    const c = engineOn(path, clock3, third);
    clock3.advanceTo(local('2026-03-02 12:25'));
    expect(third).toEqual([]);
    expect(c.store.outbox.peek(10).map((r) => r.id)).toEqual([second[0]?.payload.id]);
    c.close();
  });

  it('down when the prompt ran out, it raises at once on restart, once', () => {
    const path = join(tempDir(), 'h.db');
    const clock = new SimClock(local('2026-03-02 09:00'));
    const a = engineOn(path, clock, []);
    a.motion();
    clock.advanceTo(local('2026-03-02 12:05'));
    a.close();
    const seen: OutMessage[] = [];
    const b = engineOn(path, new SimClock(local('2026-03-02 12:40')), seen);
    expect(summary(seen)).toEqual(['12:40 raised']);
    b.close();
  });

  it('a wall-clock jump neither fires nor suppresses an alert', () => {
    const clock = new SimClock(local('2026-03-02 09:00'));
    const seen: OutMessage[] = [];
    const g = engineOn(join(tempDir(), 'h.db'), clock, seen);
    g.motion();
    clock.advanceTo(local('2026-03-02 10:00'));
    // NTP corrects a clock that was 4 hours slow: an hour of real quiet so far, not five.
    clock.jumpWall(local('2026-03-02 14:00'));
    clock.advance(60_000);
    expect(seen).toEqual([]);
    clock.advanceTo(local('2026-03-02 15:59'));
    expect(seen).toEqual([]);
    clock.advanceTo(local('2026-03-02 16:01'));
    expect(summary(seen)).toEqual(['16:00 pre-alert']);
    g.close();
  });

  it('a backwards jump does not hold an alert back either', () => {
    const clock = new SimClock(local('2026-03-02 13:00'));
    const seen: OutMessage[] = [];
    const g = engineOn(join(tempDir(), 'h.db'), clock, seen);
    g.motion();
    clock.advanceTo(local('2026-03-02 14:00'));
    clock.jumpWall(local('2026-03-02 09:00'));
    g.motion('lounge-motion'); // the reading after the jump is where it is noticed
    clock.advanceTo(local('2026-03-02 12:01'));
    expect(summary(seen)).toEqual(['12:00 pre-alert']);
    g.close();
  });

  it('a failed write leaves neither the event nor the rule state behind', () => {
    const clock = new SimClock(local('2026-03-02 09:00'));
    const seen: OutMessage[] = [];
    const g = engineOn(join(tempDir(), 'h.db'), clock, seen);
    g.motion();
    clock.advanceTo(local('2026-03-02 12:05'));
    g.store.commit();
    const before = g.store.ruleStates.get('inactivity');
    sqliteOf(g.store).exec(
      "CREATE TRIGGER fail BEFORE INSERT ON events BEGIN SELECT RAISE(FAIL, 'disk says no'); END",
    );
    expect(() => g.motion()).toThrow('disk says no');
    g.store.commit();
    expect(g.store.ruleStates.get('inactivity')).toEqual(before);
    expect(g.store.events.between(local('2026-03-02 12:00'), local('2026-03-02 13:00'))).toEqual([]);
    sqliteOf(g.store).exec('DROP TRIGGER fail');
    g.motion();
    expect(summary(seen)).toEqual(['12:00 pre-alert', '12:05 cancelled']);
    g.close();
  });
});
