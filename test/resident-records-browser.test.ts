// A resident's record in Debian's Chromium, against the console on a real PostgreSQL: an admin
// fills the form (first with a mistyped NHS number, named and kept for correcting), an operator
// sees her name and a tel: link on the alert's card and the whole record on the alert page, the
// key-safe code folded until asked for. axe-core on the form and on the alert page with the
// record, on a desktop and a phone; screenshots to test-output/console/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browser, screenshot, seriousViolations } from './helpers/browser.ts';
import { consoleRig, PASSWORD, type Rig, T0 } from './helpers/console-rig.ts';
import { received } from './helpers/hub-backends.ts';
import { alert } from './helpers/hub-messages.ts';
import { type Postgres, startPostgres } from './helpers/postgres.ts';

const GW = 'gw-walk';
const R = 'r-walk';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let pg: Postgres;
let rig: Rig;
beforeAll(async () => {
  pg = await startPostgres();
  rig = await consoleRig({
    kind: 'postgres',
    url: await pg.createDatabase(`records_browser_${process.pid}`),
  });
  await rig.store.expectHomes([{ gateway: GW, resident: R, heartbeatMs: 60_000 }], T0);
  await rig.store.receive(received(`hearth/v1/${GW}/alert`, alert(GW, R, 'a-walk', 'raised', T0), T0));
}, 60_000);
afterAll(() => pg?.stop());

async function signIn(page: Page, name: string, next: string) {
  await page.goto(`${rig.base}${next}`);
  await page.waitForURL(/\/signin/);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${rig.base}${next}`);
}

/** axe on a desktop and on a phone; a screenshot of each. */
async function accessible(page: Page, name: string) {
  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['390px', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    expect(await seriousViolations(page), `axe on ${name} (${size})`).toEqual([]);
    await screenshot(page, `${name}-${size}`);
  }
  await page.setViewportSize(DESKTOP);
}

describe('a resident record in Chromium', () => {
  it('an admin fills the form; an operator sees her on the card and whole on the alert page', async () => {
    // A browser each: one profile holds one person's session.
    const b = await browser();
    const b2 = await browser();
    try {
      const admin = await b.context.newPage();
      await signIn(admin, 'ada', `/admin/records/${R}`);
      await accessible(admin, 'record-form-empty');
      await admin.getByLabel('Name', { exact: true }).fill('Edith Walker');
      await admin.getByLabel('Address').fill('12 Orchard Row\nHeadingley\nLeeds LS6 2AB');
      await admin.getByLabel('Her phone').fill('0113 496 0001');
      await admin.getByLabel('Call-back number').fill('07700 900123');
      await admin.getByLabel('Key-safe code').fill('4711');
      await admin
        .getByLabel('Access notes (getting in)')
        .fill('Key safe left of the back door; dog is friendly.');
      await admin.getByLabel('Relevant medical notes').fill('Type 2 diabetes. Takes warfarin.');
      await admin.getByLabel('NHS number (optional)').fill('943 476 5918');
      await admin.getByLabel('Next of kin 1: name').fill('Jane Walker');
      await admin.getByLabel('Next of kin 1: relation').fill('daughter');
      await admin.getByLabel('Next of kin 1: phone').fill('07700 900456');
      await admin.getByLabel('Responder 1: name').fill('Carl Dunn');
      await admin.getByLabel('Responder 1: who they are').fill('carer, has a key');
      await admin.getByLabel('Responder 1: phone').fill('07700 900789');
      await admin.getByLabel('Responder 1: console account, if any').fill('carl');
      await admin.getByRole('button', { name: 'Save the record' }).click();

      // Refused, the mistake named, what was typed still there to correct.
      const problems = admin.locator('#record-problems');
      await problems.waitFor();
      expect(await problems.textContent()).toContain('NHS number has a wrong check digit');
      expect(await admin.getByLabel('Next of kin 1: name').inputValue()).toBe('Jane Walker');
      await accessible(admin, 'record-form-refused');
      await admin.getByLabel('NHS number (optional)').fill('943 476 5919');
      await admin.getByRole('button', { name: 'Save the record' }).click();
      await admin.waitForURL(`${rig.base}/residents/${R}/record`);
      expect(await admin.locator('#record-name').textContent()).toBe('Edith Walker');

      const op = await b2.context.newPage();
      await signIn(op, 'olive', '/');
      const card = op.locator(`[data-alert="a-walk"]`);
      await card.waitFor();
      expect(await card.locator('.record-line strong').textContent()).toBe('Edith Walker');
      const call = card.locator('a.tel');
      expect(await call.getAttribute('href')).toBe('tel:+447700900123');
      expect(await call.textContent()).toBe('07700 900123');
      expect(await card.textContent()).not.toContain('4711');
      await accessible(op, 'record-queue');

      await card.getByRole('link', { name: 'Details, notes and close' }).click();
      await op.waitForURL(`${rig.base}/alerts/${GW}/a-walk`);
      const record = op.locator('section.record');
      expect(await record.textContent()).toContain('Leeds LS6 2AB');
      expect(await record.textContent()).toContain('943 476 5919');
      expect(await record.textContent()).toContain('Type 2 diabetes');
      expect(await record.locator('a.tel', { hasText: '07700 900456' }).getAttribute('href')).toBe(
        'tel:+447700900456',
      );
      expect(await record.textContent()).toContain('console carl, not on her ladder');
      // Folded: on a wall screen the code is not shown until someone asks for it.
      expect(await op.locator('#key-safe-code').isVisible()).toBe(false);
      await accessible(op, 'record-alert');
      await op.getByText('Show the key-safe code').click();
      expect(await op.locator('#key-safe-code').textContent()).toBe('4711');
      await screenshot(op, 'record-alert-key-safe-open');
    } finally {
      await b.close();
      await b2.close();
    }
  }, 120_000);
});
