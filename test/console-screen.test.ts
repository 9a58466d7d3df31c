// A monitoring screen in Chromium, against a real hub (its clock the test's) on a real Mosquitto
// and PostgreSQL. An admin marks the browser as a screen; an operator signed in there stays signed
// in past the idle limit while the page's stream is open, when a page on an unmarked browser is
// signed out. An urgent alert's tone sounds again and again in every page until another operator,
// in another browser, acknowledges it; a muted page says so and stays quiet. The hub stopped, the
// screen turns red and sounds until the hub is back; its sign-in gone, the same, with a link to
// sign in again; its session past its 12 hours, the same at once, told by its stream with no
// other notice. The pages' own time is Playwright's clock: tones are counted, never timed.
// axe-core checks the screen's pages.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putStaff } from '../cloud-relay/hub/console/accounts.ts';
import { startConsole } from '../cloud-relay/hub/console/app.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { type Hub, startHub } from '../cloud-relay/hub/hub.ts';
import { topics } from '../cloud-relay/protocol/messages.ts';
import { type HubConfigInput, hubConfigSchema } from '../config/hub-schema.ts';
import { createLogger } from '../core/log.ts';
import { browser, screenshot, seriousViolations } from './helpers/browser.ts';
import { PASSWORD, TEST_COST } from './helpers/console-rig.ts';
import { alert, heartbeat } from './helpers/hub-messages.ts';
import { freePort } from './helpers/net.ts';
import { tempDir } from './helpers/tmp.ts';
import { trustRig } from './helpers/trust-rig.ts';

const GW = 'gw-screen';
const R = 'r-screen';
const MIN = 60_000;
const rig = trustRig(GW);

