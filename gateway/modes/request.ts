// A request for a care mode, from whoever asks (the trust's `mode` command, the home's command
// line, a local tool): checked against the clock before it reaches the engine, and refused with a
// sentence that says what was wrong and what is allowed. Pure.
import { careModeUntilProblem } from '../../cloud-relay/protocol/messages.ts';
import type { Zone } from '../../core/zone.ts';
import type { ModeInput } from './mode.ts';
import { CARE_MODES, type CareModeName } from './policy.ts';
import type { ModeSource } from './state.ts';

export type ModeRequest = {
  mode: string;
  /** When it ends by itself (epoch ms); not for `off`. */
  until?: number;
  by: string;
  source: ModeSource;
};

export type CheckedRequest =
  | { ok: true; input: Extract<ModeInput, { type: 'set' } | { type: 'end' }> }
  | { ok: false; reason: string };

const BY_MAX = 128;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;

const isMode = (m: string): m is CareModeName => (CARE_MODES as readonly string[]).includes(m);

export function checkModeRequest(r: ModeRequest, now: number, zone: Zone): CheckedRequest {
  const refuse = (reason: string): CheckedRequest => ({ ok: false, reason });
  const by = r.by.trim();
  if (!by || by.length > BY_MAX || CONTROL.test(by))
    return refuse(`by: who sets the mode, 1 to ${BY_MAX} characters without control characters`);
  if (r.mode === 'off') return { ok: true, input: { type: 'end', by, source: r.source } };
  if (!isMode(r.mode))
    return refuse(`unknown mode "${r.mode.slice(0, 32)}"; one of: ${[...CARE_MODES, 'off'].join(', ')}`);
  const problem = careModeUntilProblem(r.mode, r.until, now, {
    iso: (t) => zone.iso(t),
    clock: "the home's clock",
  });
  if (problem || r.until === undefined) return refuse(problem ?? '');
  return { ok: true, input: { type: 'set', mode: r.mode, until: r.until, by, source: r.source } };
}
