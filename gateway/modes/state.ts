// A care mode as the engine keeps it across restarts, versioned as a rule's state is: the mode on
// (if any) and until when, and the alerts it is holding back. It is stored with the rules' states,
// in the same transaction as the readings and messages around it (gateway/engine/engine.ts).
import { z } from 'zod';
import { alertState, CARE_MODES, severity } from '../../cloud-relay/protocol/messages.ts';
import type { AlertEmit } from '../rules/types.ts';
import type { Versioned } from '../rules/versioned.ts';

/** Who set a mode: the trust's command, the home's command line (or a local tool), a button. */
export const MODE_SOURCES = ['trust', 'home', 'button'] as const;
export type ModeSource = (typeof MODE_SOURCES)[number];

// `since` and `until` are instants on the calendar ("until 18:00"), not spans of elapsed time: a
// wall-clock jump, which moves the rules' ...At, ...Since and ...Until fields (time-shift.ts), does
// not move them.
const careMode = z.object({
  mode: z.enum(CARE_MODES),
  since: z.number(),
  until: z.number(),
  /** Who: the care team member, the person on site, the button's device id. */
  by: z.string(),
  source: z.enum(MODE_SOURCES),
});
export type CareMode = z.infer<typeof careMode>;

const fact = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const alertEmit = z.object({
  alertId: z.string(),
  rule: z.string(),
  state: alertState,
  severity,
  at: z.number(),
  reason: z.string(),
  device: z.string().optional(),
  room: z.string().optional(),
  facts: z.record(z.string(), fact).optional(),
  update: z.number().optional(),
}) satisfies z.ZodType<AlertEmit>;

const held = z.object({
  /** The latest state the rule gave it, held back: what is told if it is told. */
  last: alertEmit,
  /** The mode that held it back first, for the sentence when it is told. */
  mode: z.enum(CARE_MODES),
});
export type Held = z.infer<typeof held>;

export const modeState = z.object({
  current: careMode.nullable(),
  /** Alerts begun while a mode quieted their rule, by id: their later states stay quiet too. */
  held: z.record(z.string(), held),
  /** Alerts whose prompt is sounding (a pre-alert told, nothing since), by id: a mode that quiets
   *  their rule stops the prompt. */
  prompting: z.record(z.string(), alertEmit),
});
export type ModeState = z.infer<typeof modeState>;

export const initModeState = (): ModeState => ({ current: null, held: {}, prompting: {} });

export const MODE_STATE: Versioned<ModeState> = { stateVersion: 1, stateSchema: modeState };
