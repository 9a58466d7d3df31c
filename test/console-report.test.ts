// The care-team report without a browser: the days and their strips read back from summaries the
// hub's store received (made by the gateway's own summarizer from weeks whose truth is known);
// what changed in the last week, and what does not count as a change; the weeks asked for held
// to 1..6; and the page over HTTP on the real console: who may read it, and every view audited.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditLog } from '../cloud-relay/hub/audit.ts';
import { nightRows } from '../cloud-relay/hub/console/nights.ts';
import { reportBody } from '../cloud-relay/hub/console/pages/report.ts';
import { notableChanges, usualOf } from '../cloud-relay/hub/console/report-changes.ts';
import {
  dayStrips,
  periodDates,
  type ReportDay,
  reportDays,
  weeksOf,
} from '../cloud-relay/hub/console/report-days.ts';
import { datedBetween } from '../cloud-relay/hub/console/report-queries.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { sqliteTarget } from '../cloud-relay/hub/db.ts';
import type { NightMessage, SummaryMessage } from '../cloud-relay/protocol/messages.ts';
import { consoleRig, cookieOf, folder, type Rig, send, signIn, T0 } from './helpers/console-rig.ts';
import { FIRST, LAST, MISSING, OUT_DAY, storeWeeks } from './helpers/report-weeks.ts';

const rig = () => consoleRig(sqliteTarget(join(folder('hearth-report-'), 'db')));

/** The report's days as the route reads them from the store. */
async function storedDays(r: Rig, weeks = 4): Promise<ReportDay[]> {
  const db = consoleDb(r.store.db);
  const dates = periodDates(LAST, weeks);
  const first = dates[0] ?? LAST;
  const summaries = (await datedBetween(db, 'summaries', 'r-1', first, LAST)).map(
    (x) => JSON.parse(x.json) as SummaryMessage,
  );
  const nights = (await datedBetween(db, 'nights', 'r-1', first, LAST)).map(
    (x) => JSON.parse(x.json) as NightMessage,
  );
  return reportDays(dates, summaries, nightRows(summaries, nights));
}

