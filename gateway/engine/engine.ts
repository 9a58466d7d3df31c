// The rules engine: the shell around the pure reducers. It owns the one rule timer, persists each
// rule's state (with the version of its shape) in the same SQLite transaction as the event and
// the outbox rows it caused, and hands the messages on only after that transaction has committed.
// At start each stored state is checked, migrated or started afresh (rule-state.ts). A care mode
// (gateway/modes/) stands between the rules and the world: it is reduced before them, kept with
// their states, and what they emit passes its filter.
import type { Config } from '../../config/schema.ts';
import type { Cancel, Clock } from '../../core/clock.ts';
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import type { Event } from '../../core/reading.ts';
import { Zone } from '../../core/zone.ts';
import { type HomeEnv, type HomeModel, homeModelStep, initHomeModel } from '../home-state/model.ts';
import { HOME_MODEL } from '../home-state/state.ts';
import type { DeviceIndex } from '../ingest.ts';
import { filterEmits, modeText } from '../modes/filter.ts';
import { type ModeChange, type ModeEnv, type ModeInput, modeStep } from '../modes/mode.ts';
import { checkModeRequest, type ModeRequest } from '../modes/request.ts';
import { type CareMode, initModeState, MODE_STATE, type ModeState } from '../modes/state.ts';
import type { Routine } from '../routine/types.ts';
import { RULES } from '../rules/index.ts';
import { bedDevice } from '../rules/night-out-of-bed.ts';
import type { AlertEmit, Rule, RuleContext, RuleInput, Versioned } from '../rules/types.ts';
import type { Store } from '../store/store.ts';
import { alertMessage, type OutMessage } from './messages.ts';
import { recordModeChanges, tellModeChange } from './mode-changes.ts';
import { learnFromStore, learningInstants } from './routine-learning.ts';
import { loadState, restartAlert } from './rule-state.ts';
import { shiftTimes } from './time-shift.ts';

/** A wall clock further than this from the monotonic clock's account has jumped. */
export const JUMP_LIMIT_MS = 60_000;
const HOME_KEY = '_home';
const MODE_KEY = '_mode';
/** Bounds the catch-up loop; a rule that keeps waking at the same instant is a bug, not a reason to hang. */
const MAX_STEPS = 50;

export type EngineOptions = {
  config: Config;
  devices: DeviceIndex;
  store: Store;
  clock: Clock;
  log: Logger;
  counters: Counters;
  /** Every message, local ones included, after it has been committed. */
  deliver: (m: OutMessage) => void;
  /** What else a trust-bound message queues, called in its unit (a push to carers). */
  alsoQueue?: (m: OutMessage) => void;
  /** Each change of care mode, after it has been committed. */
  onMode?: (c: ModeChange) => void;
  /** The rules, in the order they see each input: RULES (tests give others). */
  // biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of reducers, as RULES is
  rules?: readonly Rule<any>[];
};

/** What the engine runs: what the rules take, or a change of care mode someone asked for. */
type EngineInput = RuleInput | { type: 'mode'; change: Extract<ModeInput, { type: 'set' | 'end' }> };

export class RuleEngine {
  readonly zone: Zone;
  #o: EngineOptions;
  #home: HomeModel = initHomeModel();
  #homeWake: number | null = null;
  #routine: Routine | null = null;
  #learnAt: number | null = null;
  #mode: ModeState = initModeState();
  #modeWake: number | null = null;
  #modeEnv: ModeEnv;
  #states = new Map<string, unknown>();
  #wake = new Map<string, number | null>();
  #timer: Cancel | null = null;
  /** Rules whose state changed since the last group commit. */
  #dirty = new Set<string>();
  #anchor = { wall: 0, mono: 0 };
  #bedroom: string | null;
  #homeEnv: HomeEnv;
  // biome-ignore lint/suspicious/noExplicitAny: as RULES
  readonly #rules: readonly Rule<any>[];
  /** The version each state is stored with, by key. */
  readonly #versions: Map<string, number>;

