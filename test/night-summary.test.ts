// The night summary the morning it ends: simulated mornings replayed on a real store, the night
// sent once she has been up 30 minutes, at the latest time if she is not up (saying so), and once
// only across a restart before and after it was sent.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NightMessage, SummaryMessage } from '../cloud-relay/protocol/messages.ts';
import { createLogger } from '../core/log.ts';
import { Zone } from '../core/zone.ts';
import { replay } from '../gateway/engine/replay.ts';
import { initHomeModel } from '../gateway/home-state/model.ts';
import { Store } from '../gateway/store/store.ts';
import { nightOver, upNow } from '../gateway/summaries/night.ts';
import type { SleepSummary } from '../gateway/summaries/types.ts';
import { type DayPlan, dayReadings, homeWith, type Kit } from './helpers/home-week.ts';
import { tempDir } from './helpers/tmp.ts';

const london = new Zone('Europe/London');
const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);

/** The night ending on 3 March 2026: to bed at 22:40, up at `wake` (HH:MM). */
function morning(wake: string): DayPlan {
  return {
    date: '2026-03-03',
    night: { bedtime: at('2026-03-02T22:40:00Z'), wake: at(`2026-03-03T${wake}:00Z`), trips: [] },
  };
}

const lines = (kit: Kit, plan: DayPlan) =>
  dayReadings(london, kit, plan, 7)
    .sort((a, b) => a.at - b.at)
    .map((r) =>
      JSON.stringify({ at: new Date(r.at).toISOString(), device: r.device, kind: r.kind, value: r.value }),
    );

/** Replays the plan on the store in `dir` up to `until`, as a gateway running until then would. */
function runUntil(dir: string, kit: Kit, plan: DayPlan, until: string) {
  const nights: NightMessage[] = [];
  const summaries: SummaryMessage[] = [];
  const store = Store.open(join(dir, 'h.db'));
  try {
    replay({
      config: homeWith(kit),
      store,
      lines: lines(kit, plan),
      until: at(until),
      log: createLogger({ level: 'silent' }),
      deliver: () => {},
      summaries: true,
      deliverSummary: (m) => summaries.push(m),
      deliverNight: (m) => nights.push(m),
    });
    const queued = store.outbox.peekAfter(0, 1000).filter((r) => r.type === 'night');
    return { nights, summaries, queued };
  } finally {
    store.close();
  }
}

const minutesFrom = (iso: string | null | undefined, t: number) => Math.abs(Date.parse(iso ?? '') - t) / MIN;

