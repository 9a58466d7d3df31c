// The two sentences that lead a resident's page, as a carer reads them: no data, a first night
// and day, too few to judge, an ordinary night, an unusual one, a day in a care mode.
import { describe, expect, it } from 'vitest';
import { dayInWords, inWords, nightInWords } from '../cloud-relay/hub/console/in-words.ts';
import type { NightRow } from '../cloud-relay/hub/console/nights.ts';
import type { SummaryMessage } from '../cloud-relay/protocol/messages.ts';
import { summary } from './helpers/hub-messages.ts';

const DAY = 86_400_000;
const TODAY = '2026-03-16';
/** The date `back` days before TODAY. */
const date = (back: number) =>
  new Date(Date.parse(`${TODAY}T12:00:00Z`) - back * DAY).toISOString().slice(0, 10);
const prev = (d: string) => new Date(Date.parse(`${d}T12:00:00Z`) - DAY).toISOString().slice(0, 10);

/** The night to the morning `back` days ago: to bed `bed` the evening before, up at `wake`. */
function night(back: number, bed: string, wake: string, ups = 1, over = true): NightRow {
  const morning = date(back);
  const bedDay = bed >= '12:00' ? prev(morning) : morning;
  const s = summary('gw', 'r', morning, Date.parse(`${morning}T09:00:00Z`)).sleep;
  return {
    date: morning,
    over,
    at: `${morning}T09:00:00Z`,
    sleep: {
      ...s,
      bedtime: `${bedDay}T${bed}:00+00:00`,
      wake: `${morning}T${wake}:00+00:00`,
      out_of_bed: { count: ups, total_min: ups * 4, longest_min: 4 },
    },
  };
}

/** The day `back` days ago, with so many minutes in the kitchen and active. */
function day(back: number, kitchen = 45, active = 300, extra: Partial<SummaryMessage> = {}): SummaryMessage {
  const s = summary('gw', 'r', date(back), Date.parse(`${date(back)}T23:00:00Z`) + DAY);
  return {
    ...s,
    activity: {
      ...s.activity,
      active_min: active,
      kitchen: { ...s.activity.kitchen, meals: [{ meal: 'lunch', active_min: kitchen }] },
    },
    ...extra,
  };
}

const usualNights = ['22:35', '22:40', '22:45', '22:40', '22:50'].map((bed, i) =>
  night(i + 2, bed, '07:05', 1),
);
const usualDays = [2, 3, 4, 5, 6].map((b) => day(b));

describe('a resident in words', () => {
  it('says so when there is nothing yet', () => {
    expect(inWords([], [], TODAY)).toEqual({ night: 'No night recorded yet.', day: 'No day summary yet.' });
  });

  it('calls an early bedtime early, not the latest of all', () => {
    expect(nightInWords([night(0, '19:40', '07:05'), ...usualNights])).toBe(
      'Slept 19:40–07:05, earlier to bed than usual (usually 22:40–07:05); up once.',
    );
  });

  it('gives a first night and day as they are, with nothing to compare', () => {
    expect(nightInWords([night(0, '22:40', '07:05')])).toBe(
      'Slept 22:40–07:05; up once. Her first night recorded: nothing to compare with yet.',
    );
    expect(dayInWords([day(1)], TODAY)).toBe(
      'Yesterday: her first day recorded, nothing to compare with yet.',
    );
  });

  it('does not call anything usual from two nights', () => {
    expect(
      nightInWords([night(0, '01:30', '10:00'), night(1, '22:40', '07:05'), night(2, '22:40', '07:05')]),
    ).toBe('Slept 01:30–10:00; up once. Too few nights yet (3) to say what is usual.');
  });

  it('says an ordinary night and day are as usual', () => {
    expect(nightInWords([night(0, '22:40', '07:05'), ...usualNights])).toBe(
      'Slept 22:40–07:05, as usual; up once.',
    );
    expect(dayInWords([day(1, 40, 280), ...usualDays], TODAY)).toBe('Yesterday: as usual.');
  });

  it('names what was unusual, and her usual beside it', () => {
    expect(nightInWords([night(0, '00:10', '09:15', 4), ...usualNights])).toBe(
      'Slept 00:10–09:15, later to bed and up later than usual (usually 22:40–07:05); up 4 times, more than usual (usually once).',
    );
    expect(nightInWords([night(0, '21:30', '07:00', 0), ...usualNights])).toBe(
      'Slept 21:30–07:00, earlier to bed than usual (usually 22:40–07:05); not up in the night.',
    );
    expect(dayInWords([day(1, 10), ...usualDays], TODAY)).toBe(
      'Yesterday: less time in the kitchen than usual.',
    );
    expect(dayInWords([day(3, 45, 120), ...[4, 5, 6, 7, 8].map((back) => day(back))], TODAY)).toBe(
      `On ${date(3)}: less active than usual.`,
    );
  });

  it('says a night not over yet as such', () => {
    expect(nightInWords([night(0, '22:40', '07:05', 0, false), ...usualNights])).toBe(
      'In bed since 22:40, not up yet, as usual; not up in the night.',
    );
  });

  it('does not compare a day in a care mode, nor count it in her usual', () => {
    const away = (back: number) =>
      day(back, 0, 0, {
        modes: [
          {
            mode: 'away',
            from: `${date(back)}T00:00:00+00:00`,
            to: `${date(back)}T23:59:00+00:00`,
            by: 'ada',
          },
        ],
      });
    expect(dayInWords([away(1), ...usualDays], TODAY)).toBe(
      'Yesterday: away mode, so not compared with her usual.',
    );
    // Three days away before: her usual is the other days', not zero.
    expect(
      dayInWords([day(1), away(2), away(3), away(4), ...[5, 6, 7, 8, 9].map((back) => day(back))], TODAY),
    ).toBe('Yesterday: as usual.');
  });
});
