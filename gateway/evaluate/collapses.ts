// Simulated collapses: seeded instants by day and by night, and what the times to detect them
// add up to. Pure: the same seed gives the same instants on any machine.
import { seededRandom } from '../../core/random.ts';
import type { Zone } from '../../core/zone.ts';

export type Sample = {
  at: number;
  period: 'day' | 'night';
  /** Minutes from the instant to the first alert a carer must act on; null: none within a day. */
  detectedAfterMin: number | null;
  rule: string | null;
};

export type Detection = {
  n: number;
  meanMin: number | null;
  medianMin: number | null;
  p90Min: number | null;
  /** Not detected within 12 h, and within 24 h. */
  missed12h: number;
  missed24h: number;
};

/** By day: 07:00 to 22:00 local. */
const isDay = (t: number, zone: Zone) => {
  const m = zone.minuteOfDay(t);
  return m >= 7 * 60 && m < 22 * 60;
};

export function collapseInstants(o: {
  from: number;
  to: number;
  perPeriod: number;
  seed: number;
  zone: Zone;
  /** Instants that cannot be a collapse at home (she was out). */
  excluded: (t: number) => boolean;
}): { at: number; period: 'day' | 'night' }[] {
  const random = seededRandom(o.seed);
  const want = { day: o.perPeriod, night: o.perPeriod };
  const out: { at: number; period: 'day' | 'night' }[] = [];
  for (let tries = 0; tries < o.perPeriod * 200 && (want.day > 0 || want.night > 0); tries++) {
    const at = Math.floor(o.from + random() * (o.to - o.from));
    const period = isDay(at, o.zone) ? 'day' : 'night';
    if (want[period] === 0 || o.excluded(at)) continue;
    want[period]--;
    out.push({ at, period });
  }
  return out.sort((a, b) => a.at - b.at);
}

const quantile = (sorted: readonly number[], q: number): number | null =>
  sorted.length === 0 ? null : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);

/** The figures of a set of samples; an undetected one counts as 24 h in the mean. */
export function detection(samples: readonly Sample[]): Detection {
  const minutes = samples.map((s) => s.detectedAfterMin ?? 24 * 60).sort((a, b) => a - b);
  return {
    n: samples.length,
    meanMin: minutes.length ? minutes.reduce((a, b) => a + b, 0) / minutes.length : null,
    medianMin: quantile(minutes, 0.5),
    p90Min: quantile(minutes, 0.9),
    missed12h: samples.filter((s) => s.detectedAfterMin === null || s.detectedAfterMin > 12 * 60).length,
    missed24h: samples.filter((s) => s.detectedAfterMin === null).length,
  };
}
