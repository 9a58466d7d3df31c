// How long the resident may stay still where she is before she is asked "are you OK?": a limit
// by place (in a chair, in bed by day, in the bathroom, anywhere else in the home), inside the
// window of the day in force. The home model says where she is; this says how long is too long,
// and in what words. Pure.
import { formatDuration } from '../../config/values.ts';
import { presentIn } from '../home-state/model.ts';
import { stillLimit, usualStill } from '../routine/limits.ts';
import { hasFrontDoor } from './away.ts';
import { seesBedroom, upSinceNight } from './night.ts';
import type { RuleContext } from './types.ts';

export type StillPlace = 'room' | 'chair' | 'bed' | 'bathroom';

export type StillLimit =
  | {
      deadline: number;
      since: number;
      place: StillPlace;
      room: string | null;
      limitMs: number;
      /** What her routine says of such spells, for the sentence ('' while the configured limit applies). */
      usual: string;
    }
  | { deadline: null; nextCheck: number | null };

const BATHROOM = /bath|toilet|wc|shower/i;

/**
 * Where she is, as the limits see it. The bathroom's shorter limit needs a presence sensor that
 * sees someone there: a PIR's last detection in the bathroom is as often her leaving it for a room
 * no sensor sees (a home with sensors in the bathroom and kitchen only), and a short limit on that
 * guess would prompt her several times a day.
 */
export function stillPlace(ctx: RuleContext): { place: StillPlace; room: string | null } {
  const h = ctx.home;
  if (h.place === 'chair') return { place: 'chair', room: h.room };
  if (h.place === 'bed') return { place: 'bed', room: h.room };
  const room = h.room ?? h.lastLifeRoom;
  const bathroom = room !== null && BATHROOM.test(room) && presentIn(h, room);
  return { place: bathroom ? 'bathroom' : 'room', room };
}

/**
 * Homes whose sensors can tell her bed from elsewhere at night (a bed mat, or one in the bedroom)
 * and her being out from her being still inside (a front door contact).
 */
const seesNight = (ctx: RuleContext): boolean => hasFrontDoor(ctx) && seesBedroom(ctx);

/**
 * Up, not in bed, as far as the sensors can tell: in a chair, seen by a presence sensor outside the
 * bedroom, or last seen outside the bedroom in a home that would have seen her go to bed or go out.
 * Then the night's "no limit" does not apply: it is for a person asleep, and a person who collapses
 * in the lounge at nine in the evening is not asleep. A home without a front door contact cannot
 * tell an evening out from stillness in the lounge, and at night says nothing of either, as before.
 */
function upAndAbout(place: StillPlace, room: string | null, ctx: RuleContext): boolean {
  if (place === 'bed' || room === null || room === ctx.bedroom) return false;
  return place === 'chair' || place === 'bathroom' || presentIn(ctx.home, room) || seesNight(ctx);
}

/**
 * At night, last seen outside the bedroom of a home that sees the bedroom but not the front door:
 * she may be up (a collapse in the lounge at nine in the evening) or out (an evening out no sensor
 * sees). The day's limit would alarm every evening out. Her own evenings say how long she is
 * usually unseen there and then, and the night has no configured limit for that to pass.
 */
const mayBeUp = (place: StillPlace, room: string | null, ctx: RuleContext): boolean =>
  place === 'room' && room !== null && room !== ctx.bedroom && seesBedroom(ctx);

/**
 * Where a still spell that begins now is learned as spent, or null when it teaches nothing of her
 * days: asleep (in bed or the bedroom at night, not yet up in the morning) or out.
 */
export function spellPlace(ctx: RuleContext, now: number): StillPlace | null {
  const cfg = ctx.config.rules.inactivity;
  if (!cfg || ctx.home.out !== null || !upSinceNight(now, ctx)) return null;
  const { place, room } = stillPlace(ctx);
  const night = cfg.windows.some((w) => w.quiet === null && ctx.zone.windowAt(now, w.from, w.to));
  if (night && !upAndAbout(place, room, ctx) && !mayBeUp(place, room, ctx)) return null;
  return place;
}

