// The night's learning as the engine runs it: which days, read from the store (the readings that
// say where she is, within a bound, and the days spent in a care mode), handed to the pure learner
// (gateway/routine/). Learning from the days before the last LEARN_AT means a restart learns what
// an unbroken night did.
import type { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import type { Zone } from '../../core/zone.ts';
import type { HomeEnv } from '../home-state/model.ts';
import { daysInModes } from '../modes/spans.ts';
import { learnRoutine } from '../routine/learn.ts';
import type { Routine } from '../routine/types.ts';
import { nightEndTime } from '../rules/night.ts';
import { spellPlace } from '../rules/still-limits.ts';
import type { RuleContext } from '../rules/types.ts';
import type { Store } from '../store/store.ts';

/** Her routine is learned again each night at this local time, from the days before it. */
export const LEARN_AT = '03:00';
/** Readings her routine is learned from at most: about a second's work here, a few on a Pi. */
export const MAX_LEARN_READINGS = 250_000;
const DAY_MS = 86_400_000;

/** The last LEARN_AT at or before now, and the next one after it. */
export function learningInstants(now: number, zone: Zone): { asOf: number; next: number } {
  const today = zone.at(now, LEARN_AT);
  const asOf = today <= now ? today : zone.at(now, LEARN_AT, -1);
  return { asOf, next: zone.at(asOf + DAY_MS / 2, LEARN_AT, 1) };
}

export function learnFromStore(o: {
  asOf: number;
  store: Store;
  /** The rules' context now: the provisioning file, the zone, the bedroom. */
  ctx: RuleContext;
  env: HomeEnv;
  log: Logger;
  counters: Counters;
}): Routine | null {
  const { asOf, store, ctx, log, counters } = o;
  const cfg = ctx.config;
  if (!cfg.rules.inactivity && !cfg.rules.not_up && !cfg.rules.night_out_of_bed && cfg.rules.away === 'off')
    return null;
  const zone = ctx.zone;
  const from = asOf - cfg.home.learn_days * DAY_MS;
  const { events, capped } = store.events.movementBetween(from, asOf, MAX_LEARN_READINGS);
  if (capped) {
    // A home this busy (a radar republishing every second) would hold the event loop for the
    // watchdog's whole period: her routine is learned from the newest readings only.
    const since = zone.iso(events[0]?.at ?? from);
    counters.add('routine.capped');
    log.warn(
      { readings: MAX_LEARN_READINGS, since },
      `routine: learned from the newest ${MAX_LEARN_READINGS} readings only (since ${since})`,
    );
  }
  // A day in a care mode (away, a visitor, a technician) is not one of her days: left out whole.
  const modeDays = new Set(daysInModes(store.modes.between(from, asOf), zone));
  return learnRoutine(events, asOf, {
    env: o.env,
    zone,
    classify: (home, at) => spellPlace({ ...ctx, home }, at),
    nightEnd: nightEndTime(ctx),
    ...(cfg.rules.night_out_of_bed ? { nightWindow: cfg.rules.night_out_of_bed.window } : {}),
    excluded: modeDays.size ? (at) => modeDays.has(zone.date(at)) : undefined,
  });
}
