// A state kept across restarts (a rule's, the home's), and the shape it is kept in. The version
// goes up with every change to the shape (and to the schema): a state stored at an older version
// is migrated, or the rule starts afresh and the care team is told (gateway/engine/rule-state.ts).
import type { z } from 'zod';

export type Versioned<S> = {
  stateVersion: number;
  /** What a stored state must parse as, at stateVersion. */
  stateSchema: z.ZodType<S>;
  /** A state stored at an older version, brought to this one; undefined when it cannot be. */
  migrate?(old: unknown, fromVersion: number): S | undefined;
};
