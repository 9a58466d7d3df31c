// What an output pin plays: small tables of on/off steps, and which table each output row plays
// when the gateway asks for a pattern. A prompt buzzer beeps three times every few seconds until
// the prompt ends; any other output (a status LED) is steady on while carers are reached and
// blinks slowly while they are not.
import type { OutputEvent } from '../../driver.ts';
import type { FirmataRow } from './pins.ts';

export type Step = { on: boolean; ms: number };
/** Steps played in order; a looping tune starts again, a steady one holds its last step. */
export type Tune = { name: string; steps: Step[]; loop: boolean };

const beep = (ms: number): Step[] => [
  { on: true, ms },
  { on: false, ms },
];

export const TUNES = {
  off: { name: 'off', steps: [{ on: false, ms: 0 }], loop: false },
  steady: { name: 'steady', steps: [{ on: true, ms: 0 }], loop: false },
  'three-beeps': {
    name: 'three-beeps',
    steps: [...beep(150), ...beep(150), { on: true, ms: 150 }, { on: false, ms: 4_000 }],
    loop: true,
  },
  // Off first, so a lost link shows at once.
  'slow-blink': {
    name: 'slow-blink',
    steps: [
      { on: false, ms: 1_000 },
      { on: true, ms: 1_000 },
    ],
    loop: true,
  },
} satisfies Record<string, Tune>;

/** The tune a row plays for a pattern, or undefined when the pattern is not for it. */
export function tuneFor(row: Pick<FirmataRow, 'role'>, pattern: OutputEvent['pattern']): Tune | undefined {
  if (row.role === 'prompt') {
    if (pattern === 'prompt') return TUNES['three-beeps'];
    if (pattern === 'prompt-end') return TUNES.off;
    return undefined;
  }
  if (pattern === 'link-ok') return TUNES.steady;
  if (pattern === 'link-down') return TUNES['slow-blink'];
  return undefined;
}
