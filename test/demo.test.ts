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
  reason?: string;
};

describe('hearth demo', () => {
  it('plays the scripted day: a walk out, the help pendant, a nap in the armchair, prompt answered, a fall in the bathroom raised, acknowledged and resolved, a cold evening, a night out of bed, the summaries', async () => {
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
      'Wed 19:20 inactivity pre-alert',
      'Wed 19:20 cold_home raised',
      'Wed 19:23 inactivity cancelled',
      'Wed 19:25 cold_home acknowledged',
      'Wed 20:49 cold_home resolved',
      'Wed 21:10 inactivity pre-alert',
      'Wed 21:20 inactivity raised',
      'Wed 21:25 inactivity acknowledged',
      'Wed 21:40 inactivity resolved',
      'Thu 03:50 night_out_of_bed pre-alert',
      'Thu 04:00 night_out_of_bed raised',
      'Thu 04:05 night_out_of_bed acknowledged',
      'Thu 04:40 night_out_of_bed resolved',
    ]);
    // The prompt reached the Firmata board's buzzer over its serial port, once per prompt: the night
    // out of bed is asked in its last ten minutes too.
    expect(
      events.filter((e) => e.kind === 'scene' && /chime sounds/.test(String(e.text))).map((e) => e.at),
    ).toEqual(['Wed 19:20', 'Wed 21:10', 'Thu 03:50']);
    // Three hours asleep in the armchair is no alarm; three on the sofa, where no pad sees her, is a
    // prompt; the radar's republished presence in the bathroom is her there, still, and said so.
    const reasons = events.filter((e) => e.kind === 'alert' && e.rule === 'inactivity').map((e) => e.reason);
    expect(reasons[0]).toMatch(/^No sign of life since 16:20 \(3 h\), last seen in the lounge;/);
    expect(reasons[3]).toBe(
      'In the bathroom since 19:40 (1 h 40 m): someone is there but nothing has moved; the prompt was not answered.',
    );
    const summaries = events.filter((e) => e.kind === 'summary');
    expect(summaries.map((s) => s.date)).toEqual(['2026-01-14', '2026-01-15']);
    const [day, night] = summaries.map((s) => s.summary as SummaryMessage);
    expect(day?.sleep).toMatchObject({ source: 'bed', wake: '2026-01-14T07:10:00+00:00' });
    expect(day?.activity.kitchen.fridge_opened).toBe(1);
    // Five lounge motions, the "I'm OK" press, and four armchair changes through the serial driver.
    expect(day?.activity.per_room).toContainEqual({ room: 'lounge', count: 10 });
    // Four bathroom motions and the radar seeing her come: its republished presence counts once.
    expect(day?.activity.per_room).toContainEqual({ room: 'bathroom', count: 5 });
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
