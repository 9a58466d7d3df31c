// How long the resident may stay still where she is before she is asked "are you OK?": a limit
// by place (in a chair, in bed by day, in the bathroom, anywhere else in the home), inside the
// window of the day in force. The home model says where she is; this says how long is too long,
// and in what words. Pure.
import { formatDuration } from '../../config/values.ts';
import { presentIn } from '../home-state/model.ts';
import { upSinceNight } from './night.ts';
import type { RuleContext } from './types.ts';

export type StillPlace = 'room' | 'chair' | 'bed' | 'bathroom';

export type StillLimit =
  | { deadline: number; since: number; place: StillPlace; room: string | null; limitMs: number }
  | { deadline: null; nextCheck: number | null };

const BATHROOM = /bath|toilet|wc|shower/i;

/** Where she is, as the limits see it. */
export function stillPlace(ctx: RuleContext): { place: StillPlace; room: string | null } {
  const h = ctx.home;
  if (h.place === 'chair') return { place: 'chair', room: h.room };
  if (h.place === 'bed') return { place: 'bed', room: h.room };
  const room = h.room ?? h.lastLifeRoom;
  return { place: room !== null && BATHROOM.test(room) ? 'bathroom' : 'room', room };
}

/** The deadline of the still spell in force at now, or when to look again. */
export function stillLimitAt(now: number, startedAt: number, ctx: RuleContext): StillLimit {
  const cfg = ctx.config.rules.inactivity;
  if (!cfg) return { deadline: null, nextCheck: null };
  // Out of the home, or not yet up after the night (not_up speaks for the morning): quiet.
  if (ctx.home.out !== null || (ctx.config.rules.not_up && !upSinceNight(now, ctx)))
    return { deadline: null, nextCheck: null };
  const lastLife = ctx.home.lastLifeAt ?? startedAt;
  const { place, room } = stillPlace(ctx);
  for (const w of cfg.windows) {
    const occ = ctx.zone.windowAt(now, w.from, w.to);
    if (!occ) continue;
    // A window with no limit is the night: in bed, the night rules speak; up in the bathroom, the
    // bathroom's limit still holds (a fall there at night is the commonest one).
    const limitMs =
      w.quiet === null
        ? place === 'bathroom'
          ? cfg.places.bathroom
          : null
        : place === 'chair'
          ? cfg.places.chair
          : place === 'bed'
            ? cfg.places.bed
            : place === 'bathroom'
              ? Math.min(cfg.places.bathroom, w.quiet)
              : w.quiet;
    if (limitMs === null) return { deadline: null, nextCheck: occ.end };
    const since = Math.max(lastLife, occ.start);
    const deadline = since + limitMs;
    return deadline < occ.end
      ? { deadline, since, place, room, limitMs }
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