describe('the days of a report', () => {
  it('holds every date of the weeks, the missing one without a summary, each day a strip of its hours', async () => {
    const r = await rig();
    await storeWeeks(r.store);
    const days = await storedDays(r);
    expect(days.map((d) => d.date)).toEqual(periodDates(LAST, 4));
    expect(days[0]?.date).toBe(FIRST);
    expect(days.filter((d) => !d.summary).map((d) => d.date)).toEqual([MISSING]);
    const strips = dayStrips(days);
    const out = strips.find((s) => s.date === OUT_DAY);
    // Asleep 22:50 the evening before to 07:00; in bed again at 22:30; out 10:00 to 11:30.
    expect(out).toMatchObject({
      missing: false,
      inBed: [
        { from: 0, to: 7 * 60 },
        { from: 22 * 60 + 30, to: 1440 },
      ],
      out: [{ from: 10 * 60, to: 11 * 60 + 30 }],
    });
    expect(out?.levels).toHaveLength(24);
    // Nothing seen asleep; out from 10:00, only the door as she left; every waking hour at home
    // shaded; the busiest hour of the report is level 4 somewhere.
    expect(out?.levels.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(out?.levels[10]).toBe(1);
    expect(out?.levels.slice(12, 18).every((l) => l > 0)).toBe(true);
    expect(Math.max(...strips.flatMap((s) => s.levels))).toBe(4);
    // The missing day: unknown, not quiet; the night that began that evening is still known.
    expect(strips.find((s) => s.date === MISSING)).toMatchObject({
      missing: true,
      levels: Array.from({ length: 24 }, () => 0),
      inBed: [{ from: 22 * 60 + 30, to: 1440 }],
      out: [],
    });
  });

  it('holds ?weeks= to 1..6, four when it is not a number', () => {
    expect(['1', '4', '6', '0', '7', '99', '-2', 'x', '4.5', '', undefined, ['2']].map(weeksOf)).toEqual([
      1, 4, 6, 1, 6, 6, 4, 4, 4, 4, 4, 4,
    ]);
  });
});

describe('notable changes', () => {
  it('says what changed in the last week against the three before it', async () => {
    const r = await rig();
    await storeWeeks(r.store);
    const c = notableChanges(await storedDays(r));
    expect(c).toEqual({
      ok: true,
      recentDays: 7,
      earlierDays: 20,
      changes: [
        {
          figure: 'up_in_night',
          text: 'Up in the night more often in the last week (4 nights vs 1 usually).',
        },
        { figure: 'bedtime', text: 'Going to bed later in the last week (about 23:45 vs 22:40 usually).' },
        {
          figure: 'out_of_home_min',
          text: 'Less time out of the home in the last week (not out at all vs 45 min a day usually).',
        },
        {
          figure: 'room:kitchen',
          text: expect.stringMatching(
            /^Less activity seen in the kitchen in the last week \(\d+ movements a day vs \d+ usually\)\.$/,
          ),
        },
      ],
    });
  });

  it('says nothing changed over four steady weeks', async () => {
    const r = await rig();
    await storeWeeks(r.store, { changed: false });
    expect(notableChanges(await storedDays(r))).toMatchObject({ ok: true, changes: [] });
  });

  it('compares nothing with one week, or with too few days before the last', async () => {
    const r = await rig();
    await storeWeeks(r.store);
    const days = await storedDays(r);
    expect(notableChanges(days.slice(-7))).toEqual({
      ok: false,
      reason: 'With one week there is nothing earlier to compare it with.',
    });
    // Two weeks, of which the first has only four days with anything.
    const sparse = days.slice(-14).map((d, i) => (i < 3 ? { ...d, summary: null, night: null } : d));
    expect(notableChanges(sparse)).toMatchObject({ ok: false, reason: expect.stringMatching(/^Too little/) });
  });

  it('knows her usual from the weeks before the last, and a day with a care mode on is not one of them', async () => {
    const r = await rig();
    await storeWeeks(r.store);
    const days = await storedDays(r);
    // The three weeks before the last: to bed 22:40 (median of 22:30 and 22:50; minutes after
    // 18:00), up 07:00, up in the night one night a week, out 45 minutes a day.
    expect(usualOf(days)).toEqual({
      bedtime: 4 * 60 + 40,
      wake: 7 * 60,
      upNightsPerWeek: 1,
      outMinPerDay: 45,
    });
    // The changed week with a mode on every day: not her usual days, so nothing to compare.
    const away = days.map((d, i) =>
      i >= 21 && d.summary
        ? {
            ...d,
            summary: {
              ...d.summary,
              modes: [
                {
                  mode: 'visitor' as const,
                  from: `${d.date}T00:00:00+00:00`,
                  to: `${d.date}T23:59:00+00:00`,
                  by: 'carl',
                },
              ],
            },
          }
        : d,
    );
    expect(notableChanges(away)).toMatchObject({ ok: false, reason: expect.stringMatching(/^Too little/) });
    // And the page says which days those were, and why they do not count.
    const page = reportBody(
      {
        resident: 'r-1',
        weeks: 4,
        days: away,
        strips: dayStrips(away),
        changes: notableChanges(away),
        usual: usualOf(away),
        alerts: [],
        cut: false,
        by: 'carl',
        now: T0,
      },
      'Europe/London',
    ).text;
    expect(page).toContain(
      'A care mode was on for Mon 23 Feb (visitor), Tue 24 Feb (visitor), Wed 25 Feb (visitor), Thu 26 Feb (visitor), Fri 27 Feb (visitor), Sat 28 Feb (visitor), Sun 1 Mar (visitor)',
    );
    expect(page).toContain('No alert in these weeks.');
  });
});

describe('the report page', () => {
  const path = '/residents/r-1/report';

  it('is read by her carer and an operator, refused to a carer of someone else, and every view audited', async () => {
    const r = await rig();
    await storeWeeks(r.store);
    const carl = cookieOf(await signIn(r.base, 'carl'));
    const page = await send(`${r.base}${path}?weeks=4`, { headers: { cookie: carl } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('4 weeks, Mon 2 Feb 2026 to Sun 1 Mar 2026');
    for (const h of ['What this report shows', 'Notable changes', 'Alerts and their outcomes', 'Week 4 of 4'])
      expect(page.body).toContain(h);
    expect(page.body).toContain('Up in the night more often in the last week (4 nights vs 1 usually).');
    expect(page.body).toContain('nothing arrived for Tue 10 Feb');
    const six = await send(`${r.base}${path}?weeks=60`, { headers: { cookie: carl } });
    expect(six.body).toContain('Week 6 of 6');
    expect(six.body).not.toContain('Week 7');

    const olive = cookieOf(await signIn(r.base, 'olive'));
    expect((await send(`${r.base}${path}`, { headers: { cookie: olive } })).status).toBe(200);
    const other = await send(`${r.base}/residents/r-2/report`, { headers: { cookie: carl } });
    expect(other.status).toBe(403);
    const anon = await send(`${r.base}${path}`);
    expect(anon.status).toBe(303);

    const log = (await auditLog(consoleDb(r.store.db), { q: 'report' })).map((e) => [
      e.staff,
      e.action,
      e.resident,
      e.target,
      e.outcome,
    ]);
    expect(log).toEqual(
      expect.arrayContaining([
        ['carl', 'view-report', 'r-1', '4 weeks to 2026-03-01', 'ok'],
        ['carl', 'view-report', 'r-1', '6 weeks to 2026-03-01', 'ok'],
        ['olive', 'view-report', 'r-1', '4 weeks to 2026-03-01', 'ok'],
        ['carl', 'view-report', 'r-2', '4 weeks', 'refused'],
      ]),
    );
    expect(log).toHaveLength(4);
  });
});
