// Rule state across an upgrade: the states a Hearth wrote before states had versions load as they
// were; a state of an older version is migrated by its rule; a state that does not parse starts
// its rule afresh, with an info alert that names the rule and says why, and the gateway runs on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RealClock, SimClock } from '../core/clock.ts';
import { Counters } from '../core/counters.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { RuleEngine } from '../gateway/engine/engine.ts';
import type { OutMessage } from '../gateway/engine/messages.ts';
import { loadState } from '../gateway/engine/rule-state.ts';
import { HOME_MODEL as HOME } from '../gateway/home-state/state.ts';
import { indexDevices, ingest } from '../gateway/ingest.ts';
import { startGateway } from '../gateway/main.ts';
import { MODE_STATE } from '../gateway/modes/state.ts';
import { RULES } from '../gateway/rules/index.ts';
import type { Rule, Versioned } from '../gateway/rules/types.ts';
import { Store } from '../gateway/store/store.ts';
import { databaseAtSchema } from './helpers/old-database.ts';
import { EVERY_RULE, type Ev, homeConfig, local, simulate } from './helpers/simulate.ts';
import { tempDir } from './helpers/tmp.ts';

/** The home the fixture was written with: every rule on. */
const config = homeConfig(`${EVERY_RULE}\ncheck_in: { alert_not_good: true }`, { checkIn: true, tag: true });
const devices = indexDevices(config);

type Row = { rule: string; state: string; wake_at: number | null; updated_at: number };
type Snapshot = { events: Ev[]; until: string; rows: Row[] };
const FIXTURE = JSON.parse(
  readFileSync(new URL('./fixtures/rule-state-0.1.0.json', import.meta.url), 'utf8'),
) as { snapshots: Snapshot[] };

/** The states whose shape changed after the fixture was written: migrated from version 1. */
const MIGRATED = new Set(['_home', 'inactivity', 'night_out_of_bed', 'help_button']);

/** Each stored key and how it is versioned: the home's state, the care mode's and every rule's. */
const VERSIONED = new Map<string, Versioned<unknown>>([
  ['_home', HOME],
  ['_mode', MODE_STATE],
  ...RULES.map((r) => [r.key, r] as const),
]);

/** A database as the Hearth before versions left it (its schema, 3), holding these rule states. */
function databaseOf(rows: Row[], file = join(tempDir(), 'hearth.db')): string {
  const db = databaseAtSchema(file, 3);
  const put = db.prepare('INSERT INTO rule_state (rule, state, wake_at, updated_at) VALUES (?, ?, ?, ?)');
  for (const r of rows) put.run(r.rule, r.state, r.wake_at, r.updated_at);
  db.close();
  return file;
}

