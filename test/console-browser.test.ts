// The care console in a real browser (Debian's Chromium), against a hub fed by a real gateway
// process (`hearth run`) through a real Mosquitto: an operator signs in, a help-button press
// published as Zigbee2MQTT would appears without a reload, the operator acknowledges and the
// page shows the home's acknowledgement; a carer sees only their resident and is refused
// another's page; the resident page draws 14 real summaries (made by `hearth replay`) and, first,
// the night that ended this morning (sent by the same replay that morning); the
// gateway killed shows as silent in a queue page already open (no reload) and on the homes page. axe-core checks every page; screenshots of
// each page go to test-output/console/.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole } from '../cloud-relay/hub/console/app.ts';
import { consoleDb } from '../cloud-relay/hub/console-tables.ts';
import { type Hub, startHub } from '../cloud-relay/hub/hub.ts';
import { hubConfigSchema } from '../config/hub-schema.ts';
import { Zone } from '../core/zone.ts';
import { browser, screenshot, seriousViolations } from './helpers/browser.ts';
import { type Running, runHearth, startHearth } from './helpers/cli.ts';
import { type DayPlan, dayReadings, homeText } from './helpers/home-week.ts';
import { type Mosquitto, makePki, mosquitto, type Pki } from './helpers/mosquitto.ts';
import { freePort } from './helpers/net.ts';
import { signedAs } from './helpers/signed.ts';

const GW = 'gw-console';
const R = 'r-console';
const OTHER = { gateway: 'gw-other', resident: 'r-other' };
const Z2M_PASSWORD = 'zigbee-password-1';
const PASSWORDS = { olive: 'operator-password-1', carl: 'carer-password-1', ada: 'admin-password-1' };
const london = new Zone('Europe/London');
const DAY = 86_400_000;

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

/**
 * 15 days of a home with a bed sensor, ending yesterday: `hearth replay` makes 14 summaries, and
 * sends each night the morning it ended, the last one's too, before its day has a summary.
 */
