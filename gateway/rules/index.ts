// Every rule, in the order they see each input (the home's state is computed before all of them).
import { away } from './away.ts';
import { checkIn } from './check-in.ts';
import { coldHome } from './cold-home.ts';
import { deviceSilent, lowBattery } from './device-health.ts';
import { fall } from './fall.ts';
import { frontDoorAtNight } from './front-door.ts';
import { helpButton } from './help-button.ts';
import { inactivity } from './inactivity.ts';
import { nightOutOfBed } from './night-out-of-bed.ts';
import { notUp } from './not-up.ts';
import type { Rule } from './types.ts';

// Each rule's state type is its own; the engine only stores and passes it back.
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of reducers, each typed where it is defined
export const RULES: readonly Rule<any>[] = [
  helpButton,
  fall,
  frontDoorAtNight,
  inactivity,
  notUp,
  nightOutOfBed,
  away,
  coldHome,
  deviceSilent,
  lowBattery,
  checkIn,
];