/** A logger whose lines the test reads. */
function captured(): { log: Logger; lines: () => { msg: string; rule?: string }[] } {
  let text = '';
  const destination = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    log: createLogger({ level: 'info', destination }),
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

function engineOn(file: string, clock: SimClock, o: { log?: Logger; rules?: readonly Rule<unknown>[] } = {}) {
  const store = Store.open(file);
  const seen: OutMessage[] = [];
  const counters = new Counters();
  const engine = new RuleEngine({
    config,
    devices,
    store,
    clock,
    log: o.log ?? createLogger({ level: 'silent' }),
    counters,
    deliver: (m) => seen.push(m),
    ...(o.rules ? { rules: o.rules } : {}),
  });
  engine.start();
  const event = (device: string, kind: string, value: boolean | number | string) => {
    const r = ingest(devices, { device, at: clock.now(), kind, value });
    if (!r.ok) throw new Error(r.detail);
    engine.event(r.event);
  };
  return { store, engine, seen, counters, event };
}

const told = (seen: OutMessage[]) => seen.filter((m) => m.payload.rule === 'rules');

describe('rule state written before states had versions', () => {
  for (const snap of FIXTURE.snapshots)
    it(`loads as it was written (the home at ${snap.until}), and nothing restarts`, () => {
      for (const row of snap.rows) {
        const v = VERSIONED.get(row.rule);
        expect(v, row.rule).toBeDefined();
        const loaded = loadState(v as Versioned<unknown>, { json: row.state, version: 1 });
        // The home's state became the home model, inactivity learned where she is and the night's
        // bed is the model's (each at version 2): they are migrated, keeping what they knew; every other state is as it was.
        const want = MIGRATED.has(row.rule)
          ? { ok: true, state: v?.migrate?.(JSON.parse(row.state), 1), migratedFrom: 1 }
          : { ok: true, state: JSON.parse(row.state), migratedFrom: null };
        expect(loaded, row.rule).toEqual(want);
      }
      const clock = new SimClock(local(snap.until));
      const cap = captured();
      const g = engineOn(databaseOf(snap.rows), clock, { log: cap.log });
      expect(told(g.seen)).toEqual([]);
      expect(g.counters.get('rules.state_reset')).toBe(0);
      expect(cap.lines().filter((l) => /started afresh/.test(l.msg))).toEqual([]);
      g.store.commit();
      const now = g.store.ruleStates.all();
      expect(now.map((r) => r.version)).toEqual(now.map((r) => VERSIONED.get(r.rule)?.stateVersion));
      // Rules new since (fall, away) start afresh; every other state is as it was written.
      const written = new Set(snap.rows.map((r) => r.rule));
      const rulesOnly = (rows: { rule: string; json: unknown }[]) =>
        Object.fromEntries(
          rows.filter((r) => !MIGRATED.has(r.rule) && written.has(r.rule)).map((r) => [r.rule, r.json]),
        );
      expect(rulesOnly(now.map((r) => ({ rule: r.rule, json: JSON.parse(r.json) })))).toEqual(
        rulesOnly(snap.rows.map((r) => ({ rule: r.rule, json: JSON.parse(r.state) }))),
      );
      // What the home knew (the last signs of life, out or not) is carried into the model.
      const home = JSON.parse(now.find((r) => r.rule === '_home')?.json ?? '{}');
      const old = JSON.parse(snap.rows.find((r) => r.rule === '_home')?.state ?? '{}');
      expect(home).toMatchObject({
        lastLifeAt: old.lastLifeAt,
        lastLifeRoom: old.lastLifeRoom,
        out: old.away ? expect.anything() : null,
      });
      g.engine.stop();
      g.store.close();
    });

  it('carries an alert raised before the upgrade on: acknowledged and resolved after it', () => {
    const snap = FIXTURE.snapshots[0] as Snapshot;
    const help = JSON.parse(snap.rows.find((r) => r.rule === 'help_button')?.state ?? '{}');
    const clock = new SimClock(local(snap.until));
    const g = engineOn(databaseOf(snap.rows), clock);
    expect(g.engine.ack(help.alert.id, 'Sam')).toBe(true);
    clock.advanceTo(local('2026-03-03 01:40'));
    g.event('hall-motion', 'motion', true);
    expect(g.seen.filter((m) => m.payload.alert_id === help.alert.id).map((m) => m.payload.state)).toEqual([
      'acknowledged',
      'resolved',
    ]);
    g.engine.stop();
    g.store.close();
  });

  it("is what the rules' schemas describe, over random days of every rule (fast-check)", () => {
    const LIFE = ['hall-motion', 'kitchen-motion', 'bedroom-motion', 'front-door', 'bed-pad', 'pendant'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 240 }), fc.nat(LIFE.length - 1), fc.boolean()), {
          minLength: 1,
          maxLength: 30,
        }),
        (steps) => {
          let t = local('2026-03-02 06:00');
          const events: Ev[] = steps.map(([minutes, pick, on]) => {
            t += minutes * 60_000;
            const device = LIFE[pick] as string;
            const iso = new Date(t).toISOString();
            const when = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
            return [when, device, device === 'pendant' ? 'single' : on];
          });
          const db = join(tempDir(), 'days.db');
          simulate(config, events, undefined, db);
          const store = Store.open(db);
          for (const s of store.ruleStates.all())
            expect(loadState(VERSIONED.get(s.rule) as Versioned<unknown>, s), s.rule).toMatchObject({
              ok: true,
            });
          store.close();
        },
      ),
      { numRuns: 15 },
    );
  });
});

// A rule whose state changed shape: version 1 was { count }, version 2 { presses, last }.
const v2 = z.object({ presses: z.number(), last: z.number().nullable() });
const counting: Rule<z.infer<typeof v2>> = {
  key: 'presses',
  stateVersion: 2,
  stateSchema: v2,
  migrate: (old, from) => {
    const v1 = z.object({ count: z.number() }).safeParse(old);
    return from === 1 && v1.success ? { presses: v1.data.count, last: null } : undefined;
  },
  init: () => ({ presses: 0, last: null }),
  reduce: (s, input, now) =>
    input.type === 'event' && input.event.kind === 'button'
      ? { state: { presses: s.presses + 1, last: now }, emits: [], wakeAt: null }
      : { state: s, emits: [], wakeAt: null },
};

