// The options of `hearth simulate homes`, read and checked in one place: each refusal names the
// option, what it was given and what it expects.
import { parseDuration } from '../../config/values.ts';

export type SimulateHomesOptions = {
  broker: string;
  count: string;
  heartbeat: string;
  ca?: string;
  cert?: string;
  key?: string;
  username?: string;
  passwordEnv?: string;
  alertsPerDay?: string;
  alertLasts?: string;
  burst?: string;
  burstWithin?: string;
  burstOffline?: string;
  burstAfter?: string;
  processes?: string;
  /** One process's part of a fleet run over several: "k/n" (the kth of n, from 0). */
  slice?: string;
};

export type Plan = {
  urls: string[];
  count: number;
  heartbeatMs: number;
  alertsPerDay: number;
  alertLastsMs: number;
  burst: number;
  burstWithinMs: number;
  burstOfflineMs: number;
  burstAfterMs: number;
  processes: number;
  slice?: { k: number; n: number };
};

/** Processes at most: each is a whole Node.js; more than the machine's cores gains nothing. */
export const MAX_PROCESSES = 64;
const DAY_MS = 86_400_000;

const whole = (v: string) => (/^\d+$/.test(v) ? Number(v) : Number.NaN);

export function readPlan(o: SimulateHomesOptions): Plan | string {
  const count = Number(o.count);
  if (!Number.isInteger(count) || count < 1) return `--count ${o.count}: expected a whole number, 1 or more`;
  const heartbeatMs = parseDuration(o.heartbeat);
  if (heartbeatMs === undefined || heartbeatMs < 1_000)
    return `--heartbeat ${o.heartbeat}: expected a duration of 1s or more, such as 60s`;
  const urls = o.broker.split(',');
  const bad = urls.find((u) => !/^(mqtts?|tcp|ssl|tls|wss?):\/\//.test(u));
  if (bad !== undefined) return `--broker ${bad}: expected a URL such as mqtts://broker.example:8883`;
  const perDay = o.alertsPerDay ?? '0.05';
  const alertsPerDay = /^\d+(\.\d+)?$/.test(perDay) ? Number(perDay) : Number.NaN;
  if (!(alertsPerDay <= 10_000))
    return `--alerts-per-day ${perDay}: expected a number of alert episodes a home starts a day, 0 to 10000, such as 0.05`;
  const duration = (flag: string, v: string, max: number) => {
    const ms = parseDuration(v);
    return ms === undefined || ms > max
      ? `--${flag} ${v}: expected a duration up to ${max / 3_600_000} h, such as 1m`
      : ms;
  };
  const alertLastsMs = duration('alert-lasts', o.alertLasts ?? '5m', DAY_MS);
  const burstWithinMs = duration('burst-within', o.burstWithin ?? '1m', DAY_MS);
  const burstOfflineMs = duration('burst-offline', o.burstOffline ?? '1h', DAY_MS);
  const burstAfterMs = duration('burst-after', o.burstAfter ?? '0s', DAY_MS);
  for (const d of [alertLastsMs, burstWithinMs, burstOfflineMs, burstAfterMs])
    if (typeof d === 'string') return d;
  const burst = whole(o.burst ?? '0');
  if (Number.isNaN(burst)) return `--burst ${o.burst}: expected a whole number of homes, 0 or more`;
  if (burst > count) return `--burst ${burst}: more than the ${count} homes there are (--count)`;
  const processes = whole(o.processes ?? '1');
  if (!(processes >= 1 && processes <= MAX_PROCESSES))
    return `--processes ${o.processes}: expected a whole number, 1 to ${MAX_PROCESSES}`;
  if (processes > count) return `--processes ${processes}: more than the ${count} homes there are (--count)`;
  const m = o.slice === undefined ? null : /^(\d+)\/(\d+)$/.exec(o.slice);
  if (o.slice !== undefined && !(m && Number(m[1]) < Number(m[2]) && Number(m[2]) <= count))
    return `--slice ${o.slice}: expected k/n, the kth of n processes`;
  return {
    urls,
    count,
    heartbeatMs,
    alertsPerDay,
    alertLastsMs: alertLastsMs as number,
    burst,
    burstWithinMs: burstWithinMs as number,
    burstOfflineMs: burstOfflineMs as number,
    burstAfterMs: burstAfterMs as number,
    processes,
    ...(m ? { slice: { k: Number(m[1]), n: Number(m[2]) } } : {}),
  };
}

/** The kth of n processes' homes, and its part of the burst: contiguous numbers, shares as even as can be. */
export function sliceOf(p: Pick<Plan, 'count' | 'burst'>, k: number, n: number) {
  const at = (total: number, j: number) => Math.floor((total * j) / n);
  const first = at(p.count, k) + 1;
  const count = at(p.count, k + 1) - at(p.count, k);
  return { first, count, burst: Math.min(count, at(p.burst, k + 1) - at(p.burst, k)) };
}