async function realSummaries(dir: string): Promise<{ summaries: string[]; nights: string[]; last: string }> {
  const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`);
  const plans: DayPlan[] = Array.from({ length: 15 }, (_, i) => {
    const noon = today - (15 - i) * DAY;
    const bedtime = london.at(london.at(noon, '12:00', -1), i % 3 ? '22:40' : '23:30');
    const wake = london.at(noon, i % 4 ? '06:55' : '07:40');
    const trips = i % 2 ? [{ at: london.at(noon, '02:30'), minutes: 6 }] : [];
    return { date: new Date(noon).toISOString().slice(0, 10), night: { bedtime, wake, trips } };
  });
  const lines = plans
    .flatMap((p, i) => dayReadings(london, { bed: true }, p, i + 1))
    .sort((a, b) => a.at - b.at)
    .map((r) =>
      JSON.stringify({ at: new Date(r.at).toISOString(), device: r.device, kind: r.kind, value: r.value }),
    );
  writeFileSync(
    join(dir, 'week.yaml'),
    homeText({ bed: true }).replace('id: gw-sum, resident: r-sum', `id: ${GW}, resident: ${R}`),
  );
  writeFileSync(join(dir, 'week.jsonl'), lines.join('\n'));
  const last = plans[plans.length - 1] as DayPlan;
  const r = await runHearth([
    'replay',
    '--config',
    join(dir, 'week.yaml'),
    '--input',
    join(dir, 'week.jsonl'),
    '--until',
    `${last.date}T09:00:00Z`,
  ]);
  expect(r.code).toBe(0);
  const of = (type: string) =>
    r.output.split('\n').filter((l) => l.startsWith('{') && l.includes(`"type":"${type}"`));
  return { summaries: of('summary'), nights: of('night'), last: last.date };
}

let pki: Pki;
let broker: Mosquitto;
let hub: Hub;
let gateway: Running;
let base: string;
let localPort: number;
let dir: string;
/** The morning the replayed home's last night ended on: no day summary has it yet. */
let lastMorning: string;
/** What the carer's phone was told: POSTs to their ntfy-compatible topic. */
const pushes: { url: string; headers: Record<string, string | string[] | undefined>; body: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hearth-console-browser-'));
  later(() => rmSync(dir, { recursive: true, force: true }));
  pki = makePki(GW);
  later(() => pki.remove());
  broker = await mosquitto(pki, GW);
  later(() => broker.remove());
  await broker.start();

  // The trust's hub file, and its staff made with the real command line.
  const hubFile = join(dir, 'hub.json');
  const hubConfig = {
    version: 1,
    hub: { instance: 'console-test', timezone: 'Europe/London' },
    broker: { url: broker.url, ca: pki.ca, cert: pki.trust.cert, key: pki.trust.key },
    database: { dir: join(dir, 'hub-data') },
    web: { host: '127.0.0.1', port: 0 },
    homes: { expected: [{ gateway: GW, resident: R }, OTHER] },
  };
  writeFileSync(hubFile, JSON.stringify(hubConfig));
  const ntfy = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      pushes.push({ url: req.url ?? '', headers: req.headers, body });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => ntfy.listen(0, '127.0.0.1', () => r()));
  later(() => new Promise((r) => ntfy.close(() => r(undefined))));
  const carlTopic = `http://127.0.0.1:${(ntfy.address() as AddressInfo).port}/carl-7f3a`;
  for (const [name, role, residents, push] of [
    ['olive', 'operator', [], []],
    ['carl', 'carer', [R], ['--push', carlTopic]],
    ['ada', 'admin', [], []],
  ] as const) {
    const r = await runHearth(
      [
        'hub',
        'user',
        'add',
        name,
        '--role',
        role,
        ...residents.flatMap((x) => ['--resident', x]),
        ...push,
        '--password-env',
        'HEARTH_NEW_PASSWORD',
        '--config',
        hubFile,
      ],
      { HEARTH_NEW_PASSWORD: PASSWORDS[name] },
    );
    expect(r.output).toContain(`${name} added as ${role}`);
    expect(r.output).not.toContain(PASSWORDS[name]);
    expect(r.code).toBe(0);
  }
  hub = await startHub({
    config: hubConfigSchema.parse(hubConfig),
    configFile: hubFile,
    supervisionTimer: false,
    web: startConsole,
  });
  later(() => hub.stop());
  base = `http://127.0.0.1:${hub.webPort}`;

  // Fourteen real summaries, published as the home publishes them, before the home goes live.
  const { summaries, nights, last } = await realSummaries(dir);
  lastMorning = last;
  expect(summaries).toHaveLength(14);
  expect(nights.length).toBeGreaterThanOrEqual(14);
  const asHome = await mqtt.connectAsync(broker.url, {
    ca: readFileSync(pki.ca),
    cert: readFileSync(pki.gateway.cert),
    key: readFileSync(pki.gateway.key),
    clientId: 'summary-replayer',
    protocolVersion: 5,
  });
  // Signed as the home signs them (its certificate's key), or the hub refuses them.
  const topic = `hearth/v1/${GW}/summary`;
  for (const s of summaries) await asHome.publishAsync(topic, s, signedAs(pki.gateway)(topic, s));
  const nightTopic = `hearth/v1/${GW}/night`;
  for (const n of nights) await asHome.publishAsync(nightTopic, n, signedAs(pki.gateway)(nightTopic, n));
  await asHome.endAsync();
  await eventually('14 summaries at the hub', async () => {
    const n = await hub.store.db
      .selectFrom('summaries')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return Number(n?.n) === 14;
  });
  await eventually('the nights at the hub', async () => {
    const n = await hub.store.db
      .selectFrom('nights')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return Number(n?.n) === nights.length;
  });

  // The home: `hearth run` with a Zigbee2MQTT help button and a relay to the trust broker.
  localPort = await freePort();
  const homeFile = join(dir, 'home.json');
  writeFileSync(
    homeFile,
    JSON.stringify({
      version: 1,
      gateway: { id: GW, resident: R, timezone: 'Europe/London' },
      rooms: ['hall', 'lounge'],
      devices: [
        {
          id: 'pendant',
          source: 'zigbee2mqtt',
          topic: 'zigbee2mqtt/pendant',
          room: 'hall',
          kind: 'button',
          role: 'help-button',
        },
      ],
      rules: { help_button: {} },
      local_broker: {
        listen: [{ host: '127.0.0.1', port: localPort }],
        users: [
          {
            name: 'zigbee2mqtt',
            password: '${env:HEARTH_Z2M_PASSWORD}',
            publish: ['zigbee2mqtt/#'],
            subscribe: ['zigbee2mqtt/bridge/#'],
          },
        ],
      },
      relay: { url: broker.url, ca: pki.ca, cert: pki.gateway.cert, key: pki.gateway.key },
      storage: { path: join(dir, 'hearth.db') },
    }),
  );
  gateway = startHearth(['run', '--config', homeFile], { HEARTH_Z2M_PASSWORD: Z2M_PASSWORD });
  later(async () => {
    if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
    await gateway.exited;
  });
  await gateway.waitFor(/relay: connected to mqtts:\/\/localhost/);
  await eventually('the home online at the hub', async () => {
    const h = await hub.store.db
      .selectFrom('homes')
      .select('status')
      .where('gateway', '=', GW)
      .executeTakeFirst();
    return h?.status === 'online';
  });
}, 120_000);