describe('a state of an older version', () => {
  it('is migrated by its rule, used, and stored again at the new version', () => {
    const clock = new SimClock(local('2026-03-02 09:00'));
    const cap = captured();
    const file = databaseOf([{ rule: 'presses', state: '{"count":3}', wake_at: null, updated_at: 1 }]);
    const g = engineOn(file, clock, { log: cap.log, rules: [counting as Rule<unknown>] });
    expect(told(g.seen)).toEqual([]);
    expect(cap.lines().map((l) => l.msg)).toContain('rule presses: state migrated from version 1 to 2');
    g.store.commit();
    expect(g.store.ruleStates.all().find((r) => r.rule === 'presses')).toMatchObject({
      json: '{"presses":3,"last":null}',
      version: 2,
    });
    g.event('ok-button', 'button', 'single');
    g.store.commit();
    expect(g.store.ruleStates.get('presses')?.state).toEqual({ presses: 4, last: local('2026-03-02 09:00') });
    g.engine.stop();
    g.store.close();
  });

  it('that cannot be migrated, or comes from a newer Hearth, is not used, and says why', () => {
    const at = (json: string, version: number) => loadState(counting, { json, version });
    expect(at('{"count":"three"}', 1)).toEqual({
      ok: false,
      reason: 'it is of version 1, which cannot be migrated to version 2',
    });
    expect(at('{"presses":1,"last":null}', 3)).toEqual({
      ok: false,
      reason: 'it was written by a newer Hearth (version 3; this one knows 2)',
    });
    expect(loadState({ stateVersion: 2, stateSchema: v2 }, { json: '{"count":1}', version: 1 })).toEqual({
      ok: false,
      reason: 'it is of version 1, and version 2 has no migration from it',
    });
    const throws = { ...counting, migrate: () => JSON.parse('{') };
    expect(loadState(throws, { json: '{"count":1}', version: 1 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^its migration from version 1 failed \(/),
    });
  });
});

describe('a state that does not parse', () => {
  const broken = (rows: Row[]): Row[] =>
    rows.map((r) =>
      r.rule === 'inactivity'
        ? { ...r, state: '{"startedAt":"this morning","alert":null}' }
        : r.rule === '_home'
          ? { ...r, state: '{"lastLifeAt":' }
          : r,
    );

  it('starts its rule afresh, tells the care team which rule and why, and the engine runs on', () => {
    const snap = FIXTURE.snapshots[1] as Snapshot;
    const clock = new SimClock(local(snap.until));
    const cap = captured();
    const g = engineOn(databaseOf(broken(snap.rows)), clock, { log: cap.log });
    expect(told(g.seen).map((m) => [m.payload.state, m.payload.severity, m.payload.restarted_rule])).toEqual([
      ['raised', 'info', '_home'],
      ['raised', 'info', 'inactivity'],
    ]);
    const inactivity = told(g.seen)[1]?.payload;
    expect(inactivity?.reason).toBe(
      'The inactivity rule started afresh at this start of the gateway: its stored state could not be used (it does not fit version 2 (startedAt: Invalid input: expected number, received string)). What it was following (an open alert, a quiet spell) starts over from now.',
    );
    expect(told(g.seen)[0]?.payload.reason).toMatch(
      /^The home's state \(the last signs of life, whether the resident is out\) started afresh at this start of the gateway: its stored state could not be used \(it is not JSON \(/,
    );
    expect(g.counters.get('rules.state_reset')).toBe(2);
    expect(
      cap
        .lines()
        .filter((l) => /started afresh/.test(l.msg))
        .map((l) => l.rule),
    ).toEqual(['_home', 'inactivity']);
    // Queued for the trust and logged as alerts, in the unit that started the engine.
    expect(g.store.outbox.peek(10).map((r) => JSON.parse(r.payload).restarted_rule)).toEqual([
      '_home',
      'inactivity',
    ]);
    g.store.commit();
    const stored = new Map(g.store.ruleStates.all().map((r) => [r.rule, r]));
    expect(JSON.parse(stored.get('inactivity')?.json ?? '')).toEqual({
      startedAt: local(snap.until),
      alert: null,
      promptUntil: null,
      escalateAt: null,
      where: null,
    });
    expect(JSON.parse(stored.get('cold_home')?.json ?? '')).toEqual(
      JSON.parse(snap.rows.find((r) => r.rule === 'cold_home')?.state ?? ''),
    );
    // The rules run on: a movement, then three quiet hours, and the inactivity rule prompts.
    clock.advanceTo(local('2026-03-02 14:20'));
    g.event('hall-motion', 'motion', true);
    clock.advanceTo(local('2026-03-02 17:25'));
    const prompts = g.seen.filter((m) => m.payload.rule === 'inactivity');
    expect(prompts.map((m) => [m.payload.at.slice(11, 16), m.payload.state])).toEqual([
      ['17:20', 'pre-alert'],
    ]);
    g.engine.stop();
    g.store.close();
  });

  it('leaves hearth run running: readings taken, the info alert queued for the trust', async () => {
    const snap = FIXTURE.snapshots[0] as Snapshot;
    const file = databaseOf(broken(snap.rows));
    const gw = await startGateway({
      config,
      log: createLogger({ level: 'silent' }),
      clock: new RealClock(),
      storePath: file,
      bluetoothSysfs: tempDir(),
      listen: [{ host: '127.0.0.1', port: 0 }],
    });
    try {
      expect(gw.submit({ device: 'hall-motion', at: Date.now(), kind: 'motion', value: true }).ok).toBe(true);
      gw.store.commit();
      expect(gw.store.events.lastOf('hall-motion')).toBeDefined();
      const queued = gw.store.outbox.peek(10).map((r) => JSON.parse(r.payload));
      expect(queued.filter((p) => p.rule === 'rules').map((p) => p.restarted_rule)).toEqual([
        '_home',
        'inactivity',
      ]);
    } finally {
      await gw.stop();
    }
  });
});