  constructor(o: EngineOptions) {
    this.#o = o;
    this.#rules = o.rules ?? RULES;
    this.#versions = new Map([
      [HOME_KEY, HOME_MODEL.stateVersion],
      [MODE_KEY, MODE_STATE.stateVersion],
      ...this.#rules.map((r) => [r.key, r.stateVersion] as const),
    ]);
    this.zone = new Zone(o.config.gateway.timezone);
    const bed = bedDevice({ config: o.config } as RuleContext);
    const bedRoom = bed ? o.devices.get(bed)?.room : undefined;
    this.#bedroom = bedRoom ?? (o.config.rooms.includes('bedroom') ? 'bedroom' : null);
    const h = o.config.home;
    this.#homeEnv = {
      row: (device) => o.devices.get(device),
      bedroom: this.#bedroom,
      matHoldMs: h.mat_hold,
      awayAfterMs: h.away_after,
      tagGraceMs: h.tag_grace,
    };
    this.#modeEnv = {
      zone: this.zone,
      isVisitorButton: (device) => o.devices.get(device)?.role === 'visitor-button',
      visitorForMs: h.visitor_for,
    };
  }

  /** Resumes every rule from the store (or starts it afresh) and catches up on what fell due. */
  start(): void {
    const now = this.#o.clock.now();
    this.#anchor = { wall: now, mono: this.#o.clock.monotonic() };
    this.#o.store.beforeCommit(() => this.#persist(this.#o.clock.now()));
    const restarts: AlertEmit[] = [];
    const resume = this.#resumer(now, restarts);
    const home = resume(HOME_KEY, HOME_MODEL, initHomeModel);
    this.#home = home.state;
    this.#homeWake = home.wakeAt;
    this.#learn(now);
    const mode = resume(MODE_KEY, MODE_STATE, initModeState);
    this.#mode = mode.state;
    this.#modeWake = mode.wakeAt;
    const ctx = this.#ctx();
    for (const rule of this.#rules) {
      const s = resume(rule.key, rule, () => rule.init(now, ctx));
      this.#states.set(rule.key, s.state);
      this.#wake.set(rule.key, s.wakeAt);
    }
    const told = restarts.map((e) => alertMessage(e, this.#o.config, this.zone));
    this.#run({ type: 'tick' }, now, null, true, told);
  }

  /** Brings each stored state back (rule-state.ts); one not usable starts afresh, and is told. */
  #resumer(now: number, restarts: AlertEmit[]) {
    const { store, log, counters } = this.#o;
    const saved = new Map(store.ruleStates.all().map((r) => [r.rule, r]));
    return <S>(key: string, v: Versioned<S>, fresh: () => S): { state: S; wakeAt: number | null } => {
      const s = saved.get(key);
      if (!s) return { state: fresh(), wakeAt: null };
      const loaded = loadState(v, s);
      if (loaded.ok) {
        if (loaded.migratedFrom === null) return { state: loaded.state, wakeAt: s.wakeAt };
        log.info({ rule: key }, `rule ${key}: state migrated from version ${s.version} to ${v.stateVersion}`);
        this.#dirty.add(key);
        return { state: loaded.state, wakeAt: s.wakeAt };
      }
      log.warn(
        { rule: key, reason: loaded.reason },
        `rule ${key} started afresh: its stored state could not be used (${loaded.reason})`,
      );
      counters.add('rules.state_reset');
      restarts.push(restartAlert(key, loaded.reason, now));
      this.#dirty.add(key);
      return { state: fresh(), wakeAt: null };
    };
  }

  stop(): void {
    this.#timer?.();
    this.#timer = null;
  }

  /** One accepted event: stored, reduced by every rule, its consequences committed with it. */
  event(e: Event): void {
    const now = this.#now();
    this.#run({ type: 'event', event: e, life: false }, Math.max(now, e.at), e);
  }

  /** An `ack` command from the trust; true when it acknowledged an open alert. */
  ack(alertId: string, by: string): boolean {
    return this.#run({ type: 'ack', alertId, by }, this.#now(), null).some(
      (m) => m.payload.alert_id === alertId,
    );
  }

  /** A `close` command from the trust; true when an open alert took it (rules/alert.ts). */
  close(alertId: string, by: string, outcome: string): boolean {
    return this.#run({ type: 'close', alertId, by, outcome }, this.#now(), null).some(
      (m) => m.payload.alert_id === alertId,
    );
  }

  /** What the home model believes now: the night summary asks it whether she is up. */
  get home(): Readonly<HomeModel> {
    return this.#home;
  }

  /**
   * A care mode set, replaced or ended early (`off`): checked against the clock (request.ts), then
   * committed and synced with the rules' states before this returns. A refusal says why.
   */
  setMode(r: ModeRequest): { ok: boolean; detail: string } {
    const now = this.#now();
    const checked = checkModeRequest(r, now, this.zone);
    if (!checked.ok) {
      this.#o.counters.add('modes.refused');
      this.#o.log.warn({ mode: r.mode, source: r.source }, `care mode refused: ${checked.reason}`);
      return { ok: false, detail: checked.reason };
    }
    const was = this.#mode.current;
    this.#run({ type: 'mode', change: checked.input }, now, null);
    const m = this.#mode.current;
    if (checked.input.type === 'end')
      return { ok: true, detail: was ? `${was.mode} mode ended` : 'no care mode was on' };
    return { ok: true, detail: m ? `${modeText(m, now, this.zone)} (${this.zone.iso(m.until)})` : 'not set' };
  }

  /** The care mode on, if any. */
  mode(): CareMode | null {
    return this.#mode.current;
  }

  /** The earliest instant a rule asked to be woken at. */
  nextWake(): number | null {
    const all = [this.#homeWake, this.#modeWake, this.#learnAt, ...this.#wake.values()].filter(
      (w): w is number => w !== null,
    );
    return all.length ? Math.min(...all) : null;
  }

  #ctx(): RuleContext {
    return {
      config: this.#o.config,
      zone: this.zone,
      devices: this.#o.devices,
      home: this.#home,
      bedroom: this.#bedroom,
      routine: this.#routine,
    };
  }

  /** Her routine, learned from the store (routine-learning.ts), and when to learn it again. */
  #learn(now: number): void {
    const { asOf, next } = learningInstants(now, this.zone);
    this.#learnAt = next;
    const { store, log, counters } = this.#o;
    this.#routine = learnFromStore({ asOf, store, ctx: this.#ctx(), env: this.#homeEnv, log, counters });
  }

  /** Wall time, after checking it against the monotonic clock for a jump. */
  #now(): number {
    const { clock, log } = this.#o;
    const wall = clock.now();
    const expected = this.#anchor.wall + (clock.monotonic() - this.#anchor.mono);
    const jump = wall - expected;
    if (Math.abs(jump) > JUMP_LIMIT_MS) {
      log.warn(
        { jump_ms: jump },
        `the wall clock jumped by ${Math.round(jump / 1000)} s; rule timings carried over unchanged`,
      );
      this.#o.counters.add('clock.jumps');
      this.#home = shiftTimes(this.#home, jump);
      if (this.#homeWake !== null) this.#homeWake += jump;
      for (const [k, s] of this.#states) this.#states.set(k, shiftTimes(s, jump));
      for (const [k, w] of this.#wake) this.#wake.set(k, w === null ? null : w + jump);
      for (const k of [HOME_KEY, ...this.#states.keys()]) this.#dirty.add(k);
      this.#o.store.unit(() => {}, true);
    }
    this.#anchor = { wall, mono: clock.monotonic() };
    return wall;
  }

  #run(
    input: EngineInput,
    now: number,
    event: Event | null,
    force = false,
    told: OutMessage[] = [],
  ): OutMessage[] {
    const out: OutMessage[] = [...told];
    const modes: ModeChange[] = [];
    const changed = this.#dirty;
    const before = {
      home: this.#home,
      homeWake: this.#homeWake,
      mode: this.#mode,
      modeWake: this.#modeWake,
      states: new Map(this.#states),
      wake: new Map(this.#wake),
    };
    // The reducers are pure: compute first, then write everything in one transaction, synced to
    // disk when it queued a message for the trust. If the write fails, memory goes back too.
    for (let i = 0; i < MAX_STEPS; i++) {
      // Whatever fell due before this input happens first, at its own instant; on a restart,
      // what fell due while the gateway was down happens now, when it can be told.
      // A reading at the very instant of a deadline is applied first: the resident seen at 11:00:00
      // is not prompted at 11:00:00 (deadlines at `now` come after the input, below).
      const due = this.nextWake();
      if (due === null || due > now || (due === now && !force)) break;
      this.#step({ type: 'tick' }, force ? now : due, changed, out, modes);
    }
    this.#step(input, now, changed, out, modes, event);
    for (let i = 0; i < MAX_STEPS; i++) {
      const due = this.nextWake();
      if (due === null || due > now) break;
      this.#step({ type: 'tick' }, now, changed, out, modes);
    }
    const { store } = this.#o;
    try {
      // Rule state is written at the group commit (beforeCommit), with the readings that changed it.
      // A unit that changed an alert is committed before anyone is told of it.
      // A change of care mode is answered to whoever asked: it is synced too.
      const durable = out.length > 0 || modes.length > 0;
      store.unit(() => {
        if (event) store.events.append(event);
        recordModeChanges(store, modes);
        for (const m of out) {
          store.days.logAlert(m.at, m.payload.alert_id, m.payload.rule, m.payload.state);
          if (m.local) continue;
          store.outbox.add({
            id: m.payload.id,
            topic: m.topic,
            type: 'alert',
            payload: JSON.stringify(m.payload),
            created_at: m.at,
          });
          this.#o.alsoQueue?.(m);
        }
      }, durable);
    } catch (err) {
      this.#home = before.home;
      this.#homeWake = before.homeWake;
      this.#mode = before.mode;
      this.#modeWake = before.modeWake;
      this.#states = before.states;
      this.#wake = before.wake;
      throw err;
    }
    this.#arm();
    for (const c of modes) tellModeChange(c, { ...this.#o, zone: this.zone });
    for (const m of out) this.#o.deliver(m);
    return out;
  }

  #step(
    input: EngineInput,
    now: number,
    changed: Set<string>,
    out: OutMessage[],
    modes: ModeChange[],
    event: Event | null = null,
  ): void {
    if (this.#learnAt !== null && now >= this.#learnAt) this.#learn(now);
    const hs = homeModelStep(
      this.#home,
      event ? { type: 'event', event } : { type: 'tick' },
      now,
      this.#homeEnv,
    );
    if (hs.state !== this.#home || hs.wakeAt !== this.#homeWake) changed.add(HOME_KEY);
    this.#home = hs.state;
    this.#homeWake = hs.wakeAt;
    const ms = modeStep(
      this.#mode,
      input.type === 'mode' ? input.change : event ? { type: 'event', event } : { type: 'tick' },
      now,
      this.#modeEnv,
    );
    if (ms.state !== this.#mode || ms.wakeAt !== this.#modeWake) changed.add(MODE_KEY);
    this.#mode = ms.state;
    this.#modeWake = ms.wakeAt;
    modes.push(...ms.changes);
    // The rules see a change of mode as time passing: the mode's filter is what changed.
    const given: RuleInput = input.type === 'mode' ? { type: 'tick' } : input;
    const ruleInput: RuleInput =
      given.type === 'event'
        ? { ...given, life: hs.life || hs.settled.length > 0 }
        : given.type === 'tick' && hs.settled.length > 0
          ? { type: 'tick', life: true }
          : given;
    const ctx = this.#ctx();
    // A rule that held an alert back while a mode quieted it, kept again, starts afresh (policy.ts).
    for (const key of ms.afresh) {
      const rule = this.#rules.find((r) => r.key === key);
      if (!rule) continue;
      this.#states.set(key, rule.init(now, ctx));
      this.#wake.set(key, null);
      changed.add(key);
    }
    const emits: AlertEmit[] = [...ms.told];
    for (const rule of this.#rules) {
      const before = this.#states.get(rule.key);
      const step = rule.reduce(before, ruleInput, now, ctx);
      if (step.state !== before || step.wakeAt !== this.#wake.get(rule.key)) changed.add(rule.key);
      this.#states.set(rule.key, step.state);
      this.#wake.set(rule.key, step.wakeAt);
      emits.push(...step.emits);
    }
    const f = filterEmits(this.#mode, emits, this.zone);
    if (f.state !== this.#mode) changed.add(MODE_KEY);
    this.#mode = f.state;
    if (f.heldBack.length) this.#o.counters.add('modes.held_back', f.heldBack.length);
    for (const e of [...ms.stopped, ...f.emits]) out.push(alertMessage(e, this.#o.config, this.zone));
  }

  #persist(now: number): void {
    const keys = [...this.#dirty];
    this.#dirty.clear();
    for (const k of keys) {
      const version = this.#versions.get(k) ?? 1;
      if (k === HOME_KEY) this.#o.store.ruleStates.put(HOME_KEY, this.#home, this.#homeWake, now, version);
      else if (k === MODE_KEY)
        this.#o.store.ruleStates.put(MODE_KEY, this.#mode, this.#modeWake, now, version);
      else this.#o.store.ruleStates.put(k, this.#states.get(k), this.#wake.get(k) ?? null, now, version);
    }
  }

  #arm(): void {
    this.#timer?.();
    const at = this.nextWake();
    this.#timer =
      at === null ? null : this.#o.clock.timer(at, () => this.#run({ type: 'tick' }, this.#now(), null));
  }
}
