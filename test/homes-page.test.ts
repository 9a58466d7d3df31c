// The homes page's daily-test and care-mode cells, as a pure function of the rows: a last test the
// home did not confirm says so beside the last good one; a care mode is shown while it holds and
// not once it is off, ended or refused; a silent home, or a missing test, whose alert was closed
// with an outcome is handled, not an open problem.
import { describe, expect, it } from 'vitest';
import type { Home } from '../cloud-relay/hub/console/data.ts';
import { type ModeShown, modeNow } from '../cloud-relay/hub/console/mode-form.ts';
import { arrange, homeRows, homesContent } from '../cloud-relay/hub/console/pages/homes.ts';
import type { TestCallSummary } from '../cloud-relay/hub/test-calls.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const HOUR = 3_600_000;
const home = (gateway: string): Home => ({
  gateway,
  resident: `r-${gateway}`,
  expected: 1,
  heartbeat_ms: 60_000,
  first_known_at: T0 - 48 * HOUR,
  status: 'online',
  status_at: T0 - HOUR,
  hearth_version: '0.1.0',
  queue_depth: 0,
  queue_growth: 0,
  oldest_undelivered_alert_s: null,
  storage_fault: null,
  last_heartbeat_at: T0 - 60_000,
  last_seen_at: T0 - 60_000,
  clock_skew_ms: 0,
  clock_skew_count: 0,
});
const mode = (m: Partial<ModeShown>): ModeShown => ({
  mode: 'away',
  until: '2026-03-03T18:00:00+00:00',
  by: 'carl',
  sentAt: T0 - HOUR,
  state: 'confirmed',
  detail: null,
  ...m,
});

describe('the homes page', () => {
  it('shows the last daily test, confirmed or not, and the care mode', () => {
    const tests = new Map<string, TestCallSummary>([
      [
        'gw-a',
        {
          gateway: 'gw-a',
          firstAt: T0 - 48 * HOUR,
          lastAt: T0 - HOUR,
          goodAt: T0 - HOUR,
          goodConfirmedAt: T0 - HOUR + 9_000,
        },
      ],
      [
        'gw-b',
        {
          gateway: 'gw-b',
          firstAt: T0 - 48 * HOUR,
          lastAt: T0 - HOUR,
          goodAt: T0 - 25 * HOUR,
          goodConfirmedAt: T0 - 25 * HOUR,
        },
      ],
      [
        'gw-c',
        { gateway: 'gw-c', firstAt: T0 - HOUR, lastAt: T0 - HOUR, goodAt: null, goodConfirmedAt: null },
      ],
    ]);
    const modes = new Map([
      ['gw-a', modeNow(mode({}), T0)],
      ['gw-b', modeNow(mode({ mode: 'visitor', state: 'sent' }), T0)],
    ]);
    const rows = homeRows(['gw-a', 'gw-b', 'gw-c', 'gw-d'].map(home), [], new Map(), tests, modes);
    const page = homesContent(rows, 4, T0, 'Europe/London').toString();
    const cells = (gw: string) =>
      new RegExp(
        `data-home="${gw}"[\\s\\S]*?<td data-test="([^"]*)">([\\s\\S]*?)</td>\\n<td data-mode="([^"]*)">([\\s\\S]*?)</td>`,
      )
        .exec(page)
        ?.slice(1);
    expect(cells('gw-a')).toEqual([
      'ok',
      'confirmed 2 Mar, 09:00',
      'away',
      '<strong>away</strong> (confirmed)',
    ]);
    expect(cells('gw-b')).toEqual([
      'unconfirmed',
      'sent 2 Mar, 09:00, not confirmed; last good 1 Mar, 09:00',
      'visitor',
      '<strong>visitor</strong> (pending)',
    ]);
    expect(cells('gw-c')).toEqual([
      'unconfirmed',
      'sent 2 Mar, 09:00, not confirmed; last good none yet',
      'none',
      '<span class="muted">none</span>',
    ]);
    expect(cells('gw-d')).toEqual(['ok', '–', 'none', '<span class="muted">none</span>']);
  });

  it('takes a care mode as holding only until it is off, ended or refused', () => {
    expect(modeNow(null, T0)).toBeNull();
    expect(modeNow(mode({ mode: 'off', until: null }), T0)).toBeNull();
    expect(modeNow(mode({ state: 'failed' }), T0)).toBeNull();
    expect(modeNow(mode({ until: '2026-03-02T09:59:00+00:00' }), T0)).toBeNull();
    expect(modeNow(mode({ state: 'unconfirmed' }), T0)).toEqual({ mode: 'away', note: 'not confirmed' });
  });

  it('shows a silent home whose alert was closed with an outcome as handled, after the open problems', () => {
    const hubAlert = (kind: string, gateway: string) => ({
      key: `${kind}/${gateway}/1`,
      gateway,
      kind,
      severity: 'urgent',
      reason: `${kind} at ${gateway}`,
      raised_at: T0 - HOUR,
      raised_by: 'hub-a',
      resolved_at: null,
      ack_by: null,
      ack_at: null,
    });
    const silent = (gw: string) => ({ ...home(gw), status: 'offline', last_seen_at: T0 - 2 * HOUR });
    const tests = new Map<string, TestCallSummary>([
      [
        'gw-c',
        {
          gateway: 'gw-c',
          firstAt: T0 - 48 * HOUR,
          lastAt: T0 - 26 * HOUR,
          goodAt: null,
          goodConfirmedAt: null,
        },
      ],
    ]);
    const rows = homeRows(
      [silent('gw-a'), silent('gw-b'), home('gw-c')],
      [
        hubAlert('gateway_silent', 'gw-a'),
        hubAlert('gateway_silent', 'gw-b'),
        hubAlert('test_missing', 'gw-c'),
      ],
      new Map(),
      tests,
      new Map(),
      new Map([
        ['gateway_silent/gw-a/1', { staff: 'olive', outcome: 'Responder sent' }],
        ['test_missing/gw-c/1', { staff: 'olive', outcome: 'Technical fault' }],
      ]),
    );
    const by = (gw: string) => rows.find((r) => r.gateway === gw);
    expect(by('gw-a')).toMatchObject({ state: 'silent', silent: false, handled: { staff: 'olive' } });
    expect(by('gw-b')).toMatchObject({ state: 'silent', silent: true, handled: null });
    expect(by('gw-c')).toMatchObject({ state: 'online', silent: false, testMissing: false });
    const order = (only: string) => arrange(rows, { sort: 'state', q: '', only }).map((r) => r.gateway);
    expect(order('')).toEqual(['gw-b', 'gw-a', 'gw-c']);
    // Still silent: the filter for silent homes shows it, the one for online homes does not.
    expect(order('silent')).toEqual(['gw-b', 'gw-a']);
    expect(order('online')).toEqual(['gw-c']);
    const page = homesContent(rows, 3, T0, 'Europe/London').toString();
    expect(page).toContain(
      '<strong>1 silent or offline</strong>; 1 silent but handled (closed with an outcome).',
    );
    expect(page).toContain('silent, handled</span> closed by olive: Responder sent');
  });
});
