// Homes at a glance: each gateway's supervision state (online, silent since, queue depth, last
// summary, last daily test call and whether the home confirmed it, its care mode, devices silent
// or low on battery), sortable and filterable; a silent one stands out.
import type { Selectable } from 'kysely';
import type { HubAlertsTable } from '../../tables.ts';
import type { TestCallSummary } from '../../test-calls.ts';
import type { Home } from '../data.ts';
import { dayAndClock, span } from '../format.ts';
import { type Html, html } from '../html.ts';

export type HomeRow = {
  gateway: string;
  resident: string;
  state: 'online' | 'offline' | 'silent' | 'never heard' | 'not heard yet';
  /** An open problem: silent or offline, and nobody has closed its alert with an outcome. */
  silent: boolean;
  /** Its silence's alert, closed with an outcome at the console but not cleared yet: who and how; null: none. */
  handled: { staff: string; outcome: string } | null;
  lastSeen: number | null;
  queue: number | null;
  lastSummary: string | null;
  /** When the home confirmed its last complete daily test call; null: none; undefined: it makes none. */
  lastGoodTest: number | null | undefined;
  /** The last daily test call the hub stored, and whether the home confirmed it; undefined: none made. */
  lastTest: { at: number; confirmed: boolean } | undefined;
  testMissing: boolean;
  /** The care mode the home is in as far as the trust knows (mode-form.ts: modeNow); null: none. */
  mode: { mode: string; note: string } | null;
  devicesSilent: string[];
  lowBattery: string[];
  version: string | null;
};

type Trouble = { silent: { device: string }[]; low_battery: { device: string; battery: number }[] };

/**
 * One row per home, from the homes table, the supervision alerts not cleared, and the newest
 * summary. `closed`: those of them closed with an outcome at the console (calls.ts), by key with
 * who closed and the outcome's label: still so, but handled, not an open problem.
 */
export function homeRows(
  homes: Home[],
  open: Selectable<HubAlertsTable>[],
  latest: Map<string, { date: string; json: string }>,
  tests: ReadonlyMap<string, TestCallSummary> = new Map(),
  modes: ReadonlyMap<string, { mode: string; note: string } | null> = new Map(),
  closed: ReadonlyMap<string, { staff: string; outcome: string }> = new Map(),
): HomeRow[] {
  const openOf = (kind: string) =>
    new Set(open.filter((a) => a.kind === kind && !closed.has(a.key)).map((a) => a.gateway));
  const silentGw = openOf('gateway_silent');
  const testMissing = openOf('test_missing');
  const handledGw = new Map(
    open
      .filter((a) => a.kind === 'gateway_silent' && closed.has(a.key) && !silentGw.has(a.gateway))
      .map((a) => [a.gateway, closed.get(a.key) as { staff: string; outcome: string }]),
  );
  return homes.map((h) => {
    const s = latest.get(h.resident);
    let devices: Trouble = { silent: [], low_battery: [] };
    if (s) {
      try {
        devices = (JSON.parse(s.json) as { activity: { devices: Trouble } }).activity.devices;
      } catch {}
    }
    const handled = handledGw.get(h.gateway) ?? null;
    const silent = silentGw.has(h.gateway);
    const state: HomeRow['state'] =
      silent || handled
        ? h.last_seen_at === null
          ? 'never heard'
          : 'silent'
        : h.status === 'offline'
          ? 'offline'
          : h.last_seen_at === null
            ? 'not heard yet'
            : 'online';
    return {
      gateway: h.gateway,
      resident: h.resident,
      state,
      silent: silent || (h.status === 'offline' && !handled),
      handled,
      lastSeen: h.last_seen_at,
      queue: h.queue_depth,
      lastSummary: s?.date ?? null,
      lastGoodTest: tests.has(h.gateway) ? (tests.get(h.gateway)?.goodConfirmedAt ?? null) : undefined,
      lastTest: lastTestOf(tests.get(h.gateway)),
      testMissing: testMissing.has(h.gateway),
      mode: modes.get(h.gateway) ?? null,
      devicesSilent: devices.silent.map((d) => d.device),
      lowBattery: devices.low_battery.map((d) => `${d.device} (${d.battery} %)`),
      version: h.hearth_version,
    };
  });
}

export const SORTS = {
  state: 'Silent first',
  gateway: 'Home',
  resident: 'Resident',
  last_seen: 'Last heard',
  queue: 'Queue depth',
} as const;
export type Sort = keyof typeof SORTS;

/** Filtered by text and state, then sorted. Pure. */
export function arrange(rows: HomeRow[], o: { sort: Sort; q: string; only: string }): HomeRow[] {
  const q = o.q.toLowerCase();
  const kept = rows.filter(
    (r) =>
      (!q || r.gateway.toLowerCase().includes(q) || r.resident.toLowerCase().includes(q)) &&
      (o.only === 'silent'
        ? r.silent || r.handled !== null
        : o.only === 'online'
          ? !r.silent && r.handled === null
          : true),
  );
  const by: Record<Sort, (a: HomeRow, b: HomeRow) => number> = {
    state: (a, b) => Number(b.silent) - Number(a.silent) || (a.lastSeen ?? 0) - (b.lastSeen ?? 0),
    gateway: (a, b) => a.gateway.localeCompare(b.gateway),
    resident: (a, b) => a.resident.localeCompare(b.resident),
    last_seen: (a, b) => (a.lastSeen ?? 0) - (b.lastSeen ?? 0),
    queue: (a, b) => (b.queue ?? 0) - (a.queue ?? 0),
  };
  return kept.sort((a, b) => by[o.sort](a, b) || a.gateway.localeCompare(b.gateway));
}

