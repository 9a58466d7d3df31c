// The care mode's own reducer: set, ended early, ended by itself at its `until` (its wakeAt), or
// toggled by a button with role visitor-button. One mode at a time: a new one replaces the one on.
// A change stops the prompts of alerts the new mode quiets, and lets go of the alerts held back
// whose rule is kept again: told now, or their rule started afresh (policy.ts). Pure.
import type { Event } from '../../core/reading.ts';
import type { Zone } from '../../core/zone.ts';
import type { AlertEmit } from '../rules/types.ts';
import { bounded, promptStopped, withNote } from './filter.ts';
import { type CareModeName, keeps, MODE_POLICY } from './policy.ts';
import type { CareMode, ModeSource, ModeState } from './state.ts';

export type ModeInput =
  | { type: 'set'; mode: CareModeName; until: number; by: string; source: ModeSource }
  | { type: 'end'; by: string; source: ModeSource }
  | { type: 'event'; event: Event }
  | { type: 'tick' };

export type ModeChange = {
  from: CareMode | null;
  to: CareMode | null;
  at: number;
  /** set: none was on; replaced: another was; ended: by someone, early; expired: its time was up. */
  how: 'set' | 'replaced' | 'ended' | 'expired';
  /** Who ended it early. */
  by?: string;
};

export type ModeEnv = {
  zone: Zone;
  /** A button whose press starts visitor mode, or ends it (role visitor-button). */
  isVisitorButton: (device: string) => boolean;
  /** How long a press of that button sets visitor mode for (home.visitor_for). */
  visitorForMs: number;
};

export type ModeStep = {
  state: ModeState;
  changes: ModeChange[];
  /** Prompts the change stopped (local cancellations, told as they are). */
  stopped: AlertEmit[];
  /** Alerts held back and let go now, to be told (through filterEmits, as the rules' are). */
  told: AlertEmit[];
  /** Rules to start afresh: an alert of theirs was held back, and they are kept again. */
  afresh: string[];
  wakeAt: number | null;
};

export function modeStep(s: ModeState, input: ModeInput, now: number, env: ModeEnv): ModeStep {
  let current = s.current;
  const changes: ModeChange[] = [];
  const change = (to: CareMode | null, at: number, how: ModeChange['how'], by?: string) => {
    changes.push({ from: current, to, at, how, ...(by ? { by } : {}) });
    current = to;
  };
  // Its time is up first: a restart long after `until` ends it at `until`, not at the restart.
  if (current && now >= current.until) change(null, current.until, 'expired');
  if (input.type === 'set' && input.until > now) {
    const { mode, until, by, source } = input;
    change({ mode, since: now, until, by, source }, now, current ? 'replaced' : 'set');
  } else if (input.type === 'end' && current) change(null, now, 'ended', input.by);
  else if (
    input.type === 'event' &&
    input.event.kind === 'button' &&
    env.isVisitorButton(input.event.device)
  ) {
    const device = input.event.device;
    if (current?.mode === 'visitor') change(null, now, 'ended', device);
    else
      change(
        { mode: 'visitor', since: now, until: now + env.visitorForMs, by: device, source: 'button' },
        now,
        current ? 'replaced' : 'set',
      );
  }
  if (changes.length === 0)
    return { state: s, changes, stopped: [], told: [], afresh: [], wakeAt: s.current?.until ?? null };
  const after = letGo({ ...s, current }, now, env.zone);
  return { ...after, changes, wakeAt: current?.until ?? null };
}

/** After a change: prompts the mode now quiets are stopped, held alerts it keeps are let go. */
function letGo(s: ModeState, now: number, zone: Zone): Omit<ModeStep, 'changes' | 'wakeAt'> {
  const mode = s.current;
  const held = { ...s.held };
  const prompting = { ...s.prompting };
  const stopped: AlertEmit[] = [];
  const told: AlertEmit[] = [];
  if (mode)
    for (const [id, p] of Object.entries(prompting))
      if (!keeps(mode.mode, p.rule)) {
        stopped.push(promptStopped(p, mode, now, zone));
        held[id] = { last: p, mode: mode.mode };
        delete prompting[id];
      }
  const afresh = new Set<string>();
  for (const [id, h] of Object.entries(held)) {
    const rule = h.last.rule;
    if (!keeps(mode?.mode ?? null, rule)) continue;
    delete held[id];
    // A rule started afresh forgets every alert it held: none of them can come again.
    if (MODE_POLICY[rule]?.atEnd === 'afresh') afresh.add(rule);
    else
      told.push({
        ...h.last,
        at: now,
        reason: withNote(h.last.reason, `(held back while ${h.mode} mode was on)`),
        facts: { ...h.last.facts, held_back_since: zone.iso(h.last.at) },
      });
  }
  return {
    state: { current: mode, held: bounded(held, (v) => v.last.at), prompting },
    stopped,
    told,
    afresh: [...afresh],
  };
}
