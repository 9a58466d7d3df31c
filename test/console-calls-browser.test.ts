// Call handling in a real browser (Debian's Chromium), against a real hub fed through a real
// Mosquitto by a home publishing signed as a gateway does, with the hub's clock set by the test:
// operator A says "I'm handling this" and operator B's open queue says so without a reload; A
// closes the call with an outcome and B's queue drops it; a whole call handled by keyboard alone
// (acknowledge, claim, note, outcome, close) with focus moving to the next untaken alert after
// each acknowledgement or claim; axe-core on the admins' answer-time figures. A screenshot of the
// queue with three alerts of different ages goes to test-output/console/ with the others.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putStaff } from '../cloud-relay/hub/console/accounts.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { browser, screenshot, seriousViolations } from './helpers/browser.ts';
import { TEST_COST } from './helpers/console-rig.ts';
import { alert } from './helpers/hub-messages.ts';
import { eventually, type Home, homeClient, type TestHub, testHub } from './helpers/hub-rig.ts';
import { makePki, mosquitto } from './helpers/mosquitto.ts';

const GW = 'gw-calls';
const R = 'r-calls';
const PASSWORD = 'operator-password-1';
const S = 1000;

const cleanups: (() => unknown)[] = [];
const later = (fn: () => unknown) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

let hub: TestHub;
let home: Home;
let base: string;
/** The hub's clock: each alert is had at the time the test says. */
let clock = Date.now();

/** The home raises `id` now (hub time); resolves once the hub has stored it. */
async function raise(id: string, reason: string) {
  await home.send('alert', { ...alert(GW, R, id, 'raised', clock), reason });
  await eventually(`alert ${id} stored`, () =>
    hub.h.store.db.selectFrom('alerts').select('alert_id').where('alert_id', '=', id).executeTakeFirst(),
  );
}

beforeAll(async () => {
  const pki = makePki(GW);
  later(() => pki.remove());
  const broker = await mosquitto(pki, GW);
  later(() => broker.remove());
  await broker.start();
  hub = await testHub(broker, pki, later, {
    now: () => clock,
    edit: (c) => ({ ...c, homes: { expected: [{ gateway: GW, resident: R }] } }),
  });
  base = `http://127.0.0.1:${hub.h.webPort}`;
  const db = consoleDb(hub.h.store.db);
  for (const [name, role] of [
    ['anna', 'operator'],
    ['ben', 'operator'],
    ['ada', 'admin'],
  ] as const)
    await putStaff(db, { name, role, password: PASSWORD, residents: [] }, clock, { cost: TEST_COST });
  home = await homeClient(broker, pki, GW, pki.gateway, later);
  // Three alerts of different ages: 4 min, 90 s and 10 s when the queue is opened.
  const now = clock;
  clock = now - 240 * S;
  await raise('fall-hall', 'A fall in the hall.');
  clock = now - 90 * S;
  await raise('no-movement', 'No movement seen since 10:42 (3 h 10 m).');
  clock = now - 10 * S;
  await raise('door-night', 'The front door opened at night.');
  clock = now;
}, 120_000);

async function signedIn(name: string): Promise<Page> {
  const b = await browser();
  later(() => b.close());
  const page = b.context.pages()[0] ?? (await b.context.newPage());
  await page.goto(`${base}/`);
  await page.waitForURL(/\/signin/);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
  await live(page);
  return page;
}

/** The page's live stream is open: whatever changes from now on reaches it. */
const live = (page: Page) => page.locator('body[data-connected="1"]').waitFor();

/** Presses Tab until the focused element is the one `is` describes (60 presses at most). */
async function tabTo(page: Page, what: string, is: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(is)) return;
  }
  throw new Error(`Tab never reached ${what}`);
}

/** Enter on the focused control, and the page it leads to loaded (the same address included). */
async function enter(page: Page, url: string): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated'), page.keyboard.press('Enter')]);
  await page.waitForURL(url);
  await page.waitForLoadState();
}

const focusedId = (page: Page) =>
  page.evaluate<string>("document.activeElement ? document.activeElement.id : ''");
const card = (page: Page, id: string) => page.locator(`li[data-alert="${id}"]`);

