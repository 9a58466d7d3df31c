// `hearth replay` as a technician or an analyst runs it: a real process, JSON lines out.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHearth } from './helpers/cli.ts';
import { hasShared, ORDONEZ_B_HOME, sharedPath } from './helpers/shared.ts';
import { tempDir } from './helpers/tmp.ts';

const DEMO = new URL('../config/examples/demo.yaml', import.meta.url).pathname;

describe('hearth replay', () => {
  it('prints every message of a simulated day as JSON lines, at the simulated instants', async () => {
    const dir = tempDir();
    const events = join(dir, 'day.jsonl');
    writeFileSync(
      events,
      [
        '{"at":"2026-03-02T07:31:00Z","device":"hall-motion","kind":"motion","value":true}',
        '{"at":"2026-03-02T08:00:00Z","device":"kitchen-motion","kind":"motion","value":true}',
        'this line is not JSON',
        '{"at":"2026-03-02T08:01:00Z","device":"neighbours-sensor","kind":"motion","value":true}',
        '{"at":"2026-03-02T11:05:00Z","device":"ok-button","value":"ok"}',
        '{"at":"2026-03-02T16:00:00Z","device":"lounge-motion","kind":"motion","value":true}',
      ].join('\n'),
    );
    const r = await runHearth([
      'replay',
      '--config',
      DEMO,
      '--input',
      events,
      '--until',
      '2026-03-02T16:30:00Z',
    ]);
    expect(r.code).toBe(0);
    const lines = r.output.split('\n').filter((l) => l.startsWith('{'));
    const msgs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(msgs.filter((m) => m.rule !== 'device_silent').map((m) => [m.at, m.rule, m.state])).toEqual([
      ['2026-03-02T11:00:00+00:00', 'inactivity', 'pre-alert'],
      ['2026-03-02T11:05:00+00:00', 'inactivity', 'cancelled'],
      ['2026-03-02T14:05:00+00:00', 'inactivity', 'pre-alert'],
      ['2026-03-02T14:15:00+00:00', 'inactivity', 'raised'],
      ['2026-03-02T14:45:00+00:00', 'inactivity', 'escalated'],
      ['2026-03-02T16:00:00+00:00', 'inactivity', 'resolved'],
    ]);
    for (const m of msgs)
      expect(Object.keys(m).slice(0, 6)).toEqual(['v', 'id', 'type', 'gateway', 'resident', 'at']);
    expect(r.output).toMatch(/day\.jsonl:3: not JSON; line skipped/);
    expect(r.output).toMatch(/day\.jsonl:4: unknown_device \(neighbours-sensor\); line skipped/);
  });

  it('refuses a missing input file and a bad --until with exit 2', async () => {
    expect((await runHearth(['replay', '--config', DEMO, '--input', '/nonexistent.jsonl'])).code).toBe(2);
    const dir = tempDir();
    writeFileSync(join(dir, 'e.jsonl'), '');
    const r = await runHearth([
      'replay',
      '--config',
      DEMO,
      '--input',
      join(dir, 'e.jsonl'),
      '--until',
      'tomorrow',
    ]);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/--until tomorrow: not an ISO 8601 time/);
  });

  it.skipIf(!hasShared)(
    'replays three weeks of a real home (Ordonez B, motion only) to the end',
    async () => {
      const dir = tempDir();
      const config = join(dir, 'home-b.yaml');
      writeFileSync(
        config,
        `${ORDONEZ_B_HOME}rules:
  inactivity:
    windows:
      - { from: "08:00", to: "23:00", quiet: 4h }
      - { from: "23:00", to: "08:00", quiet: off }
  not_up: { by: "11:00" }
`,
      );
      const r = await runHearth([
        'replay',
        '--config',
        config,
        '--input',
        sharedPath('data/sleep/events-ordonez-b.jsonl'),
      ]);
      expect(r.code).toBe(0);
      const msgs = r.output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { rule: string; state: string; alert_id: string });
      // Every alert that was raised is later resolved: a real resident's quiet afternoons end.
      const raised = new Set(msgs.filter((m) => m.state === 'raised').map((m) => m.alert_id));
      const resolved = new Set(msgs.filter((m) => m.state === 'resolved').map((m) => m.alert_id));
      expect([...raised].filter((id) => !resolved.has(id))).toEqual([]);
      expect(raised.size).toBeLessThan(10);
    },
  );
});
