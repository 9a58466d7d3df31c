// A resident's page on a phone, and the homes page, in Chromium against the console on
// PostgreSQL, fed as the hub is fed (stored messages, a test call, a care mode sent). At 390×844
// the page leads with last night and yesterday in words against her usual, under a header of one
// short row; the plots' text is 11 CSS px or more; the tables are folded away. The homes page
// shows each home's last daily test and care mode. axe-core finds nothing serious on either, on
// the phone or the desktop; the page's height at 390 px is printed for the record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMode } from '../cloud-relay/hub/mode.ts';
import {
  type NightMessage,
  type SummaryMessage,
  topics,
  validNight,
  validSummary,
} from '../cloud-relay/protocol/messages.ts';
import { browser, screenshot, seriousViolations } from './helpers/browser.ts';
import { consoleRig, PASSWORD, T0 } from './helpers/console-rig.ts';
import { received } from './helpers/hub-backends.ts';
import { summary } from './helpers/hub-messages.ts';
import { type Postgres, startPostgres } from './helpers/postgres.ts';

const GW = 'gw-phone';
const R = 'r-phone';
const OTHER = { gateway: 'gw-quiet', resident: 'r-quiet' };
const DAY = 86_400_000;
/** T0 is 2026-03-02 10:00 in London (UTC in March). */
const date = (back: number) => new Date(T0 - back * DAY).toISOString().slice(0, 10);

let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(() => pg?.stop());

/** Her day `back` days ago: to bed 22:40 the evening before, up 07:05, up once; 45 min in the kitchen. */
function day(back: number, kitchen = 45): SummaryMessage {
  const d = date(back);
  const s = summary(GW, R, d, T0 - (back - 1) * DAY - 2 * 3_600_000);
  const bed = `${date(back + 1)}T22:40:00+00:00`;
  const wake = `${d}T07:05:00+00:00`;
  return validSummary({
    ...s,
    resident: R,
    sleep: { ...s.sleep, bedtime: bed, wake, time_in_bed_min: 505, in_bed: [{ from: bed, to: wake }] },
    activity: {
      ...s.activity,
      per_room: [
        { room: 'kitchen', count: 20 + back },
        { room: 'lounge', count: 40 },
      ],
      kitchen: { ...s.activity.kitchen, meals: [{ meal: 'lunch', active_min: kitchen }] },
    },
  });
}

/** Last night, sent this morning: late to bed, late up, up three times. */
function lastNight(): NightMessage {
  const s = day(0).sleep;
  const bed = `${date(0)}T00:20:00+00:00`;
  const wake = `${date(0)}T09:10:00+00:00`;
  return validNight({
    v: 1,
    type: 'night',
    id: `${GW}-night-${date(0)}`,
    gateway: GW,
    resident: R,
    at: `${date(0)}T09:40:00Z`,
    date: date(0),
    over: true,
    sleep: {
      ...s,
      bedtime: bed,
      wake,
      time_in_bed_min: 530,
      out_of_bed: { count: 3, total_min: 12, longest_min: 5 },
      in_bed: [{ from: bed, to: wake }],
    },
  });
}

async function fed() {
  const rig = await consoleRig({
    kind: 'postgres',
    url: await pg.createDatabase(`console_phone_${process.pid}`),
  });
  const { store } = rig;
  await store.expectHomes(
    [
      { gateway: GW, resident: R, heartbeatMs: 60_000 },
      { ...OTHER, heartbeatMs: 60_000 },
    ],
    T0 - 20 * DAY,
  );
  // Fourteen days, the newest (yesterday) with little time in the kitchen; and last night.
  for (let back = 14; back >= 1; back--) {
    const s = day(back, back === 1 ? 8 : 45);
    await store.receive(received(topics.summary(GW), s, Date.parse(s.at)));
  }
  const n = lastNight();
  await store.receive(received(topics.night(GW), n, Date.parse(n.at)));
  // Her home's daily test this morning, confirmed; a care mode sent, not yet answered.
  await store.db
    .insertInto('test_calls')
    .values({
      gateway: GW,
      alert_id: 'test-1',
      resident: R,
      sent_at: new Date(T0 - 3_600_000).toISOString(),
      sent_at_ms: T0 - 3_600_000,
      stored_at: T0 - 3_600_000,
      acked_at: T0 - 3_600_000,
      acked_by: 'hub',
      confirmed_at: T0 - 3_590_000,
    })
    .execute();
  const mode = await sendMode(
    { store, now: () => T0, publish: async () => {} },
    { home: R, mode: 'visitor', until: '2026-03-02T18:00:00+00:00', by: 'carl' },
  );
  expect(mode.ok).toBe(true);
  return rig;
}

