// When "the night" ends and whether the resident is up since: shared by not_up and inactivity.
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
