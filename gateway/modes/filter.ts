// The care mode between the rules and the world: what the rules emit passes through here. An
// alert a mode quiets is held back from its first state on (a pre-alert or raised begun while
// the mode is on), and so is every later state of it; an alert begun before the mode keeps its
// course, since the trust (or the prompt) already knows of it. What passes while a mode is on
// says so: "(visitor mode until 18:00)". Pure.
import type { Zone } from '../../core/zone.ts';
import type { AlertEmit } from '../rules/types.ts';
import { keeps } from './policy.ts';
import type { CareMode, ModeState } from './state.ts';

/** States after which an alert says nothing more. */
const OVER = new Set(['resolved', 'cancelled']);
/** Alerts held back at most: an open alert per rule and subject is a handful; this is a bound. */
export const MAX_HELD = 200;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "24 Dec" (and the year when it is not the year of `from`). */
function dayText(t: number, from: number, zone: Zone): string {
  const p = zone.parts(t);
  const year = p.year === zone.parts(from).year ? '' : ` ${p.year}`;
  return `${p.day} ${MONTHS[p.month - 1]}${year}`;
}

/** When a mode ends, as a carer reads it at `at`: "18:00", "the end of 24 Dec", "25 Dec 14:00". */
export function untilText(until: number, at: number, zone: Zone): string {
  if (zone.date(until) === zone.date(at)) return zone.hm(until);
  if (zone.hm(until) === '00:00') return `the end of ${dayText(until - 1, at, zone)}`;
  return `${dayText(until, at, zone)} ${zone.hm(until)}`;
}

/** "visitor mode until 18:00" */
export const modeText = (m: CareMode, at: number, zone: Zone): string =>
  `${m.mode} mode until ${untilText(m.until, at, zone)}`;

const REASON_MAX = 1000;

/** A sentence with a note after it, within the protocol's bound for a reason. */
export function withNote(reason: string, note: string): string {
  const room = REASON_MAX - note.length - 1;
  return `${reason.length > room ? `${reason.slice(0, room - 1)}…` : reason} ${note}`;
}

/** An alert told while a mode is on: its sentence and its facts say which, and until when. */
export function duringMode(e: AlertEmit, m: CareMode, zone: Zone): AlertEmit {
  return {
    ...e,
    reason: withNote(e.reason, `(${modeText(m, e.at, zone)})`),
    facts: { ...e.facts, care_mode: m.mode, care_mode_until: zone.iso(m.until) },
  };
}

/** The local cancellation that stops a prompt a mode now quiets. */
export function promptStopped(p: AlertEmit, m: CareMode, at: number, zone: Zone): AlertEmit {
  const { update: _update, ...rest } = p;
  return {
    ...rest,
    state: 'cancelled',
    at,
    reason: `The prompt was stopped at ${zone.hm(at)}: ${modeText(m, at, zone)}.`,
    facts: { care_mode: m.mode, care_mode_until: zone.iso(m.until) },
  };
}

/** Keeps the newest `max` entries of a record of alerts by when their latest state was. */
export function bounded<T>(r: Record<string, T>, at: (v: T) => number, max = MAX_HELD): Record<string, T> {
  const entries = Object.entries(r);
  if (entries.length <= max) return r;
  return Object.fromEntries(entries.sort((a, b) => at(b[1]) - at(a[1])).slice(0, max));
}

export type Filtered = { state: ModeState; emits: AlertEmit[]; heldBack: AlertEmit[] };

/** The rules' emits of one step, through the mode in force. */
export function filterEmits(s: ModeState, emits: readonly AlertEmit[], zone: Zone): Filtered {
  if (emits.length === 0) return { state: s, emits: [], heldBack: [] };
  const mode = s.current;
  const held = { ...s.held };
  const prompting = { ...s.prompting };
  const out: AlertEmit[] = [];
  const heldBack: AlertEmit[] = [];
  let touched = false;
  for (const e of emits) {
    const h = held[e.alertId];
    touched ||= h !== undefined || prompting[e.alertId] !== undefined || e.state === 'pre-alert';
    if (h) {
      if (OVER.has(e.state)) delete held[e.alertId];
      else held[e.alertId] = { ...h, last: e };
      heldBack.push(e);
      continue;
    }
    const begins = (e.state === 'pre-alert' || e.state === 'raised') && !e.update;
    if (mode && begins && !keeps(mode.mode, e.rule)) {
      touched = true;
      held[e.alertId] = { last: e, mode: mode.mode };
      heldBack.push(e);
      const p = prompting[e.alertId];
      if (p) {
        delete prompting[e.alertId];
        out.push(promptStopped(p, mode, e.at, zone));
      }
      continue;
    }
    if (e.state === 'pre-alert') prompting[e.alertId] = e;
    else delete prompting[e.alertId];
    out.push(mode ? duringMode(e, mode, zone) : e);
  }
  // Unchanged, the same state: the engine writes a state only when it changed.
  const state = touched
    ? { ...s, held: bounded(held, (v) => v.last.at), prompting: bounded(prompting, (v) => v.at) }
    : s;
  return { state, emits: out, heldBack };
}
