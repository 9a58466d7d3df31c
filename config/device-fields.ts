// What every device row shares: the kinds a row may pick (core/reading.ts has a Reading's),
// the roles a device can play, and the fields common to all rows. Split from schema.ts so the per-source row files can use them.
import { z } from 'zod';
import { KINDS } from '../core/reading.ts';
import { duration, identifier } from './values.ts';

export { HEALTH_KINDS, KIND_VALUE, KINDS, type Kind, kind } from '../core/reading.ts';

/**
 * The kind a row picks out of a payload that carries several. `output` gets its own reason: it is
 * a kind, just not one these rows can have.
 */
export const payloadKind = z.enum(KINDS, {
  error: (issue) =>
    issue.input === 'output'
      ? 'kind: output is for firmata and jsonl pins; a zigbee2mqtt, shelly or tasmota device plays the prompt with output: (siren, chime, bulb or relay) and role: prompt'
      : `unknown kind; allowed: ${KINDS.join(', ')}`,
});

/** A device row's kind: a Reading kind, or `output` for an actuator (the prompt buzzer/LED). */
export const deviceKind = z.enum([...KINDS, 'output'], {
  error: `unknown kind; allowed: ${[...KINDS, 'output'].join(', ')}`,
});

/**
 * `prompt` asks the resident "are you OK?" (an output, or a speaker); `ok` is the button she
 * answers with. Any movement answers a prompt too, so `ok` says what a press means, not whether.
 */
export const ROLES = [
  'help-button',
  'front-door',
  'prompt',
  'ok',
  'wearable',
  'check-in',
  'visitor-button',
] as const;
export type Role = (typeof ROLES)[number];
const role = z.enum(ROLES, { error: `unknown role; allowed: ${ROLES.join(', ')}` });

/** Fields every device row may carry. */
export const common = {
  id: identifier('device id').describe(
    'What rules, logs and summaries call this device; unique in the file.',
  ),
  room: z.string().optional().describe('A room from `rooms`.'),
  role: role.optional().describe('What the device is for, beyond its kind.'),
  silent: duration.optional().describe('Overrides rules.device_silent.after for this device.'),
};
