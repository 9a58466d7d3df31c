// The care-team report in a real browser (Debian's Chromium) against the real console: a carer
// writes an outcome note on an alert of the period, follows the link from her resident page to
// four weeks of summaries the hub's store received, and finds every section; axe-core finds no
// serious or critical violation on a desktop or a phone; the Print button prints; and the page
// printed to PDF by Chromium holds, as text (poppler's pdftotext), each section, a page per
// week, and no navigation. The screenshots and the PDF go to test-output/console/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sqliteTarget } from '../cloud-relay/hub/db.ts';
import { browser, screenshot, seriousViolations } from './helpers/browser.ts';
import { ROOT } from './helpers/cli.ts';
import { consoleRig, folder, PASSWORD } from './helpers/console-rig.ts';
import { received } from './helpers/hub-backends.ts';
import { alert } from './helpers/hub-messages.ts';
import { storeWeeks } from './helpers/report-weeks.ts';

const NOTE = 'Found her sitting in the lounge, well; pendant battery replaced.';

/** The text of a PDF, page by page (pdftotext separates pages with a form feed). */
function pdfPages(file: string): string[] {
  let text: string;
  try {
    text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(
        'pdftotext not found: install poppler-utils (apt-get install poppler-utils; test/setup-system.sh does)',
      );
    throw e;
  }
  return text.split('\f').filter((p) => p.trim() !== '');
}

async function signIn(page: Page, base: string, name: string) {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/signin/);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
}

describe('the care-team report in Chromium', () => {
  it('opens from her page, passes axe on a desktop and a phone, prints, and prints to PDF with every section', {
    timeout: 120_000,
  }, async () => {
    const r = await consoleRig(sqliteTarget(join(folder('hearth-report-browser-'), 'db')));
    await storeWeeks(r.store);
    // An alert in the last week, raised and resolved, as the home sends them.
    const raised = Date.parse('2026-02-25T14:00:00Z');
    await r.store.receive(
      received('hearth/v1/gw-1/alert', alert('gw-1', 'r-1', 'a-rep', 'raised', raised), raised),
    );
    const done = raised + 40 * 60_000;
    await r.store.receive(
      received('hearth/v1/gw-1/alert', alert('gw-1', 'r-1', 'a-rep', 'resolved', done), done),
    );
    const b = await browser();
    try {
      const page = await b.context.newPage();
      await signIn(page, r.base, 'carl');
      // Her carer writes what happened, with the console's own form.
      await page.goto(`${r.base}/alerts/gw-1/a-rep`);
      await page.getByLabel('Add an outcome note').fill(NOTE);
      await page.getByRole('button', { name: 'Save note' }).click();
      await page.waitForURL(`${r.base}/alerts/gw-1/a-rep`);

      await page.goto(`${r.base}/residents/r-1`);
      await page.locator('#report-link').click();
      await page.waitForURL(`${r.base}/residents/r-1/report?weeks=4`);
      for (const name of [
        'What this report shows',
        'Notable changes',
        'Alerts and their outcomes',
        'Week 1 of 4: Mon 2 Feb to Sun 8 Feb',
        'Week 4 of 4: Mon 23 Feb to Sun 1 Mar',
      ])
        await expect(page.getByRole('heading', { name }).count(), name).resolves.toBe(1);
      await expect(page.getByRole('heading', { name: 'Nights' }).count()).resolves.toBe(4);
      await expect(page.getByRole('img', { name: /^Activity through the day/ }).count()).resolves.toBe(4);
      await expect(page.locator('#change-list li').allTextContents()).resolves.toContain(
        'Up in the night more often in the last week (4 nights vs 1 usually).',
      );
      await expect(page.locator('#missing').textContent()).resolves.toMatch(/nothing arrived for Tue 10 Feb/);
      await expect(
        page.getByRole('region', { name: 'Alerts in these weeks' }).textContent(),
      ).resolves.toContain(NOTE);
      expect(await seriousViolations(page), 'axe on the report').toEqual([]);
      await screenshot(page, 'report');

      // The Print button asks the browser to print (headless Chromium has no print dialog).
      await page.evaluate('window.print = () => { document.body.dataset.printed = "1"; }');
      await page.getByRole('button', { name: 'Print' }).click();
      await expect(page.evaluate('document.body.dataset.printed')).resolves.toBe('1');

      await page.setViewportSize({ width: 390, height: 844 });
      expect(await seriousViolations(page), 'axe on the report on a phone').toEqual([]);
      // Nothing wider than the phone: the strips shrink, wide tables scroll in their own frame.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await screenshot(page, 'report-390px');
      await page.setViewportSize({ width: 1280, height: 900 });

      // Printed, each week begins a page: said by the print styles (the PDF below cannot tell a
      // break from a week's strips that would not fit under the alerts anyway).
      await page.emulateMedia({ media: 'print' });
      await expect(
        page.evaluate(
          '[...document.querySelectorAll("section.week")].map((s) => getComputedStyle(s).breakBefore)',
        ),
      ).resolves.toEqual(['page', 'page', 'page', 'page']);
      await page.emulateMedia({ media: null });
      const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
      const dir = join(ROOT, 'test-output', 'console');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'report.pdf');
      writeFileSync(file, pdf);
      const pages = pdfPages(file);
      const all = pages.join('\n');
      for (const text of [
        'Care-team report: resident r-1',
        'What this report shows',
        'Information is missing for 1 day',
        'Notable changes',
        'Up in the night more often in the last week (4 nights vs 1 usually).',
        'Going to bed later in the last week (about 23:45 vs 22:40 usually).',
        'Alerts and their outcomes',
        'pendant battery replaced',
        'Activity through the day',
        'Nights',
        'Time out of the home',
        'No information from the home for this day',
      ])
        expect(all, text).toContain(text);
      // No navigation, no controls; each week starts a page of its own.
      for (const absent of ['Sign out', 'Skip to content', 'Homes', 'Print', 'Back to resident'])
        expect(all, absent).not.toContain(absent);
      for (let n = 1; n <= 4; n++) {
        const at = pages.findIndex((p) => p.includes(`Week ${n} of 4`));
        expect(at, `week ${n}`).toBeGreaterThan(0);
        expect(pages[at]?.trim().startsWith(`Week ${n} of 4`), `week ${n} starts its page`).toBe(true);
      }
    } finally {
      await b.close();
    }
  });
});