// Green only for a home heard from: one not heard yet is not known to be well.
const stateBadge = (r: HomeRow) =>
  r.handled
    ? html`<span class="badge info">${r.state}, handled</span> closed by ${r.handled.staff}: ${r.handled.outcome}`
    : r.silent
      ? html`<span class="badge silent">${r.state}</span>`
      : r.state === 'online'
        ? html`<span class="badge ok">${r.state}</span>`
        : html`<span class="badge info">${r.state}</span>`;

const lastTestOf = (t: TestCallSummary | undefined): HomeRow['lastTest'] =>
  t && { at: t.lastAt, confirmed: t.goodAt !== null && t.goodAt === t.lastAt };

/**
 * The last daily test call: when, and confirmed or not (with the last good one when it was not),
 * and whether one is missing; a dash for a home that makes none.
 */
function testCell(r: HomeRow, tz: string): Html | string {
  if (r.lastGoodTest === undefined || !r.lastTest) return '–';
  const good = r.lastGoodTest === null ? 'none yet' : dayAndClock(r.lastGoodTest, tz);
  const last = r.lastTest.confirmed
    ? html`confirmed ${good}`
    : html`sent ${dayAndClock(r.lastTest.at, tz)}, not confirmed; last good ${good}`;
  return r.testMissing ? html`<span class="badge silent">missing</span> ${last}` : last;
}

const modeCell = (r: HomeRow): Html =>
  r.mode ? html`<strong>${r.mode.mode}</strong> (${r.mode.note})` : html`<span class="muted">none</span>`;

export function homesContent(rows: HomeRow[], total: number, now: number, tz: string): Html {
  const silent = rows.filter((r) => r.silent).length;
  const handled = rows.filter((r) => r.handled).length;
  return html`<p class="muted" id="homes-count">${rows.length} of ${total} homes shown${silent ? html`; <strong>${silent} silent or offline</strong>` : ''}${handled ? html`; ${handled} silent but handled (closed with an outcome)` : ''}.</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Homes">
<table>
<caption class="visually-hidden">Homes and their supervision state</caption>
<thead><tr><th scope="col">Home</th><th scope="col">Resident</th><th scope="col">State</th><th scope="col">Last heard</th><th scope="col">Queue</th><th scope="col">Last summary</th><th scope="col">Last daily test</th><th scope="col">Care mode</th><th scope="col">Devices</th></tr></thead>
<tbody>${rows.map(
    (
      r,
    ) => html`<tr class="${r.silent ? 'silent' : ''}" data-home="${r.gateway}" data-state="${r.state}"${r.handled ? html` data-handled="${r.handled.staff}"` : ''}>
<th scope="row">${r.gateway}</th>
<td><a href="/residents/${encodeURIComponent(r.resident)}">${r.resident}</a></td>
<td>${stateBadge(r)}</td>
<td>${r.lastSeen === null ? 'never' : html`${dayAndClock(r.lastSeen, tz)} <span class="muted">(${span(now - r.lastSeen)} ago)</span>`}</td>
<td>${r.queue ?? '–'}</td>
<td>${r.lastSummary ?? '–'}</td>
<td data-test="${r.testMissing ? 'missing' : r.lastTest && !r.lastTest.confirmed ? 'unconfirmed' : 'ok'}">${testCell(r, tz)}</td>
<td data-mode="${r.mode?.mode ?? 'none'}">${modeCell(r)}</td>
<td>${r.devicesSilent.length ? html`Silent: ${r.devicesSilent.join(', ')}` : ''}${r.devicesSilent.length && r.lowBattery.length ? html`<br>` : ''}${r.lowBattery.length ? html`Low battery: ${r.lowBattery.join(', ')}` : ''}${!r.devicesSilent.length && !r.lowBattery.length ? html`<span class="muted">all well</span>` : ''}</td>
</tr>`,
  )}</tbody></table></div>`;
}

/** `bar`: above the live region, kept across its refreshes (untaken.ts: muteBar). */
export function homesBody(
  o: { sort: Sort; q: string; only: string },
  content: Html,
  bar: Html = html``,
): Html {
  return html`<h1>Homes</h1>${bar}
<form class="toolbar" method="get" action="/homes" role="search" aria-label="Filter homes">
<div><label for="q">Home or resident</label><input type="search" id="q" name="q" value="${o.q}"></div>
<div><label for="only">Show</label><select id="only" name="only">
${[
  ['', 'All homes'],
  ['silent', 'Silent or offline'],
  ['online', 'Online'],
].map(([v, l]) => html`<option value="${v}"${o.only === v ? html` selected` : ''}>${l}</option>`)}
</select></div>
<div><label for="sort">Sort by</label><select id="sort" name="sort">
${Object.entries(SORTS).map(([v, l]) => html`<option value="${v}"${o.sort === v ? html` selected` : ''}>${l}</option>`)}
</select></div>
<div><button type="submit">Apply</button></div>
</form>
<div id="live">${content}</div>`;
}