const cleanups: (() => unknown)[] = [];
const later = (fn: () => unknown) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function eventually<T>(what: string, probe: () => Promise<T>, ms = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The hub's clock: the test moves it. */
let now = Date.now();
let hub: Hub;
let base: string;
let hubFile: string;
let config: HubConfigInput;

async function startTheHub(): Promise<Hub> {
  const h = await startHub({
    config: hubConfigSchema.parse(config),
    configFile: hubFile,
    log: createLogger({ level: 'silent' }),
    supervisionTimer: false,
    now: () => now,
    // The screen's stream has its session checked often: the test moves the clock, then waits.
    streamCheckMs: 100,
    web: startConsole,
  });
  return h;
}

beforeAll(async () => {
  const dir = tempDir('hearth-console-screen-');
  const url = await rig.db.createDatabase('console_screen');
  // A fixed port: the hub started again is where the pages left it.
  const port = await freePort();
  config = {
    version: 1,
    hub: { instance: 'screen-test', timezone: 'Europe/London' },
    broker: { url: rig.broker.url, ca: rig.pki.ca, cert: rig.pki.trust.cert, key: rig.pki.trust.key },
    database: { url },
    web: { host: '127.0.0.1', port },
    homes: { expected: [{ gateway: GW, resident: R }], signatures: 'off' },
  };
  hubFile = join(dir, 'hub.json');
  writeFileSync(hubFile, JSON.stringify(config));
  hub = await startTheHub();
  later(() => hub.stop());
  base = `http://127.0.0.1:${hub.webPort}`;
  const db = consoleDb(hub.store.db);
  for (const [name, role] of [
    ['ada', 'admin'],
    ['olive', 'operator'],
    ['otto', 'operator'],
  ] as const)
    await putStaff(db, { name, role, password: PASSWORD, residents: [] }, now, { cost: TEST_COST });
}, 120_000);

/** A browser whose pages count the tones they play (every oscillator made) and run on Playwright's clock. */
async function person(): Promise<{ context: BrowserContext; page: Page }> {
  const b = await browser();
  later(() => b.close());
  await b.context.addInitScript(`
    window.tones = 0;
    const made = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () { window.tones++; return made.call(this); };
  `);
  const page = await b.context.newPage();
  await page.clock.install();
  return { context: b.context, page };
}

async function signIn(page: Page, name: string) {
  await page.goto(`${base}/signin`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/signin/);
}

/** The status of the page's own request for its content, as its script makes it. */
const fragmentStatus = (page: Page) =>
  page.evaluate(() => fetch('/', { headers: { 'x-fragment': '1' } }).then((r) => r.status));

const tones = (page: Page) => page.evaluate('window.tones') as Promise<number>;

async function streamsHeld(): Promise<number> {
  const rows = await consoleDb(hub.store.db).selectFrom('screen_streams').select('id').execute();
  return rows.length;
}

let screen: { context: BrowserContext; page: Page };

describe('a monitoring screen', () => {
  it('stays signed in past the idle limit while its stream is open; an unmarked page does not', async () => {
    screen = await person();
    const { page } = screen;
    await signIn(page, 'ada');
    await page.goto(`${base}/admin/screen`);
    await expect(page.locator('#screen-state').textContent()).resolves.toMatch(/not a monitoring screen/);
    await page.getByLabel('Name of this screen').fill('Night desk');
    await page.getByRole('button', { name: 'Mark this browser as a monitoring screen' }).click();
    await expect(page.locator('#screen-state').textContent()).resolves.toMatch(
      /is the monitoring screen Night desk/,
    );
    expect(await seriousViolations(page), 'axe on the screen page').toEqual([]);
    await screenshot(page, 'screen-admin');
    // The mark outlives the browser: a cookie with an expiry, not one for this run only.
    const mark = (await screen.context.cookies()).find((c) => c.name === 'hearth_screen');
    expect(mark?.expires ?? 0).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400);
    expect(mark?.httpOnly).toBe(true);
    await signOut(page);

    await signIn(page, 'olive');
    await page.waitForSelector('body[data-screen="1"][data-connected="1"]');
    await expect(page.locator('#screen-name').textContent()).resolves.toBe('Screen: Night desk');
    expect(await seriousViolations(page), 'axe on the queue on a screen').toEqual([]);
    await eventually('the screen stream held', async () => (await streamsHeld()) === 1);

    const plain = await person();
    await signIn(plain.page, 'otto');
    await plain.page.waitForSelector('body[data-connected="1"]');
    expect(await plain.page.locator('body').getAttribute('data-screen')).toBeNull();
    expect(await streamsHeld()).toBe(1);

    now += 16 * MIN;
    expect(await fragmentStatus(page)).toBe(200);
    expect(await fragmentStatus(plain.page)).toBe(401);
    // An hour on, still: every request the screen makes while its stream is open is use.
    now += 60 * MIN;
    expect(await fragmentStatus(page)).toBe(200);
    await page.reload();
    await page.waitForSelector('body[data-screen="1"][data-connected="1"]');
    expect(page.url()).toBe(`${base}/`);
  }, 120_000);

  it('sounds an urgent alert again and again in every page until another operator acknowledges it', async () => {
    const { page } = screen;
    const other = await person();
    await signIn(other.page, 'otto');
    const muted = await person();
    await signIn(muted.page, 'otto');
    // An operator reading the homes page, and (once it is there) the alert's own page.
    const reader = await person();
    await signIn(reader.page, 'otto');
    const homes = reader.page;
    await homes.goto(`${base}/homes`);
    for (const p of [page, other.page, muted.page, homes])
      await p.waitForSelector('body[data-connected="1"]');
    await muted.page.getByRole('button', { name: 'Sound on' }).click();
    await expect(muted.page.locator('#mute').textContent()).resolves.toBe('Sound off on this page: turn on');
    expect(await muted.page.locator('#mute').getAttribute('aria-pressed')).toBe('true');

    const home = await mqtt.connectAsync(rig.broker.url, {
      ca: readFileSync(rig.pki.ca),
      cert: readFileSync(rig.pki.gateway.cert),
      key: readFileSync(rig.pki.gateway.key),
      clientId: GW,
      protocolVersion: 5,
    });
    later(() => home.endAsync());
    await home.publishAsync(topics.alert(GW), JSON.stringify(alert(GW, R, 'fall-1', 'raised', now)), {
      qos: 1,
    });
    const waiting = '[data-urgent][data-alert="fall-1"][data-waiting]';
    for (const p of [page, other.page, muted.page, homes]) await p.waitForSelector(waiting);
    expect(homes.url()).toBe(`${base}/homes`);
    // In the reader's browser, whose clock (Playwright's, one per browser) both pages run on.
    const detail = await reader.context.newPage();
    await detail.goto(`${base}/alerts/${GW}/fall-1`);
    await detail.waitForSelector(waiting);
    expect(await seriousViolations(detail), 'axe on the alert page with an untaken alert').toEqual([]);
    // The pages' clocks also run on by themselves: at least, never exactly.
    const first = await tones(page);
    expect(first).toBeGreaterThanOrEqual(1);
    const otherFirst = await tones(other.page);
    expect(otherFirst).toBeGreaterThanOrEqual(1);
    // Thirty seconds of the pages' time: three more tones each, none in the muted page.
    const readerFirst = [await tones(homes), await tones(detail)];
    for (const p of [page, other.page, muted.page, homes]) await p.clock.runFor(30_000);
    expect(await tones(homes)).toBeGreaterThanOrEqual((readerFirst[0] ?? 0) + 3);
    expect(await tones(detail)).toBeGreaterThanOrEqual((readerFirst[1] ?? 0) + 3);
    expect(await tones(page)).toBeGreaterThanOrEqual(first + 3);
    expect(await tones(other.page)).toBeGreaterThanOrEqual(otherFirst + 3);
    expect(await tones(muted.page)).toBe(0);

    await other.page
      .locator('[data-alert="fall-1"]')
      .getByRole('button', { name: /Acknowledge/ })
      .click();
    // Seen live on the screen: the card is redrawn as taken, and the tone stops.
    await page.waitForSelector('[data-alert="fall-1"]:not([data-waiting])');
    const after = await tones(page);
    await page.clock.runFor(60_000);
    expect(await tones(page)).toBe(after);
    // And on the reader's pages: the line goes, and so does the tone.
    for (const p of [homes, detail]) await p.waitForSelector(waiting, { state: 'detached' });
    const readerAfter = [await tones(homes), await tones(detail)];
    await homes.clock.runFor(60_000);
    expect([await tones(homes), await tones(detail)]).toEqual(readerAfter);
  }, 120_000);

  it("sounds the hub's own urgent alert (a gateway silent at night) again and again until someone takes it", async () => {
    const key = `gateway_silent/${GW}/night`;
    await hub.store.raiseHubAlert(
      { key, gateway: GW, kind: 'gateway_silent', severity: 'urgent', reason: `${GW} silent since 02:10` },
      now,
      'screen-test',
    );
    const watcher = await person();
    await signIn(watcher.page, 'otto');
    const taker = await person();
    await signIn(taker.page, 'otto');
    const page = watcher.page;
    const waiting = `[data-urgent="${key}"][data-waiting]`;
    await page.waitForSelector(waiting);
    const first = await tones(page);
    await page.clock.runFor(30_000);
    expect(await tones(page)).toBeGreaterThanOrEqual(first + 3);
    await taker.page
      .locator(`[data-hub-alert="${key}"]`)
      .getByRole('button', { name: "I'm handling this" })
      .click();
    // Seen live: the card is redrawn as taken, and the tone stops.
    await page.waitForSelector(waiting, { state: 'detached' });
    const after = await tones(page);
    await page.clock.runFor(60_000);
    expect(await tones(page)).toBe(after);
  }, 60_000);

  it('turns red and sounds when the hub is gone, until it is back', async () => {
    const { page } = screen;
    const before = await tones(page);
    const title = await page.title();
    await hub.stop();
    await page.locator('#lost').waitFor({ state: 'visible' });
    await expect(page.locator('#lost').textContent()).resolves.toMatch(/Connection to the hub lost/);
    expect(await page.title()).toBe(`LOST: ${title}`);
    const lostAt = await tones(page);
    expect(lostAt).toBeGreaterThanOrEqual(before + 1);
    await page.clock.runFor(20_000);
    expect(await tones(page)).toBeGreaterThanOrEqual(lostAt + 2);
    const full = await page.locator('#lost').evaluate((e) => e.getBoundingClientRect().width);
    expect(full).toBe(await page.evaluate('document.documentElement.clientWidth'));
    expect(await seriousViolations(page), 'axe on the lost screen').toEqual([]);
    await screenshot(page, 'screen-lost');

    hub = await startTheHub();
    // EventSource tries again on its own (the stream says every 2 s).
    await page.locator('#lost').waitFor({ state: 'hidden', timeout: 30_000 });
    expect(await page.title()).toBe(title);
    const back = await tones(page);
    await page.clock.runFor(30_000);
    expect(await tones(page)).toBe(back);
  }, 120_000);

  it('turns red and sounds when its sign-in is gone, with a way to sign in again', async () => {
    const { page } = screen;
    await page.waitForSelector('body[data-connected="1"]');
    // Gone as a session past its 12 hours goes, or one signed out on another page.
    await consoleDb(hub.store.db).deleteFrom('sessions').execute();
    const before = await tones(page);
    const home = await mqtt.connectAsync(rig.broker.url, {
      ca: readFileSync(rig.pki.ca),
      cert: readFileSync(rig.pki.gateway.cert),
      key: readFileSync(rig.pki.gateway.key),
      clientId: `${GW}-beat`,
      protocolVersion: 5,
    });
    later(() => home.endAsync());
    // Any notice makes the page ask for its content again, and hear it is signed out.
    await home.publishAsync(topics.heartbeat(GW), JSON.stringify(heartbeat(GW, R, now)), { qos: 1 });
    await page.locator('#lost').waitFor({ state: 'visible' });
    await expect(page.locator('#lost').textContent()).resolves.toMatch(
      /^Signed out: this screen shows no new alerts/,
    );
    expect(await page.locator('#lost a').getAttribute('href')).toBe('/signin?next=%2F');
    expect(page.url()).toBe(`${base}/`);
    const lostAt = await tones(page);
    expect(lostAt).toBeGreaterThanOrEqual(before + 1);
    await page.clock.runFor(20_000);
    expect(await tones(page)).toBeGreaterThanOrEqual(lostAt + 2);
  }, 60_000);

  it('shows its session ended at once when the hub clock passes its 12 hours, with no other notice', async () => {
    const { page } = screen;
    await signIn(page, 'olive');
    await page.waitForSelector('body[data-screen="1"][data-connected="1"]');
    await eventually('the screen stream held', async () => (await streamsHeld()) === 1);
    // Marked now: a reload or a sign-in page would lose the mark.
    await page.evaluate('window.stayed = true');
    expect(await page.locator('#lost').isHidden()).toBe(true);
    // Nothing is published and the page asks for nothing: only the stream's check can tell it.
    now += 12 * 60 * MIN + MIN;
    await page.locator('#lost').waitFor({ state: 'visible' });
    await expect(page.locator('#lost').textContent()).resolves.toMatch(
      /^Signed out: this screen shows no new alerts/,
    );
    expect(await page.evaluate('window.stayed')).toBe(true);
    expect(page.url()).toBe(`${base}/`);
    await eventually('the stream released', async () => (await streamsHeld()) === 0);
    expect(await fragmentStatus(page)).toBe(401);
  }, 60_000);
});