describe('call handling in Chromium', () => {
  it("shows A's 'I'm handling this' on B's open queue live; A closes with an outcome and B's queue drops it", async () => {
    const a = await signedIn('anna');
    const b = await signedIn('ben');
    await screenshot(a, 'queue-three-ages');
    expect(await seriousViolations(a), 'axe on the queue').toEqual([]);
    // Oldest first (all urgent): 4 m past both targets, 90 s past the first, 10 s within.
    expect(
      await a.locator('li.alert').evaluateAll((els) => els.map((e) => [e.dataset.alert, e.className])),
    ).toEqual([
      ['fall-hall', 'alert sev-urgent late-2'],
      ['no-movement', 'alert sev-urgent late-1'],
      ['door-night', 'alert sev-urgent'],
    ]);

    await card(a, 'fall-hall')
      .getByRole('button', { name: /I'm handling this/ })
      .click();
    await card(b, 'fall-hall').locator('[data-handling="anna"]').waitFor();
    expect(await card(b, 'fall-hall').locator('.claimed').textContent()).toMatch(
      /^anna \(since \d\d:\d\d\) is handling this\.$/,
    );
    // Taken, it goes below the untaken, grey, no longer counted late.
    expect(await b.locator('li.alert').evaluateAll((els) => els.map((e) => e.dataset.alert))).toEqual([
      'no-movement',
      'door-night',
      'fall-hall',
    ]);

    await card(a, 'fall-hall').getByRole('link', { name: 'Details, notes and close' }).click();
    await a.getByRole('button', { name: 'Close with this outcome' }).waitFor();
    expect(await seriousViolations(a), 'axe on the alert page with its close form').toEqual([]);
    await a.getByLabel('Outcome', { exact: true }).selectOption('responder_sent');
    await a.getByLabel('Note (optional)').fill('Warden on site in 6 minutes.');
    await a.getByRole('button', { name: 'Close with this outcome' }).click();
    await a.waitForURL(`${base}/`);
    await card(b, 'fall-hall').waitFor({ state: 'detached' });
    expect(await b.locator('li.alert').count()).toBe(2);
    // Its outcome, in the history and on its page; the home was told by an acknowledgement.
    await b.goto(`${base}/history`);
    expect(await b.locator('[data-outcome="responder_sent"]').textContent()).toBe('Responder sent');
    await b.goto(`${base}/alerts/${GW}/fall-hall`);
    expect(await b.locator('p.closed').textContent()).toMatch(
      /^Closed by anna at .+: Responder sent\. Warden on site in 6 minutes\. (Sent to the home; not confirmed yet|The home has it \(confirmed at .+\))\.$/,
    );
    await screenshot(b, 'alert-closed');
    const sent = await hub.h.store.db
      .selectFrom('commands')
      .select(['name', 'by'])
      .where('alert_id', '=', 'fall-hall')
      .orderBy('name')
      .execute();
    expect(sent).toEqual([
      { name: 'ack', by: 'anna (closed: Responder sent)' },
      { name: 'close', by: 'anna' },
    ]);
  });

  it('handles a whole call by keyboard alone, focus moving to the next untaken alert after each answer', async () => {
    // One of the hub's own alerts, between the two left.
    const key = `gateway_silent/${GW}/9`;
    await hub.h.store.raiseHubAlert(
      { key, gateway: GW, kind: 'gateway_silent', severity: 'urgent', reason: 'Gateway gw-calls is silent.' },
      clock - 30 * S,
      'test',
    );
    const page = await signedIn('anna');
    expect(await page.locator('li.alert').evaluateAll((els) => els.map((e) => e.id))).toEqual([
      `card-${GW}-no-movement`,
      `card-hub-${key}`,
      `card-${GW}-door-night`,
    ]);
    // Acknowledge the first: focus lands on the next untaken card, the hub's alert.
    await tabTo(page, 'Acknowledge no-movement', `document.activeElement.id === 'ack-${GW}-no-movement'`);
    await enter(page, `${base}/?focus=next`);
    await live(page);
    expect(await focusedId(page)).toBe(`card-hub-${key}`);
    await screenshot(page, 'queue-focus-next');
    // "I'm handling this" on the hub's alert, from there: focus goes on to the next, door-night.
    await tabTo(
      page,
      "the hub alert's I'm handling this",
      `document.activeElement.closest('[data-hub-alert]') && document.activeElement.textContent.startsWith("I'm handling this")`,
    );
    await enter(page, `${base}/?focus=next`);
    await live(page);
    expect(await focusedId(page)).toBe(`card-${GW}-door-night`);
    expect(await page.locator(`[data-hub-alert="${key}"] [data-handling="anna"]`).count()).toBe(1);

    // The whole call on door-night: claim, open it, note, outcome, close.
    await tabTo(
      page,
      "door-night's I'm handling this",
      `document.activeElement.closest('[data-alert="door-night"]') && document.activeElement.textContent.startsWith("I'm handling this")`,
    );
    await enter(page, `${base}/?focus=next`);
    await live(page);
    await tabTo(
      page,
      "door-night's details",
      `document.activeElement.closest('[data-alert="door-night"]') && document.activeElement.textContent === 'Details, notes and close'`,
    );
    await enter(page, `${base}/alerts/${GW}/door-night`);
    await tabTo(page, 'the note', `document.activeElement.id === 'note'`);
    await page.keyboard.type('Rang her: her son came home late.');
    await tabTo(page, 'Save note', `document.activeElement.textContent === 'Save note'`);
    await enter(page, `${base}/alerts/${GW}/door-night`);
    await tabTo(page, 'the outcome', `document.activeElement.id === 'outcome'`);
    await page.keyboard.type('Spoke');
    expect(await page.locator('#outcome').inputValue()).toBe('no_help_needed');
    await tabTo(page, 'Close', `document.activeElement.id === 'close-call'`);
    await enter(page, `${base}/`);
    // Both left are taken now: by age, the older first.
    expect(await page.locator('li.alert').evaluateAll((els) => els.map((e) => e.id))).toEqual([
      `card-${GW}-no-movement`,
      `card-hub-${key}`,
    ]);
    await page.goto(`${base}/alerts/${GW}/door-night`);
    expect(await page.locator('p.closed').textContent()).toMatch(/Spoke to the resident – no help needed\./);
    expect(await page.locator('li', { hasText: 'Rang her: her son came home late.' }).count()).toBe(1);
  });

  it("draws the admins' answer-time figures without a serious or critical axe violation", async () => {
    const page = await signedIn('ada');
    await page.getByRole('link', { name: 'Answer times' }).click();
    await page.waitForURL(`${base}/admin/answer-times`);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'answer-times');
    // Anna answered all four: fall-hall (claimed at once), no-movement, the hub's, door-night.
    expect(await page.locator('tr[data-group="anna"] td').first().textContent()).toBe('4');
    expect(await page.locator('tr[data-group="all"] td').first().textContent()).toBe('4');
  });
});