async function signIn(page: Page, name: keyof typeof PASSWORDS) {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/signin/);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(PASSWORDS[name]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
}

async function accessible(page: Page, name: string) {
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
  await screenshot(page, name);
}

async function pressHelpButton() {
  const z2m = await mqtt.connectAsync({
    host: '127.0.0.1',
    port: localPort,
    username: 'zigbee2mqtt',
    password: Z2M_PASSWORD,
    reconnectPeriod: 0,
  });
  await z2m.publishAsync(
    'zigbee2mqtt/pendant',
    JSON.stringify({ action: 'single', battery: 90, linkquality: 120 }),
    { qos: 1 },
  );
  await z2m.endAsync();
}

describe('the care console in Chromium', () => {
  it('shows a help-button alert live, acknowledges it end to end, and passes axe on every page', async () => {
    const b = await browser();
    later(() => b.close());
    const page = await b.context.newPage();
    await signIn(page, 'olive');
    await page.waitForSelector('body[data-connected="1"]');
    await accessible(page, 'queue-empty');
    // Marked now: a reload would lose the mark.
    await page.evaluate('window.stayed = true');
    const pressed = Date.now();
    await pressHelpButton();
    const card = page.locator('[data-urgent]').first();
    await card.waitFor({ timeout: 15_000 });
    process.stdout.write(`console: alert shown ${Date.now() - pressed} ms after the press\n`);
    expect(await page.evaluate('window.stayed')).toBe(true);
    await expect(card.locator('.reason').textContent()).resolves.toMatch(/help/i);
    await expect(page.locator('#announce').textContent()).resolves.toMatch(/^New urgent alert: /);
    await expect(card.textContent()).resolves.toMatch(/Home gw-console.*Room hall/s);
    await accessible(page, 'queue-alert');
    // Its waiting time counts on in the page, with no reload and no notice from the hub.
    const waited = card.locator('[data-age-ms]');
    const first = await waited.textContent();
    await eventually('the waiting time to count on', async () => (await waited.textContent()) !== first);
    expect(await page.evaluate('window.stayed')).toBe(true);
    // Carl, assigned to this resident, was told on his phone, with a link to the alert.
    const alertId = (await card.getAttribute('data-alert')) ?? '';
    await eventually('the push to the carer', async () => pushes.length > 0);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({
      url: '/carl-7f3a',
      headers: {
        title: 'Hearth r-console: help button (hall)',
        priority: '5',
        click: `${base}/alerts/${GW}/${alertId}`,
      },
      body: expect.stringMatching(/help button/i),
    });

    await card.getByRole('button', { name: /Acknowledge/ }).click();
    // Back on the queue, focus on the next alert nobody has taken (none here).
    await page.waitForURL(`${base}/?focus=next`);
    const done = page.locator('[data-urgent] [data-ack="done"]');
    await done.waitFor({ timeout: 15_000 });
    await expect(done.textContent()).resolves.toMatch(
      /^Acknowledged by olive; the home confirmed at \d\d:\d\d\.$/,
    );
    await screenshot(page, 'queue-acknowledged');
    const row = await consoleDb(hub.store.db)
      .selectFrom('alerts')
      .selectAll()
      .where('gateway', '=', GW)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'acknowledged', ack_by: 'olive' });
    expect(row.ack_confirmed_at).not.toBeNull();

    await page.goto(`${base}/alerts/${GW}/${encodeURIComponent(row.alert_id)}`);
    await page.getByLabel('Add an outcome note').fill('Rang her: she pressed it by mistake, all well.');
    await page.getByRole('button', { name: 'Save note' }).click();
    // The click does not wait for the page it posts to: the note is waited for, then read.
    await page.getByText('olive: Rang her: she pressed it by mistake').waitFor();
    await accessible(page, 'alert');

    await page.goto(`${base}/residents/${R}`);
    // Last night first: sent the morning it ended, a day before its day's summary.
    await expect(page.locator('#last-night').textContent()).resolves.toMatch(
      new RegExp(
        `^Night to ${lastMorning}: to bed \\d\\d:\\d\\d, up 06:55, \\d+ h \\d\\d in bed\\. From the bed sensor\\.`,
      ),
    );
    expect(await page.locator('#nights rect').count()).toBeGreaterThanOrEqual(14);
    expect(await page.locator('#activity rect').count()).toBe(14 * 24);
    // Darker squares where the resident was busy: the plot is drawn from the figures, not a stencil.
    const fills = new Set(
      await page.locator('#activity rect').evaluateAll((rs) => rs.map((r) => r.getAttribute('fill'))),
    );
    expect(fills.size).toBeGreaterThan(2);
    await accessible(page, 'resident');
    await page.setViewportSize({ width: 390, height: 844 });
    // Nothing wider than the phone: wide tables scroll inside their own frame.
    const wide = await page.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap > *'))
      .map((e) => e.tagName + '.' + e.className)`);
    expect(wide).toEqual([]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'resident-390px');
    await page.setViewportSize({ width: 1280, height: 900 });
    // The figures are folded away under their summary line.
    await page.locator('summary', { hasText: 'Days as figures' }).click();
    const download = page.waitForEvent('download');
    await page.locator('a[download]').first().click();
    const file = await (await download).path();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ resourceType: 'Bundle' });

    await page.goto(`${base}/history`);
    await accessible(page, 'history');
    await page.goto(`${base}/homes`);
    await accessible(page, 'homes');
  }, 120_000);

  it('shows a carer only their resident, refuses another by URL, and the admin sees the refusal', async () => {
    const b = await browser();
    later(() => b.close());
    const page = await b.context.newPage();
    await signIn(page, 'carl');
    await page.goto(`${base}/homes`);
    await expect(
      page.locator('[data-home]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-home'))),
    ).resolves.toEqual([GW]);
    const refused = await page.goto(`${base}/residents/${OTHER.resident}`);
    expect(refused?.status()).toBe(403);
    await accessible(page, 'carer-refused');
    expect((await page.goto(`${base}/residents/${R}`))?.status()).toBe(200);

    const admin = await browser();
    later(() => admin.close());
    const adminPage = await admin.context.newPage();
    await signIn(adminPage, 'ada');
    await adminPage.goto(`${base}/admin/audit?q=carl`);
    const entry = adminPage.locator('tr[data-audit="view-resident"][data-outcome="refused"]');
    await expect(entry.textContent()).resolves.toContain(OTHER.resident);
    await accessible(adminPage, 'audit');
  }, 60_000);

  it('shows the gateway killed without a goodbye as silent in a queue already open, and on the homes page', async () => {
    const b = await browser();
    later(() => b.close());
    // The kinds of live notice the page hears: the card must come by the supervisor's own notice,
    // not only by a refresh the home's last will set off that happened to read after the pass.
    await b.context.addInitScript(`
      window.notices = [];
      const Source = window.EventSource;
      window.EventSource = class extends Source {
        constructor(url, o) {
          super(url, o);
          this.addEventListener('change', (e) => window.notices.push(JSON.parse(e.data).kind));
        }
      };
    `);
    const page = await b.context.newPage();
    await signIn(page, 'olive');
    // The queue is open before the home goes silent, as on a night shift; a reload would lose the mark.
    await page.waitForSelector('body[data-connected="1"]');
    expect(await page.locator('[data-hub-alert]').count()).toBe(0);
    await page.evaluate('window.stayed = true');
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    // Mosquitto publishes the home's last will; the hub stores it and supervision raises the alert.
    await eventually('the last will at the hub', async () => {
      const h = await hub.store.db
        .selectFrom('homes')
        .select('status')
        .where('gateway', '=', GW)
        .executeTakeFirst();
      return h?.status === 'offline';
    });
    // The supervisor's own pass (hub.ts: its onChange tells the open pages), not a copy of it.
    await page.evaluate('window.notices = []');
    const pass = await hub.supervise();
    expect(pass.raised.some((k) => k.startsWith(`gateway_silent/${GW}/`))).toBe(true);
    const card = page.locator('[data-hub-alert]').first();
    await card.waitFor({ timeout: 15_000 });
    await expect(card.textContent()).resolves.toMatch(/gw-console .*silent since/);
    await page.waitForFunction("window.notices.includes('alert')");
    expect(await page.evaluate('window.stayed')).toBe(true);
    expect(page.url()).toBe(`${base}/`);
    await screenshot(page, 'queue-silent');
    await page.goto(`${base}/homes`);
    const row = page.locator(`tr[data-home="${GW}"]`);
    await expect(row.getAttribute('data-state')).resolves.toBe('silent');
    // Silent first: it heads the table.
    await expect(page.locator('tr[data-home]').first().getAttribute('data-home')).resolves.toBe(GW);
    await accessible(page, 'homes-silent');
  }, 60_000);
});
