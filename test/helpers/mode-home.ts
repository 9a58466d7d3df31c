// Simulated days with care modes: the test home of simulate.ts, the real engine on a real SQLite
// store and a simulated clock, readings and mode requests at local times, and the power cut (the
// database as committed, copied aside while the gateway still holds it, then resumed elsewhere).
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/schema.ts';
import { SimClock } from '../../core/clock.ts';
import { Counters } from '../../core/counters.ts';
import { createLogger } from '../../core/log.ts';
import { RuleEngine } from '../../gateway/engine/engine.ts';
import { indexDevices, ingest, rowKind } from '../../gateway/ingest.ts';
import type { ModeSource } from '../../gateway/modes/state.ts';
import { Store } from '../../gateway/store/store.ts';
import { type Ev, local, type Seen } from './simulate.ts';
import { tempDir } from './tmp.ts';

/** A mode asked for at a local time: `until` is a local time too ("2026-03-02 18:00"). */
export type ModeAsk = { mode: string; until?: string; by?: string; source?: ModeSource };
export type Act = Ev | [when: string, 'mode', ModeAsk];

export type ModeHome = {
  seen: Seen[];
  /** What each mode request was answered. */
  answers: { at: string; ok: boolean; detail: string }[];
  engine: RuleEngine;
  store: Store;
  clock: SimClock;
  counters: Counters;
  /** Readings and mode requests in time order, then the clock on to `until` (local). */
  play(acts: Act[], until?: string): void;
  /** The power goes: what was committed is copied aside; the gateway is gone. Its copy's path. */
  cut(): string;
  close(): void;
};

const quiet = createLogger({ level: 'silent' });

export function modeHome(config: Config, start: string, db?: string): ModeHome {
  const path = db ?? join(tempDir('hearth-modes-'), 'modes.db');
  const devices = indexDevices(config);
  const clock = new SimClock(local(start));
  const store = Store.open(path);
  const counters = new Counters();
  const seen: Seen[] = [];
  const answers: ModeHome['answers'] = [];
  const engine = new RuleEngine({
    config,
    devices,
    store,
    clock,
    log: quiet,
    counters,
    deliver: (m) =>
      seen.push({
        at: m.payload.at.slice(0, 19).replace('T', ' '),
        rule: m.payload.rule,
        state: m.payload.state,
        severity: m.payload.severity,
        message: m.payload,
      }),
  });
  engine.start();
  const hm = (t: number) => engine.zone.iso(t).slice(0, 16).replace('T', ' ');
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    engine.stop();
    store.close();
  };
  return {
    seen,
    answers,
    engine,
    store,
    clock,
    counters,
    play(acts, until) {
      for (const [when, what, value] of acts) {
        const at = local(when);
        if (what === 'mode') {
          clock.advanceTo(at);
          const ask = value as ModeAsk;
          const r = engine.setMode({
            mode: ask.mode,
            by: ask.by ?? 'nurse-jo',
            source: ask.source ?? 'trust',
            ...(ask.until ? { until: local(ask.until) } : {}),
          });
          answers.push({ at: hm(at), ...r });
          continue;
        }
        // As a replay does: a reading at the instant of a deadline comes before it.
        clock.advanceTo(Math.max(clock.now(), at - 1));
        const row = devices.get(what);
        const r = ingest(devices, {
          device: what,
          at: Math.max(clock.now(), at),
          kind: row ? rowKind(row) : undefined,
          value,
        });
        if (!r.ok) throw new Error(`${when} ${what}: ${r.detail}`);
        engine.event(r.event);
        clock.advanceTo(at);
      }
      if (until) clock.advanceTo(local(until));
    },
    cut() {
      const copy = join(tempDir('hearth-modes-cut-'), 'modes.db');
      copyFileSync(path, copy);
      if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
      close();
      return copy;
    },
    close,
  };
}

/** [local time, rule, state] triples, as simulate.ts's `states`. */
export const told = (seen: Seen[]) => seen.map((s) => [s.at, s.rule, s.state]);
