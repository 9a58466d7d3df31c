// The presence pattern a simulator plays in a loop: "present 30s, absent 60s". A step's word is
// its value: present/on/true/yes -> true, absent/off/false/no -> false, a number -> that number,
// anything else -> that string (a button's "ok").
import { parseDuration } from '../../config/values.ts';

export type Step = { value: boolean | number | string; ms: number };
export type Pattern = Step[];

export const DEFAULT_PATTERN = 'present 30s, absent 60s';

const TRUE = new Set(['present', 'on', 'true', 'yes', 'occupied']);
const FALSE = new Set(['absent', 'off', 'false', 'no', 'empty']);

/** The steps of a pattern, or why the text is not one. */
export function parsePattern(text: string): Pattern | string {
  const steps: Pattern = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const m = /^(\S+)\s+(\S+)$/.exec(part);
    const ms = m?.[2] === undefined ? undefined : parseDuration(m[2]);
    if (!m?.[1] || ms === undefined || ms <= 0)
      return `"${part}" is not a step; expected a value and a duration, e.g. "present 30s, absent 60s"`;
    const word = m[1].toLowerCase();
    const value = TRUE.has(word)
      ? true
      : FALSE.has(word)
        ? false
        : Number.isFinite(Number(m[1]))
          ? Number(m[1])
          : m[1];
    steps.push({ value, ms });
  }
  return steps.length ? steps : 'an empty pattern; expected e.g. "present 30s, absent 60s"';
}

/** The step playing `elapsed` ms after the start, the pattern looping. */
export function stepAt(pattern: Pattern, elapsed: number): Step {
  const cycle = pattern.reduce((s, p) => s + p.ms, 0);
  let t = ((elapsed % cycle) + cycle) % cycle;
  for (const step of pattern) {
    if (t < step.ms) return step;
    t -= step.ms;
  }
  return pattern[pattern.length - 1] as Step;
}

/** The pattern's value as a yes/no: someone there or not. */
export const truthy = (v: Step['value']): boolean =>
  typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : v !== '';