describe('the console on a phone', () => {
  it('leads a resident page with her night and day in words, legible and folded, and shows the homes', async () => {
    const { base } = await fed();
    const b = await browser();
    try {
      const page = await b.context.newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${base}/signin`);
      await page.getByLabel('Name').fill('olive');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/`);

      await page.goto(`${base}/residents/${R}`);
      const words = page.locator('#in-words');
      await expect(page.locator('#night-words').textContent()).resolves.toBe(
        'Slept 00:20–09:10, later to bed and up later than usual (usually 22:40–07:05); up 3 times, more than usual (usually once).',
      );
      await expect(page.locator('#day-words').textContent()).resolves.toBe(
        'Yesterday: less time in the kitchen than usual.',
      );
      // First after the heading, and whole on the first screen.
      expect(await page.locator('#live > *').first().getAttribute('id')).toBe('in-words');
      // Polled: a live refresh of the page swaps #live's content, and a box read in that instant
      // is of no element.
      const bottom = async () => {
        const box = await words.boundingBox();
        return box ? box.y + box.height : Number.POSITIVE_INFINITY;
      };
      await expect.poll(bottom).toBeLessThan(844);
      const header = await page.locator('header.top').boundingBox();
      expect(header?.height ?? 999).toBeLessThanOrEqual(80);
      // Every plot's text, as drawn: its size in the SVG's units times the SVG's scale.
      const sizes = (await page.evaluate(`[...document.querySelectorAll('svg.plot')].flatMap((svg) => {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll('text')]
          .filter((t) => getComputedStyle(t).display !== 'none')
          .map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
      })`)) as number[];
      expect(sizes.length).toBeGreaterThan(20);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11);
      // Every table folded away, under a summary line.
      const tables = (await page.evaluate(
        `[...document.querySelectorAll('main table')].map((t) => { const d = t.closest('details'); return d ? (d.open ? 'open' : 'folded') : 'bare'; })`,
      )) as string[];
      expect(tables.length).toBeGreaterThanOrEqual(2);
      expect(tables.every((t) => t === 'folded')).toBe(true);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      const height = (await page.evaluate('document.documentElement.scrollHeight')) as number;
      process.stdout.write(
        `console: resident page at 390×844 is ${height} px high, its header ${header?.height} px, the words at ${(await words.boundingBox())?.y} px, plot text ${Math.min(...sizes).toFixed(1)} px or more\n`,
      );
      expect(await seriousViolations(page), 'axe on the resident page, phone').toEqual([]);
      await screenshot(page, 'resident-phone');

      await page.setViewportSize({ width: 1280, height: 900 });
      expect(await seriousViolations(page), 'axe on the resident page, desktop').toEqual([]);

      await page.goto(`${base}/homes`);
      const row = page.locator(`tr[data-home="${GW}"]`);
      await expect(row.locator('td[data-test]').textContent()).resolves.toBe('confirmed 2 Mar, 09:00');
      await expect(row.locator('td[data-mode]').textContent()).resolves.toBe('visitor (pending)');
      const quiet = page.locator(`tr[data-home="${OTHER.gateway}"]`);
      await expect(quiet.locator('td[data-test]').textContent()).resolves.toBe('–');
      await expect(quiet.locator('td[data-mode]').textContent()).resolves.toBe('none');
      expect(await seriousViolations(page), 'axe on the homes page').toEqual([]);
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await seriousViolations(page), 'axe on the homes page, phone').toEqual([]);
      await screenshot(page, 'homes-phone');
    } finally {
      await b.close();
    }
  }, 120_000);
});
