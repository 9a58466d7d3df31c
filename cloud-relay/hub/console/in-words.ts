// Last night and the newest day in words against her usual, for the top of a resident's page: a
// carer on a phone reads two sentences before any plot. "Usual" is the median of the nights and
// days before, and is said only from USUAL_FROM of them; a day spent in a care mode (away,
// visitor) is neither compared nor counted in the usual, its figures not being hers. Pure.
import type { SummaryMessage } from '../../protocol/messages.ts';
import { medianOf } from '../call-figures.ts';
import { clockOfEvening, eveningMinute } from './format.ts';
import type { NightRow } from './nights.ts';

/** So many earlier nights or days before anything is called usual or not. */
export const USUAL_FROM = 3;
/** Bedtime or wake this far from the usual is worth a word. */
const CLOCK_SLACK_MIN = 45;

export type InWords = { night: string; day: string };

const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

/** Nights newest first; `today`, her local date. */
export function nightInWords(nights: readonly NightRow[]): string {
  const n = nights[0];
  if (!n) return 'No night recorded yet.';
  if (!n.sleep.slept || !n.sleep.bedtime)
    return `No sleep recorded on the night to ${n.date}: ${n.sleep.note}`;
  const bed = eveningMinute(n.sleep.bedtime);
  const wake = n.over && n.sleep.wake ? eveningMinute(n.sleep.wake) : null;
  const ups = n.sleep.out_of_bed?.count ?? null;
  const slept =
    wake === null
      ? `In bed since ${clockOfEvening(bed)}, not up yet`
      : `Slept ${clockOfEvening(bed)}–${clockOfEvening(wake)}`;
  const before = nights.slice(1).filter((x) => x.sleep.slept && x.sleep.bedtime && x.sleep.wake);
  if (!before.length)
    return `${slept}; ${upsText(ups)}. Her first night recorded: nothing to compare with yet.`;
  if (before.length < USUAL_FROM)
    return `${slept}; ${upsText(ups)}. Too few nights yet (${before.length + 1}) to say what is usual.`;
  const usualBed = medianOf(before.map((x) => eveningMinute(x.sleep.bedtime as string))) as number;
  const usualWake = medianOf(before.map((x) => eveningMinute(x.sleep.wake as string))) as number;
  const usualUps = medianOf(before.map((x) => x.sleep.out_of_bed?.count ?? 0));
  const odd: string[] = [];
  if (Math.abs(bed - usualBed) > CLOCK_SLACK_MIN)
    odd.push(bed > usualBed ? 'later to bed' : 'earlier to bed');
  if (wake !== null && Math.abs(wake - usualWake) > CLOCK_SLACK_MIN)
    odd.push(wake > usualWake ? 'up later' : 'up earlier');
  const how = odd.length
    ? `${odd.join(' and ')} than usual (usually ${clockOfEvening(usualBed)}–${clockOfEvening(usualWake)})`
    : 'as usual';
  const upsOdd = ups !== null && usualUps !== null && ups >= usualUps + 2;
  return `${slept}, ${how}; ${upsText(ups)}${upsOdd ? `, more than usual (${usualUps === 0 ? 'usually not at all' : `usually ${times(Math.round(usualUps))}`})` : ''}.`;
}

function upsText(ups: number | null): string {
  if (ups === null) return 'no figure for times up';
  return ups === 0 ? 'not up in the night' : `up ${times(ups)}`;
}

/** Minutes in the kitchen: the meals the home saw her make. */
const kitchenMin = (d: SummaryMessage) => d.activity.kitchen.meals.reduce((a, m) => a + m.active_min, 0);

/** "Today", "Yesterday" or the date, from her local date `today`. */
function dayName(date: string, today: string): string {
  if (date === today) return 'Today';
  const y = new Date(Date.parse(`${today}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return date === y ? 'Yesterday' : `On ${date}`;
}

/** Each figure compared: a word when it is well off her usual. */
const FIGURES: {
  of: (d: SummaryMessage) => number | null;
  less: string;
  more: string;
  /** How far from the usual counts: a share of it, and at least so much. */
  share: number;
  floor: number;
}[] = [
  {
    of: kitchenMin,
    less: 'less time in the kitchen than usual',
    more: 'more time in the kitchen than usual',
    share: 0.4,
    floor: 10,
  },
  {
    of: (d) => d.activity.active_min,
    less: 'less active than usual',
    more: 'more active than usual',
    share: 0.3,
    floor: 30,
  },
  {
    of: (d) => d.activity.out_of_home_min,
    less: 'less time out than usual',
    more: 'longer out than usual',
    share: 0.5,
    floor: 60,
  },
];

/** Summaries newest first; `today`, her local date. */
export function dayInWords(summaries: readonly SummaryMessage[], today: string): string {
  const d = summaries[0];
  if (!d) return 'No day summary yet.';
  const name = dayName(d.date, today);
  if (d.modes?.length)
    return `${name}: ${d.modes.map((m) => m.mode).join(' and ')} mode, so not compared with her usual.`;
  const before = summaries.slice(1).filter((x) => !x.modes?.length);
  if (!before.length) return `${name}: her first day recorded, nothing to compare with yet.`;
  if (before.length < USUAL_FROM)
    return `${name}: too few days yet (${before.length + 1}) to say what is usual.`;
  const said: string[] = [];
  for (const f of FIGURES) {
    const v = f.of(d);
    const usual = medianOf(before.map(f.of).filter((x): x is number => x !== null));
    if (v === null || usual === null) continue;
    const slack = Math.max(f.floor, usual * f.share);
    if (v < usual - slack) said.push(f.less);
    else if (v > usual + slack) said.push(f.more);
  }
  return `${name}: ${said.length ? said.join('; ') : 'as usual'}.`;
}

export function inWords(
  nights: readonly NightRow[],
  summaries: readonly SummaryMessage[],
  today: string,
): InWords {
  return { night: nightInWords(nights), day: dayInWords(summaries, today) };
}
