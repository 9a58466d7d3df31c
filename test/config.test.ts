import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchema } from '../config/json-schema.ts';
import { loadConfig } from '../config/load.ts';
import { parseConfigText } from '../config/parse.ts';
import { formatDuration, isTopicFilter, minutesOfDay, parseDuration } from '../config/values.ts';
import { hhmmOf } from '../core/zone.ts';
import { hasShared, sharedPath } from './helpers/shared.ts';

const example = (name: string) => new URL(`../config/examples/${name}`, import.meta.url).pathname;

describe('the reference provisioning file', () => {
  it.skipIf(!hasShared)('is accepted exactly as it is (../shared/examples/home.yaml)', () => {
    const r = loadConfig(sharedPath('examples/home.yaml'), { strictRefs: false });
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(r.config?.devices).toHaveLength(14);
  });

  it.skipIf(!hasShared)('is copied into the project unchanged but for the editor schema line', () => {
    const copy = readFileSync(example('home.yaml'), 'utf8');
    const original = readFileSync(sharedPath('examples/home.yaml'), 'utf8');
    expect(copy).toBe(`# yaml-language-server: $schema=../schema.json\n${original}`);
  });

  it('config/examples/home.yaml is valid, with defaults filled in from the schema', () => {
    const r = loadConfig(example('home.yaml'), { strictRefs: false });
    expect(r.config).toBeDefined();
    const c = r.config;
    expect(c?.rules.inactivity?.windows).toEqual([
      { from: '07:00', to: '22:00', quiet: 3 * 3_600_000 },
      { from: '22:00', to: '07:00', quiet: null },
    ]);
    expect(c?.devices.find((d) => d.id === 'bedroom-radar')).toMatchObject({
      baud: 256000,
      kind: 'presence',
    });
    expect(c?.schedules.heartbeat).toBe(60_000);
    expect(c?.storage.keep_events).toBe(30 * 86_400_000);
    // Unresolvable references are warnings for check-config, errors for run.
    expect(r.problems.map((p) => [p.severity, p.path.join('.')])).toEqual([
      ['warning', 'devices.10.bindkey'],
      ['warning', 'local_broker.users.0.password'],
    ]);
    const strict = loadConfig(example('home.yaml'), { strictRefs: true, env: {} });
    expect(strict.config).toBeUndefined();
    expect(strict.problems.every((p) => p.severity === 'error')).toBe(true);
  });

  it('config/examples/demo.yaml is valid (the demo sets its secrets and trust itself)', () => {
    const env = {
      HEARTH_DEMO_Z2M_PASSWORD: 'x',
      HEARTH_DEMO_RELAY_PASSWORD: 'y',
      HEARTH_DEMO_PENDANT_KEY: '231d39c1d7cc1ab1aee224cd096db932',
    };
    const r = loadConfig(example('demo.yaml'), { strictRefs: true, env });
    expect(r.config).toBeDefined();
    expect(r.problems.map((p) => `${p.severity} ${p.path.join('.')}`)).toEqual(['warning relay.url']);
  });

  it('config/schema.json is the schema generated from the zod schema (run npm run schema)', () => {
    const committed = JSON.parse(readFileSync(new URL('../config/schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(jsonSchema());
  });
});

describe('values', () => {
  it('parses durations, compound ones included, and refuses what is not one', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('30d')).toBe(2_592_000_000);
    for (const bad of ['3hrs', '-5m', '10', '', 'h', '1.5h', '3 h'])
      expect(parseDuration(bad)).toBeUndefined();
    expect(formatDuration(11_400_000)).toBe('3 h 10 m');
    // Under a minute in seconds, never rounded up to a minute it did not last.
    expect([20_000, 40_000, 59_400, 59_600, 60_000].map(formatDuration)).toEqual([
      '20 s',
      '40 s',
      '59 s',
      '1 m',
      '1 m',
    ]);
  });
  it('reads local times and MQTT topic filters', () => {
    expect(minutesOfDay('07:30')).toBe(450);
    // And back: a median of mornings may fall between two minutes (659.7 is 11:00, not 10:00).
    expect(hhmmOf(450)).toBe('07:30');
    expect(hhmmOf(659.7)).toBe('11:00');
    expect(hhmmOf(1439.6)).toBe('00:00');
    expect(isTopicFilter('zigbee2mqtt/+/set')).toBe(true);
    expect(isTopicFilter('zigbee2mqtt/#')).toBe(true);
    expect(isTopicFilter('zigbee2mqtt/#/x')).toBe(false);
    expect(isTopicFilter('a/b+')).toBe(false);
  });
});

describe('problems carry the line and column of what is wrong', () => {
  const base = readFileSync(example('demo.yaml'), 'utf8');
  it('points at a misspelt key itself, with a suggestion', () => {
    const text = base.replace('  not_up:', '  not_upp:');
    const line = text.split('\n').findIndex((l) => l.includes('not_upp')) + 1;
    const [p] = parseConfigText(text).problems;
    expect(p).toMatchObject({ line, col: 3, path: ['rules', 'not_upp'] });
    expect(p?.message).toMatch(/did you mean "not_up"/);
  });
  it('lists every problem at once, schema and cross-field alike', () => {
    const text = base
      .replace('timezone: Europe/London', 'timezone: Mars/Olympus')
      .replace('room: kitchen }', 'room: kitchn }');
    const r = parseConfigText(text);
    const errors = r.problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => p.path.join('.'))).toEqual(['gateway.timezone', 'devices.1.room']);
    expect(errors[1]?.message).toMatch(/did you mean "kitchen"/);
  });
  it('refuses a rule that names a device the file does not have', () => {
    const text = base.replace('    after: 30m\n', '    after: 30m\n    device: bed-pda\n');
    const [p] = parseConfigText(text).problems;
    expect(p).toMatchObject({ path: ['rules', 'night_out_of_bed', 'device'] });
    expect(p?.message).toMatch(/unknown device "bed-pda" \(did you mean "bed-pad"\?\)/);
  });
});
