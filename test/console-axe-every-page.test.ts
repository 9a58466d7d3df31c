// Every page of the care console, signed in as an admin (who may open all of them), with a
// resident who has four weeks of days, her record, an open alert and the hub's own alert about her
// home: each page answers 200, and axe-core finds no serious or critical violation on a desktop
// and on a phone. A page added to the console is added to PAGES; the test fails on a GET route of
// the console's that is neither here nor among the ones that are not pages.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildConsole } from '../cloud-relay/hub/console/app.ts';
import { sqliteTarget } from '../cloud-relay/hub/db.ts';
import { putRecord, recordDb } from '../cloud-relay/hub/records.ts';
import { recordSchema } from '../cloud-relay/hub/resident-record.ts';
import { browser, seriousViolations } from './helpers/browser.ts';
import { consoleDeps, consoleRig, folder, PASSWORD, T0 } from './helpers/console-rig.ts';
import { received } from './helpers/hub-backends.ts';
import { alert } from './helpers/hub-messages.ts';
import { storeWeeks } from './helpers/report-weeks.ts';

const HUB_KEY = 'gateway_silent/gw-1/night';

/** Each page by its route, as a path with the rig's resident, alert and day in it. */
const PAGES: Record<string, string> = {
  '/': '/',
  '/homes': '/homes',
  '/history': '/history?q=r-1',
  '/push': '/push',
  '/residents/:resident': '/residents/r-1',
  '/residents/:resident/record': '/residents/r-1/record',
  '/residents/:resident/report': '/residents/r-1/report?weeks=2',
  '/residents/:resident/erase': '/residents/r-1/erase',
  '/alerts/:gateway/:alertId': '/alerts/gw-1/a-open',
  '/hub-alert': `/hub-alert?key=${encodeURIComponent(HUB_KEY)}`,
  '/admin/audit': '/admin/audit',
  '/admin/records': '/admin/records',
  '/admin/records/:resident': '/admin/records/r-1',
  '/admin/ladders': '/admin/ladders',
  '/admin/ladders/:resident': '/admin/ladders/r-1',
  '/admin/answer-times': '/admin/answer-times',
  '/admin/screen': '/admin/screen',
  '/admin/fhir': '/admin/fhir',
};

/** GET routes that are not pages a person reads: the stream, files, downloads, the sign-in (below). */
const NOT_PAGES = [
  '/events',
  '/manifest.webmanifest',
  '/sw.js',
  '/static/console.css',
  '/static/console.js',
  '/static/icon.svg',
  '/static/push.js',
  '/residents/:resident/fhir/:date',
  '/signin',
  '/healthz',
  '/api/alerts',
];

/** The full paths of fastify's route tree as printRoutes draws it (each level indented by 4). */
function getRoutes(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^(.*?)[└├]── (\S+) \(/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    const parent = stack[depth - 1] ?? '';
    const seg = m[2] ?? '';
    const path = parent.endsWith('/')
      ? parent + seg.replace(/^\//, '')
      : `${parent}${seg.startsWith('/') ? '' : '/'}${seg}`;
    stack[depth] = path;
    stack.length = depth + 1;
    out.push(path);
  }
  return out;
}

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

async function signIn(page: Page, base: string, name: string) {
  await page.goto(`${base}/signin`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
}

describe('every page of the console', () => {
  it('is listed here, so that none is left out of the sweep below', async () => {
    const store = (await consoleRig(sqliteTarget(join(folder('hearth-axe-routes-'), 'db')))).store;
    const app = await buildConsole(consoleDeps(store, () => T0));
    await app.ready();
    const routes = getRoutes(app.printRoutes({ commonPrefix: false, method: 'GET' }));
    await app.close();
    expect(routes.length).toBeGreaterThan(20);
    const placed = [...Object.keys(PAGES), ...NOT_PAGES];
    expect(routes.filter((r) => !placed.includes(r)).sort()).toEqual([]);
  });

  it('answers and passes axe on a desktop and a phone, signed in as an admin, and the sign-in page too', {
    timeout: 180_000,
  }, async () => {
    const r = await consoleRig(sqliteTarget(join(folder('hearth-axe-every-'), 'db')));
    await storeWeeks(r.store);
    const raised = T0 - 5 * 60_000;
    await r.store.receive(
      received('hearth/v1/gw-1/alert', alert('gw-1', 'r-1', 'a-open', 'raised', raised), raised),
    );
    await r.store.raiseHubAlert(
      {
        key: HUB_KEY,
        gateway: 'gw-1',
        kind: 'gateway_silent',
        severity: 'urgent',
        reason: 'gw-1 silent since 09:40',
      },
      T0 - 60_000,
      'axe',
    );
    await putRecord(
      recordDb(r.store.db),
      recordSchema.parse({
        resident: 'r-1',
        name: 'Edith Walker',
        address: '12 Orchard Row, Leeds LS6 2AB',
        callbackPhone: '07700 900123',
        nextOfKin: [{ name: 'Jane Walker', relation: 'daughter', phone: '07700 900456' }],
        responders: [],
      }),
      'ada',
      T0,
    );
    const b = await browser();
    try {
      const page = await b.context.newPage();
      const found: string[] = [];
      for (const v of VIEWPORTS) {
        await page.setViewportSize(v);
        await page.goto(`${r.base}/signin`);
        found.push(...(await seriousViolations(page)).map((x) => `/signin (${v.name}): ${x}`));
      }
      await signIn(page, r.base, 'ada');
      for (const path of Object.values(PAGES)) {
        const res = await page.goto(`${r.base}${path}`);
        expect({ path, status: res?.status() }).toEqual({ path, status: 200 });
        for (const v of VIEWPORTS) {
          await page.setViewportSize(v);
          found.push(...(await seriousViolations(page)).map((x) => `${path} (${v.name}): ${x}`));
        }
      }
      expect(found).toEqual([]);
    } finally {
      await b.close();
    }
  });
});
