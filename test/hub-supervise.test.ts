// Supervision decided from what the store holds and the time now, without a database: each
// check raises with a reason a carer reads, once per episode, and resolves when the home is well.
import type { Selectable } from 'kysely';
import { describe, expect, it } from 'vitest';
import { type SupervisionLimits, supervise } from '../cloud-relay/hub/supervision-checks.ts';
import type { HomesTable } from '../cloud-relay/hub/tables.ts';
import type { TestCallSummary } from '../cloud-relay/hub/test-calls.ts';

type Home = Selectable<HomesTable>;

const T0 = Date.parse('2026-07-01T13:00:00Z'); // 14:00 in London (summer time)
const MIN = 60_000;
const LIMITS: SupervisionLimits = {
  silentAfter: 3,
  clockSkewMs: 5 * MIN,
  undeliveredAfterMs: 10 * MIN,
  queueGrowing: 5,
  night: { from: 22, to: 7 },
  timezone: 'Europe/London',
  testMissingAfterMs: 26 * 60 * MIN,
};

const home = (over: Partial<Home> = {}): Home => ({
  gateway: 'gw-1',
  resident: 'r-1',
  expected: 1,
  heartbeat_ms: MIN,
  first_known_at: T0 - 60 * MIN,
  status: 'online',
  status_at: T0 - 30 * MIN,
  hearth_version: '0.1.0',
  queue_depth: 0,
  queue_growth: 0,
  oldest_undelivered_alert_s: null,
  storage_fault: null,
  last_heartbeat_at: T0,
  last_seen_at: T0,
  clock_skew_ms: 0,
  clock_skew_count: 0,
  ...over,
});

describe('supervision', () => {
  it('says nothing about a healthy home', () => {
    expect(supervise([home()], [], T0 + 30_000, LIMITS)).toEqual({ raise: [], resolve: [] });
  });

  it('raises a late heartbeat as "silent since" in local time, high by day', () => {
    const d = supervise(
      [home({ last_heartbeat_at: T0 - 3 * MIN, last_seen_at: T0 - 3 * MIN })],
      [],
      T0,
      LIMITS,
    );
    expect(d.raise).toEqual([
      expect.objectContaining({
        kind: 'gateway_silent',
        severity: 'high',
        reason: 'Gateway gw-1 (resident r-1) silent since 13:57.',
      }),
    ]);
  });

  it('raises an undeliverable alert, failing storage, a growing queue and a clock out of step', () => {
    const d = supervise(
      [
        home({
          oldest_undelivered_alert_s: 900,
          storage_fault: 'SQLITE_FULL (12 readings and 1 messages held in memory)',
          queue_growth: 5,
          queue_depth: 420,
          clock_skew_ms: -7 * MIN,
        }),
      ],
      [],
      T0,
      LIMITS,
    );
    expect(d.raise.map((r) => [r.kind, r.reason])).toEqual([
      ['alert_undelivered', 'Gateway gw-1 reports an alert it has not delivered for 15 min.'],
      [
        'storage_failing',
        "Gateway gw-1's storage is failing (SQLITE_FULL (12 readings and 1 messages held in memory)); its alerts still arrive, but a restart now would lose what it holds in memory.",
      ],
      ['queue_growing', "Gateway gw-1's queue has grown for 5 heartbeats in a row (420 waiting)."],
      ['clock_skew', "Gateway gw-1's clock is 7 min behind the hub's."],
    ]);
  });

  it('raises nothing twice and resolves what is open once the home is well', () => {
    const open = [
      {
        key: 'gateway_silent/gw-1/1',
        gateway: 'gw-1',
        kind: 'gateway_silent',
        severity: 'high',
        reason: '',
        raised_at: T0,
        raised_by: 'a',
        resolved_at: null,
        ack_by: null,
        ack_at: null,
      },
    ];
    expect(supervise([home({ status: 'offline' })], open, T0, LIMITS)).toEqual({ raise: [], resolve: [] });
    expect(supervise([home()], open, T0, LIMITS).resolve).toEqual([
      { gateway: 'gw-1', kind: 'gateway_silent' },
    ]);
  });

  it('raises "daily test missing" for a home whose test calls have not completed in time, and only for one that makes them', () => {
    const H = 60 * MIN;
    const test = (over: Partial<TestCallSummary> = {}): TestCallSummary => ({
      gateway: 'gw-1',
      firstAt: T0 - 10 * 24 * H,
      lastAt: T0 - 24 * H,
      goodAt: T0 - 24 * H,
      goodConfirmedAt: T0 - 24 * H + MIN,
      ...over,
    });
    const run = (t: TestCallSummary | undefined, now: number) =>
      supervise(
        [home({ last_heartbeat_at: now, last_seen_at: now })],
        [],
        now,
        LIMITS,
        new Map(t ? [['gw-1', t]] : []),
      );
    // Yesterday's call completed: fine until 26 hours after it.
    expect(run(test(), T0).raise).toEqual([]);
    expect(run(undefined, T0 + 48 * H).raise).toEqual([]);
    expect(run(test({ lastAt: T0 + H }), T0 + 2 * H + 1).raise).toEqual([
      expect.objectContaining({
        kind: 'test_missing',
        severity: 'high',
        key: `test_missing/gw-1/${T0 - 24 * H}`,
        reason:
          "Daily test call missing from gateway gw-1 (resident r-1): its last complete one was stored Tue 14:00; the latest, Wed 15:00, was not acknowledged and confirmed. Check the home's link to the trust.",
      }),
    ]);
    // Never complete since the first: from the first one.
    const never = run(test({ goodAt: null, goodConfirmedAt: null, firstAt: T0, lastAt: T0 }), T0 + 26 * H);
    expect(never.raise[0]?.reason).toMatch(/none of its test calls has completed since the first, Wed 14:00/);
  });
});