/** The day's longest quiet spell: the limit of a still spell up at night, away from any chair. */
const longestQuiet = (windows: readonly { quiet: number | null }[]): number | null =>
  windows.reduce<number | null>((m, w) => (w.quiet === null ? m : Math.max(m ?? 0, w.quiet)), null);

/** The deadline of the still spell in force at now, or when to look again. */
export function stillLimitAt(now: number, startedAt: number, ctx: RuleContext): StillLimit {
  const cfg = ctx.config.rules.inactivity;
  if (!cfg) return { deadline: null, nextCheck: null };
  // Out of the home, or not yet up after the night (not_up speaks for the morning): quiet.
  if (ctx.home.out !== null || (ctx.config.rules.not_up && !upSinceNight(now, ctx)))
    return { deadline: null, nextCheck: null };
  const lastLife = ctx.home.lastLifeAt ?? startedAt;
  const { place, room } = stillPlace(ctx);
  const up = upAndAbout(place, room, ctx);
  for (const w of cfg.windows) {
    const occ = ctx.zone.windowAt(now, w.from, w.to);
    if (!occ) continue;
    // A window with no limit is the night: in bed (or where the sensors cannot tell), the night
    // rules speak; up and about, the day's limits by place still hold.
    // Maybe up (mayBeUp): no configured limit, only her own once it is learned; an endless
    // ceiling leaves the night quiet until then.
    const maybe = w.quiet === null && !up && mayBeUp(place, room, ctx);
    const quiet = w.quiet ?? (up ? longestQuiet(cfg.windows) : maybe ? Number.POSITIVE_INFINITY : null);
    const ceilingMs =
      quiet === null
        ? null
        : place === 'chair'
          ? cfg.places.chair
          : place === 'bed'
            ? cfg.places.bed
            : place === 'bathroom'
              ? Math.min(cfg.places.bathroom, quiet)
              : quiet;
    if (ceilingMs === null) return { deadline: null, nextCheck: occ.end };
    // A spell counts from her last movement; from the window's start only when she may have been
    // asleep before it (the night's quiet does not run on into the morning's limit).
    const since = up || maybe ? lastLife : Math.max(lastLife, occ.start);
    // Inside the configured limit, the one her own days teach (gateway/routine/).
    const learned =
      cfg.learn === 'off'
        ? { limitMs: ceilingMs }
        : stillLimit(ctx.routine, {
            place,
            minuteOfDay: ctx.zone.minuteOfDay(since),
            floorMs: Math.min(cfg.learn.floor, ceilingMs),
            ceilingMs,
            learnAfter: ctx.config.home.learn_after,
          });
    const deadline = Math.max(since + learned.limitMs, now);
    return deadline < occ.end
      ? { deadline, since, place, room, limitMs: learned.limitMs, usual: usualStill(learned) }
      : { deadline: null, nextCheck: occ.end };
  }
  // Between windows: look again when the next one starts.
  const starts = cfg.windows.map((w) => ctx.zone.nextStart(now, w.from));
  return { deadline: null, nextCheck: starts.length ? Math.min(...starts) : null };
}

/** "since 10:42 (3 h 10 m)" */
export const sinceFor = (since: number, now: number, ctx: RuleContext) =>
  `since ${ctx.zone.hm(since)} (${formatDuration(now - since)})`;

/** The sentence of a still spell, where she is: the start of every inactivity reason. */
export function stillSentence(
  where: { place: StillPlace; room: string | null },
  since: number,
  now: number,
  ctx: RuleContext,
  first: 'No sign of life' | 'No movement seen',
): string {
  const when = sinceFor(since, now, ctx);
  switch (where.place) {
    case 'chair':
      return `Sitting in the ${where.room ?? 'home'}'s chair ${when} and nothing has moved`;
    case 'bed':
      return `In bed ${when} in the day and nothing has moved`;
    case 'bathroom':
      return presentIn(ctx.home, where.room)
        ? `In the ${where.room} ${when}: someone is there but nothing has moved`
        : `In the ${where.room} ${when} and nothing has moved since`;
    default:
      return `${first} ${when}${where.room ? `, last seen in the ${where.room}` : ''}`;
  }
}
