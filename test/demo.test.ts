// `hearth demo --speed max --json`: the demo home's day and night, checked event by event.
import { describe, expect, it } from 'vitest';
import type { SummaryMessage } from '../cloud-relay/protocol/messages.ts';
import { runHearth, startHearth } from './helpers/cli.ts';

type Ev = {
  kind: string;
  at: string;
  rule?: string;
  state?: string;
  date?: string;
  text?: string;
  summary?: SummaryMessage;
};

describe('hearth demo', () => {
  it('plays the scripted day: a walk out, the help pendant, prompt answered, alert raised, acknowledged and resolved, a cold evening, a night out of bed, the summaries', async () => {
    const r = await runHearth(['demo', '--speed', 'max', '--json']);
    expect(r.code).toBe(0);
    const events = r.output
      .split('\n')
      .filter((l) => l.startsWith('{"kind"'))
      .map((l) => JSON.parse(l) as Ev);
    const alerts = events.filter((e) => e.kind === 'alert').map((e) => `${e.at} ${e.rule} ${e.state}`);
    expect(alerts).toEqual([
      'Wed 11:40 help_button raised',
      'Wed 11:45 help_button acknowledged',
      'Wed 11:52 help_button resolved',
      'Wed 15:40 inactivity pre-alert',
      'Wed 15:43 inactivity cancelled',
      'Wed 19:20 cold_home raised',
      'Wed 19:25 inactivity pre-alert',
      'Wed 19:25 cold_home acknowledged',
      'Wed 19:35 inactivity raised',
      'Wed 19:40 inactivity acknowledged',
      'Wed 20:05 inactivity resolved',
      'Wed 20:51 cold_home resolved',
      'Thu 04:00 night_out_of_bed raised',
      'Thu 04:05 night_out_of_bed acknowledged',
      'Thu 04:40 night_out_of_bed resolved',
    ]);
    // The prompt reached the Firmata board's buzzer over its serial port, once per prompt.
    expect(
      events.filter((e) => e.kind === 'scene' && /chime sounds/.test(String(e.text))).map((e) => e.at),
    ).toEqual(['Wed 15:40', 'Wed 19:25']);
    const summaries = events.filter((e) => e.kind === 'summary');
    expect(summaries.map((s) => s.date)).toEqual(['2026-01-14', '2026-01-15']);
    const [day, night] = summaries.map((s) => s.summary as SummaryMessage);
    expect(day?.sleep).toMatchObject({ source: 'bed', wake: '2026-01-14T07:10:00+00:00' });
    expect(day?.activity.kitchen.fridge_opened).toBe(1);
    // Six lounge motions, the "I'm OK" press, and six armchair changes through the serial driver.
    expect(day?.activity.per_room).toContainEqual({ room: 'lounge', count: 13 });
    // Out from the door closing to the door opening: the wrist tag, heard over BLE, went with her.
    expect(day?.activity.away).toEqual([
      { from: '2026-01-14T10:21:00+00:00', to: '2026-01-14T11:14:00+00:00' },
    ]);
    expect(day?.activity.out_of_home_min).toBe(53);
    expect(day?.activity.temperature).toEqual([expect.objectContaining({ room: 'lounge', min: 14.6 })]);
    expect(night?.sleep).toMatchObject({
      source: 'bed',
      bedtime: '2026-01-14T22:05:00+00:00',
      wake: '2026-01-15T07:05:00+00:00',
      bathroom_visits: 1,
    });
    expect(night?.sleep.out_of_bed).toMatchObject({ count: 2, longest_min: 70 });
  });

  it('stops cleanly on Ctrl-C', async () => {
    const demo = startHearth(['demo', '--speed', '60']);
    await demo.waitFor(/Asleep in bed/);
    demo.child.kill('SIGINT');
    expect((await demo.exited).code).toBe(0);
  });

  it('refuses bad options with exit 2', async () => {
    const r = await runHearth(['demo', '--days', 'many']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/--days many: a whole number of days from 1 to 14/);
  });
});
