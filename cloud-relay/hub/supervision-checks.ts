// Supervision of the homes, decided purely from what the store holds and the time now: a
// gateway silent (its last will, or heartbeats late), an alert it cannot deliver, its storage
// failing, a queue that keeps growing, a clock out of step, no complete daily test call in time.
// Each raise carries a key every instance computes alike.
import type { Selectable } from 'kysely';
import { zoneNamed } from '../../core/zone.ts';
import type { HubAlertDraft } from './store.ts';
import type { HomesTable, HubAlertsTable } from './tables.ts';
import type { TestCallSummary } from './test-calls.ts';

export type SupervisionLimits = {
  silentAfter: number;
  clockSkewMs: number;
  undeliveredAfterMs: number;
  queueGrowing: number;
  night: { from: number; to: number };
  timezone: string;
  /** A home that has made test calls with none complete for this long: "daily test missing". */
  testMissingAfterMs: number;
};

export type Decision = { raise: HubAlertDraft[]; resolve: { gateway: string; kind: string }[] };

type Home = Selectable<HomesTable>;
type Check = {
  kind: string;
  when: (
    h: Home,
    now: number,
    l: SupervisionLimits,
    test: TestCallSummary | undefined,
  ) => Omit<HubAlertDraft, 'gateway' | 'kind'> | null;
};

/** "02:10" in the hub's time zone. */
const localClock = (ms: number, timezone: string): string => zoneNamed(timezone).hm(ms);

function isNight(ms: number, l: SupervisionLimits): boolean {
  const { hour } = zoneNamed(l.timezone).parts(ms);
  return l.night.from > l.night.to
    ? hour >= l.night.from || hour < l.night.to
    : hour >= l.night.from && hour < l.night.to;
}

const mins = (ms: number) => `${Math.round(ms / 60_000)} min`;

/** "Tue 10:31" in the hub's time zone. */
const dayClock = (ms: number, timezone: string): string => {
  const day = new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone: timezone }).format(ms);
  return `${day} ${localClock(ms, timezone)}`;
};

const CHECKS: Check[] = [
  {
    kind: 'gateway_silent',
    when(h, now, l) {
      const lastHeard = h.last_heartbeat_at ?? h.first_known_at;
      const late = now - lastHeard >= l.silentAfter * h.heartbeat_ms;
      const offline = h.status === 'offline';
      if (!late && !offline) return null;
      // Silent since it last spoke: a last will arrives when the broker finds the link dead.
      const since = offline
        ? (h.last_seen_at ?? h.status_at ?? lastHeard)
        : (h.last_seen_at ?? h.first_known_at);
      const heard =
        h.last_seen_at === null ? 'never heard from' : `silent since ${localClock(since, l.timezone)}`;
      return {
        key: `gateway_silent/${h.gateway}/${since}`,
        severity: isNight(now, l) ? 'urgent' : 'high',
        reason: `Gateway ${h.gateway} (resident ${h.resident}) ${heard}${offline ? ' (it went offline)' : ''}.`,
      };
    },
  },
  {
    kind: 'alert_undelivered',
    when(h, _now, l) {
      const s = h.oldest_undelivered_alert_s;
      if (s === null || s * 1000 < l.undeliveredAfterMs) return null;
      return {
        key: `alert_undelivered/${h.gateway}/${h.status_at ?? 0}`,
        severity: 'high',
        reason: `Gateway ${h.gateway} reports an alert it has not delivered for ${mins(s * 1000)}.`,
      };
    },
  },
  {
    kind: 'storage_failing',
    when(h) {
      if (!h.storage_fault) return null;
      return {
        key: `storage_failing/${h.gateway}/${h.status_at ?? 0}`,
        severity: 'high',
        reason: `Gateway ${h.gateway}'s storage is failing (${h.storage_fault}); its alerts still arrive, but a restart now would lose what it holds in memory.`,
      };
    },
  },
  {
    kind: 'queue_growing',
    when(h, _now, l) {
      if (h.queue_growth < l.queueGrowing) return null;
      return {
        key: `queue_growing/${h.gateway}/${h.last_heartbeat_at ?? 0}`,
        severity: 'warning',
        reason: `Gateway ${h.gateway}'s queue has grown for ${h.queue_growth} heartbeats in a row (${h.queue_depth} waiting).`,
      };
    },
  },
  {
    // Only homes that make test calls (schedules.test_call): one that never has is not missing one.
    kind: 'test_missing',
    when(h, now, l, test) {
      if (!test) return null;
      const since = test.goodAt ?? test.firstAt;
      if (now - since < l.testMissingAfterMs) return null;
      const last =
        test.goodAt === null
          ? `none of its test calls has completed since the first, ${dayClock(test.firstAt, l.timezone)}`
          : `its last complete one was stored ${dayClock(test.goodAt, l.timezone)}`;
      const latest =
        test.lastAt > since
          ? `; the latest, ${dayClock(test.lastAt, l.timezone)}, was not acknowledged and confirmed`
          : '';
      return {
        key: `test_missing/${h.gateway}/${since}`,
        severity: 'high',
        reason: `Daily test call missing from gateway ${h.gateway} (resident ${h.resident}): ${last}${latest}. Check the home's link to the trust.`,
      };
    },
  },
  {
    kind: 'clock_skew',
    when(h, _now, l) {
      const skew = h.clock_skew_ms;
      if (skew === null || Math.abs(skew) < l.clockSkewMs) return null;
      return {
        key: `clock_skew/${h.gateway}/${h.last_seen_at ?? 0}`,
        severity: 'warning',
        reason: `Gateway ${h.gateway}'s clock is ${mins(Math.abs(skew))} ${skew > 0 ? 'ahead of' : 'behind'} the hub's.`,
      };
    },
  },
];

/** What to raise and resolve now, given every home and the supervision alerts still open. */
export function supervise(
  homes: Home[],
  open: Selectable<HubAlertsTable>[],
  now: number,
  l: SupervisionLimits,
  tests: ReadonlyMap<string, TestCallSummary> = new Map(),
): Decision {
  const isOpen = new Set(open.map((a) => `${a.kind}/${a.gateway}`));
  const out: Decision = { raise: [], resolve: [] };
  for (const h of homes) {
    for (const c of CHECKS) {
      const found = c.when(h, now, l, tests.get(h.gateway));
      const already = isOpen.has(`${c.kind}/${h.gateway}`);
      if (found && !already) out.raise.push({ ...found, gateway: h.gateway, kind: c.kind });
      else if (!found && already) out.resolve.push({ gateway: h.gateway, kind: c.kind });
    }
  }
  return out;
}
