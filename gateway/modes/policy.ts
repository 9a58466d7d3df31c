// What each care mode does to each rule: one table, read by the engine's filter (filter.ts) and
// printed in the README (Care modes). A rule a mode keeps alerts as usual, its sentence saying the
// mode is on; a rule a mode quiets begins no alert while it is on. A call for help (the button, a
// fall) is someone needing help whoever else is in the home: no mode quiets it.
//
// When the mode ends (or gives way to one that keeps the rule), an alert it held back that is
// still open is either told then, its sentence saying it was held back (`tell`: a condition that
// is still true, such as a silent sensor), or the rule starts afresh from what the home model
// believes then (`afresh`: what happened during the mode stays unsaid, and what is still wrong is
// judged anew: nothing has moved, she is not back).
import type { CareModeName } from '../../cloud-relay/protocol/messages.ts';

export type { CareModeName } from '../../cloud-relay/protocol/messages.ts';
export { CARE_MODE_MAX_MS, CARE_MODES } from '../../cloud-relay/protocol/messages.ts';

export type Keep = 'keep' | 'quiet';

export type RulePolicy = Record<CareModeName, Keep> & {
  /** An alert held back and still open when the rule is kept again. */
  atEnd: 'tell' | 'afresh';
  /** Why, in one sentence a carer understands (the README prints it). */
  why: string;
};

/** By the rule's key in the provisioning file. A rule not in the table is always kept. */
export const MODE_POLICY: Readonly<Record<string, RulePolicy>> = {
  help_button: {
    away: 'keep',
    visitor: 'keep',
    paused: 'keep',
    atEnd: 'tell',
    why: 'A press is always someone needing help, whoever pressed it.',
  },
  fall: {
    away: 'keep',
    visitor: 'keep',
    paused: 'keep',
    atEnd: 'tell',
    why: 'A fall is always someone needing help, whoever else is in the home.',
  },
  inactivity: {
    away: 'quiet',
    visitor: 'keep',
    paused: 'quiet',
    atEnd: 'afresh',
    why: 'A visitor only adds movement, which can hide her stillness but never invent it, so an alert still means nobody has moved; away, the home is empty; paused, sensors may be off.',
  },
  not_up: {
    away: 'quiet',
    visitor: 'keep',
    paused: 'quiet',
    atEnd: 'afresh',
    why: 'The bed is hers and a visitor cannot make her seem still in it; away, it is empty.',
  },
  night_out_of_bed: {
    away: 'quiet',
    visitor: 'quiet',
    paused: 'quiet',
    atEnd: 'afresh',
    why: 'Someone staying the night is with her when she is up, and away her bed is empty.',
  },
  front_door_at_night: {
    away: 'quiet',
    visitor: 'quiet',
    paused: 'quiet',
    atEnd: 'afresh',
    why: 'A visitor (or someone minding the empty home) comes and goes by the door at any hour.',
  },
  away: {
    away: 'quiet',
    visitor: 'quiet',
    paused: 'quiet',
    atEnd: 'afresh',
    why: 'Away she is out on purpose; a visitor leaving looks like her leaving, and she may be out with them.',
  },
  cold_home: {
    away: 'keep',
    visitor: 'keep',
    paused: 'quiet',
    atEnd: 'tell',
    why: 'A cold home is cold for her and her visitor, and an empty one must be warm for her return; a technician may have the heating off.',
  },
  device_silent: {
    away: 'keep',
    visitor: 'keep',
    paused: 'quiet',
    atEnd: 'tell',
    why: 'The monitoring must work when she is back or her visitor leaves; a technician unplugs devices.',
  },
  low_battery: {
    away: 'keep',
    visitor: 'keep',
    paused: 'quiet',
    atEnd: 'tell',
    why: 'A battery runs down whoever is in; a technician may be changing it.',
  },
  check_in: {
    away: 'keep',
    visitor: 'keep',
    paused: 'quiet',
    atEnd: 'tell',
    why: 'A check-in is her own word, whoever is with her.',
  },
};

/** Whether `mode` (or none) lets `rule` begin an alert. */
export const keeps = (mode: CareModeName | null, rule: string): boolean =>
  mode === null || (MODE_POLICY[rule]?.[mode] ?? 'keep') === 'keep';
