// `hearth replay` of a simulated week: the daily summaries come out at their scheduled instants,
// one a day, and their nights match the truth.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Zone } from '../core/zone.ts';
import { runHearth } from './helpers/cli.ts';
import { type DayPlan, dayReadings, homeText, type Kit } from './helpers/home-week.ts';
import { tempDir } from './helpers/tmp.ts';

const london = new Zone('Europe/London');
const MIN = 60_000;

/** Eight days of plans from 2 March 2026, each night with its own bedtime and wake. */
function week(): DayPlan[] {
  return Array.from({ length: 8 }, (_, i) => {
    const date = `2026-03-${String(2 + i).padStart(2, '0')}`;
    const bedtime = london.at(
      london.at(Date.parse(`${date}T12:00:00Z`), '12:00', -1),
      i % 2 ? '23:10' : '22:35',
    );
    const wake = london.at(Date.parse(`${date}T12:00:00Z`), i % 2 ? '07:05' : '06:40');
    const trips =
      i % 3 === 0 ? [{ at: london.at(Date.parse(`${date}T12:00:00Z`), '02:30'), minutes: 7 }] : [];
    return { date, night: { bedtime, wake, trips } };
  });
}

async function replayWeek(kit: Kit) {
  const dir = tempDir();
  const plans = week();
  const lines = plans
    .flatMap((p, i) => dayReadings(london, kit, p, i + 1))
    .sort((a, b) => a.at - b.at)
    .map((r) =>
      JSON.stringify({ at: new Date(r.at).toISOString(), device: r.device, kind: r.kind, value: r.value }),
    );
  writeFileSync(join(dir, 'home.yaml'), homeText(kit));
  writeFileSync(join(dir, 'week.jsonl'), lines.join('\n'));
  const r = await runHearth([
    'replay',
    '--config',
    join(dir, 'home.yaml'),
    '--input',
    join(dir, 'week.jsonl'),
    '--until',
    '2026-03-09T09:00:00Z',
  ]);
  expect(r.code).toBe(0);
  const summaries = r.output
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"type":"summary"'))
    .map(
      (l) =>
        JSON.parse(l) as {
          date: string;
          at: string;
          sleep: { bedtime: string | null; wake: string | null; source: string };
        },
    );
  return { plans, summaries };
}

describe('hearth replay of a simulated week', () => {
  it.each([
    { name: 'a bed sensor, within 2 minutes', kit: { bed: true }, limit: 2, source: 'bed' },
    { name: 'motion alone, within 30 minutes', kit: {}, limit: 30, source: 'motion' },
  ])('prints 7 daily summaries at 08:00, bedtime and wake from $name', async ({ kit, limit, source }) => {
    const { plans, summaries } = await replayWeek(kit);
    expect(summaries.map((s) => s.date)).toEqual(plans.slice(0, 7).map((p) => p.date));
    expect(summaries.map((s) => s.at.slice(11, 16))).toEqual(Array(7).fill('08:00'));
    for (const [i, s] of summaries.entries()) {
      const night = plans[i]?.night;
      expect(s.sleep.source).toBe(source);
      expect(Math.abs(Date.parse(s.sleep.bedtime ?? '') - (night?.bedtime ?? 0)) / MIN).toBeLessThanOrEqual(
        limit,
      );
      expect(Math.abs(Date.parse(s.sleep.wake ?? '') - (night?.wake ?? 0)) / MIN).toBeLessThanOrEqual(limit);
    }
  });
});