describe('the night summary, the morning the night ends', () => {
  it.each([
    { name: 'a bed sensor', kit: { bed: true }, by: '08:00', within: 2 },
    // The radar sees her leave the bedroom at 07:31: up 30 minutes at the 08:05 look.
    { name: 'a bedroom radar', kit: { radar: true }, by: '08:05', within: 2 },
    { name: 'motion alone', kit: {}, by: '08:15', within: 15 },
  ])(
    'up at 07:30, the night goes out around 08:00 with its bedtime and wake ($name)',
    ({ kit, by, within }) => {
      const plan = morning('07:30');
      const { nights, summaries, queued } = runUntil(tempDir(), kit, plan, '2026-03-03T12:00:00Z');
      expect(nights).toHaveLength(1);
      const n = nights[0] as NightMessage;
      expect(n).toMatchObject({ type: 'night', date: '2026-03-03', over: true, gateway: 'gw-sum' });
      expect(n.at.slice(11, 16) >= '08:00' && n.at.slice(11, 16) <= by).toBe(true);
      expect(minutesFrom(n.sleep.bedtime, plan.night?.bedtime ?? 0)).toBeLessThanOrEqual(within);
      expect(minutesFrom(n.sleep.wake, plan.night?.wake ?? 0)).toBeLessThanOrEqual(within);
      // Queued for the trust once, on its own topic; the day before was not watched whole: no summary.
      expect(queued.map((r) => [r.topic, r.id])).toEqual([['hearth/v1/gw-sum/night', n.id]]);
      expect(summaries).toEqual([]);
    },
  );

  it('a late riser still in bed at 11:00 gets what is known then, saying the night is not over', () => {
    const { nights } = runUntil(tempDir(), { bed: true }, morning('11:40'), '2026-03-03T13:00:00Z');
    expect(nights).toHaveLength(1);
    const n = nights[0] as NightMessage;
    expect(n).toMatchObject({ date: '2026-03-03', over: false, at: '2026-03-03T11:00:00+00:00' });
    expect(n.sleep.wake).toBeNull();
    expect(minutesFrom(n.sleep.bedtime, at('2026-03-02T22:40:00Z'))).toBeLessThanOrEqual(1);
    expect(n.sleep.note).toMatch(
      /^Still in bed at 11:00 \(in bed since 22:40\): the night is not over; these are the figures known then\./,
    );
  });

  it('a restart after she got up and before the night was sent sends it once, on time', () => {
    const dir = tempDir();
    const plan = morning('07:30');
    const before = runUntil(dir, { bed: true }, plan, '2026-03-03T07:45:00Z');
    expect(before.nights).toEqual([]);
    const after = runUntil(dir, { bed: true }, plan, '2026-03-03T12:00:00Z');
    expect(after.nights.map((n) => [n.date, n.at])).toEqual([['2026-03-03', '2026-03-03T08:00:00+00:00']]);
    expect(after.queued).toHaveLength(1);
  });

  it('a restart after the night was sent sends nothing twice, even past the latest time', () => {
    const dir = tempDir();
    const plan = morning('07:30');
    const first = runUntil(dir, { bed: true }, plan, '2026-03-03T08:10:00Z');
    expect(first.nights).toHaveLength(1);
    const again = runUntil(dir, { bed: true }, plan, '2026-03-03T13:00:00Z');
    expect(again.nights).toEqual([]);
    expect(again.queued.map((r) => r.id)).toEqual([first.nights[0]?.id]);
  });
});

describe('nightOver: when the night is over', () => {
  const bedroom = 'bedroom';
  const sleep = (wake: string | null, source: SleepSummary['source'] = 'motion') =>
    ({ source, wake: wake && `2026-03-03T${wake}:00+00:00` }) as SleepSummary;
  const t = (hhmm: string) => at(`2026-03-03T${hhmm}:00Z`);
  const home = (o: Partial<ReturnType<typeof initHomeModel>>) => ({
    ...initHomeModel(),
    place: 'room' as const,
    ...o,
  });

  it('not after a visit to the bathroom at five and back to bed, without a bedroom sensor', () => {
    // Motion alone finds the "wake" at 05:10; nothing has moved since 05:15.
    const h = home({ lastLifeAt: t('05:15'), lastLifeRoom: 'bathroom', lastOutsideBedroomAt: t('05:15') });
    expect(nightOver(sleep('05:10'), h, { bedroom, now: t('05:45'), upForMs: 30 * MIN, final: false })).toBe(
      false,
    );
  });

  it('once she has been up 30 minutes and moves about; not while in bed, whatever the figures', () => {
    const h = home({ lastLifeAt: t('07:58'), lastLifeRoom: 'kitchen', lastOutsideBedroomAt: t('07:58') });
    const o = { bedroom, upForMs: 30 * MIN, final: false };
    expect(nightOver(sleep('07:30'), h, { ...o, now: t('07:55') })).toBe(false);
    expect(nightOver(sleep('07:30'), h, { ...o, now: t('08:00') })).toBe(true);
    expect(nightOver(sleep('07:30', 'bed'), { ...h, inBed: true }, { ...o, now: t('08:00') })).toBe(false);
    expect(
      upNow({ ...h, inBed: true }, { bedroom, now: t('08:00'), recentMs: 10 * MIN, bedSensor: true }),
    ).toBe(false);
  });

  it('at the latest time, up any while is over; no wake is not', () => {
    const h = home({ lastLifeAt: t('10:20'), lastLifeRoom: 'lounge', lastOutsideBedroomAt: t('10:20') });
    const o = { bedroom, now: t('11:00'), upForMs: 30 * MIN, final: true };
    expect(nightOver(sleep('10:50', 'bed'), { ...h, lastOutsideBedroomAt: t('10:52') }, o)).toBe(true);
    expect(nightOver(sleep(null), h, o)).toBe(false);
  });
});
