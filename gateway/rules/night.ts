// When "the night" ends and whether the resident is up since: shared by not_up and inactivity.
import { bedDevice } from './night-out-of-bed.ts';
import type { RuleContext } from './types.ts';

/** Without a night_out_of_bed window, the night is taken to end at 05:00. */
export const DEFAULT_NIGHT_END = '05:00';

export const nightEndTime = (ctx: RuleContext): string =>
  ctx.config.rules.night_out_of_bed?.window.to ?? DEFAULT_NIGHT_END;

/** The latest end of a night at or before now. */
export function lastNightEnd(now: number, ctx: RuleContext): number {
  const today = ctx.zone.at(now, nightEndTime(ctx));
  return today <= now ? today : ctx.zone.at(now, nightEndTime(ctx), -1);
}

/** True once a sign of life outside the bedroom has been seen since the night ended. */
export function upSinceNight(now: number, ctx: RuleContext): boolean {
  const seen = ctx.home.lastOutsideBedroomAt;
  return seen !== null && seen >= lastNightEnd(now, ctx);
}

/** The home can see her go to bed: a bed sensor, or a motion or presence sensor in the bedroom. */
export const seesBedroom = (ctx: RuleContext): boolean =>
  bedDevice(ctx) !== null ||
  ctx.config.devices.some(
    (d) => 'kind' in d && d.room === ctx.bedroom && (d.kind === 'motion' || d.kind === 'presence'),
  );

/**
 * Believed asleep in bed: the bed says so, or she was last seen in the bedroom, or the home has
 * nothing that would see her go to bed (then every night looks alike). Last seen in the lounge in
 * a home that would have seen her go to bed, she never went: she may be on its floor.
 */
export const wentToBed = (ctx: RuleContext): boolean =>
  ctx.home.inBed || (ctx.bedroom !== null && ctx.home.lastLifeRoom === ctx.bedroom) || !seesBedroom(ctx);
