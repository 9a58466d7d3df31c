// The hub file's `console` section: how an operator closes a call (the outcome codes the trust
// reports on), the answer-time targets the queue and the figures hold them to, and where one shift
// ends and the next begins (hub.timezone). Defaults are the schema's.
import { z } from 'zod';
import { duration, identifier, localTime } from './values.ts';

export const DEFAULT_OUTCOMES = [
  { code: 'false_alarm', label: 'False alarm' },
  { code: 'no_help_needed', label: 'Spoke to the resident – no help needed' },
  { code: 'responder_sent', label: 'Responder sent' },
  { code: 'ambulance_called', label: 'Ambulance called' },
  { code: 'no_answer_escalated', label: 'No answer – escalated' },
  { code: 'family_contacted', label: 'Family or carer contacted' },
  { code: 'technical_fault', label: 'Technical fault – not a call for help' },
] as const;

const outcome = z.strictObject({
  code: identifier('outcome code').describe('What the figures and exports say: lowercase, no spaces.'),
  label: z.string().min(1).max(80).describe('What the operator picks from.'),
});

export const consoleSchema = z
  .strictObject({
    outcomes: z
      .array(outcome)
      .min(1)
      .max(40)
      .default(DEFAULT_OUTCOMES.map((o) => ({ ...o })))
      .refine((os) => new Set(os.map((o) => o.code)).size === os.length, {
        error: 'each outcome code once',
      })
      .describe('What an operator closes an alert with; the first is not a default, one is always chosen.'),
    answer_targets: z
      .tuple([duration, duration])
      .default([60_000, 180_000])
      .refine(([a, b]) => a > 0 && a < b, { error: 'two targets, the first shorter than the second' })
      .describe(
        'Time to answer (first acknowledgement or claim) an alert is held to: the queue marks an untaken alert past each, the figures count the share within each (TSA: 97.5% in 60 s, 99% in 180 s).',
      ),
    shifts: z
      .array(localTime)
      .min(1)
      .max(6)
      .default(['08:00', '20:00'])
      .refine((s) => new Set(s).size === s.length, { error: 'each shift start once' })
      .describe('When each shift starts (hub.timezone); the figures are per shift.'),
  })
  .prefault({})
  .describe('Call handling at the console: outcome codes, answer-time targets, shifts.');

export type ConsoleSettings = z.output<typeof consoleSchema>;
