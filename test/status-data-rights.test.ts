// hearth status, export and forget through the real command line, beside a real gateway.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { runHearth, startHearth } from './helpers/cli.ts';
import { homeFile } from './helpers/home-file.ts';
import { tempDir } from './helpers/tmp.ts';

/** A kitchen sensor whose id is longer than any column a fixed width would give it. */
const LONG_ID = 'kitchen-motion-sensor-above-the-back-door';

/**
 * A gateway on the reference home that has seen the hall motion sensor once; then stopped.
 * `withBattery`: the sensor reports its battery in the same message (as a Zigbee2MQTT sensor
 * does), and the kitchen's, renamed LONG_ID, reports too.
 */
async function homeWithReading(stopAfter = true, withBattery = false) {
  const dir = tempDir();
  const home = await homeFile(dir, (t) =>
    withBattery ? t.replace('id: kitchen-motion,', `id: ${LONG_ID},`) : t,
  );
  const gw = startHearth(['run', '--config', home.file], home.env);
  await gw.waitFor(/gateway running/);
  await gw.waitFor(/database backed up/);
  const port = Number(/port: (\d+)/.exec(home.text)?.[1]);
  const z2m = await mqtt.connectAsync({
    host: '127.0.0.1',
    port,
    username: 'zigbee2mqtt',
    password: home.env.HEARTH_Z2M_PASSWORD,
  });
  await z2m.publishAsync(
    'zigbee2mqtt/hall_motion',
    JSON.stringify(withBattery ? { occupancy: true, battery: 80 } : { occupancy: true }),
  );
  if (withBattery) await z2m.publishAsync('zigbee2mqtt/kitchen_motion', JSON.stringify({ occupancy: false }));
  await z2m.endAsync();
  if (stopAfter) {
    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
  }
  return { dir, home, gw };
}

/** The lines under "last readings", up to the next heading. */
const readingLines = (out: string) => {
  const lines = out.split('\n');
  const from = lines.indexOf('last readings') + 1;
  return lines.slice(from, from + lines.slice(from).findIndex((l) => !l.startsWith('  ')));
};

/**
 * Each device's primary reading (not the battery its message also carried), the battery beside
 * it, in columns that line up past the longest id.
 */
function expectReadings(out: string): void {
  const [hall = '', kitchen = ''] = readingLines(out);
  expect(hall).toMatch(/^ {2}hall-motion +motion {2}true {3}battery 80 % {2}\d{4}-\d\d-\d\d \d\d:\d\d$/);
  expect(kitchen).toMatch(
    new RegExp(`^ {2}${LONG_ID} {2}motion {2}false {16}\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`),
  );
  expect(hall.indexOf('motion', 13)).toBe(kitchen.indexOf('motion', 13));
  expect(hall.length).toBe(kitchen.length);
}

const bytesHave = (file: string, text: string) =>
  [file, `${file}-wal`].some((f) => existsSync(f) && readFileSync(f).includes(text));

describe('hearth status', () => {
  it('asks the running gateway: sources, last readings, queue, storage, backup, clock and versions', async () => {
    const { home, gw } = await homeWithReading(false, true);
    let r = await runHearth(['status', '--config', home.file]);
    for (let i = 0; i < 50 && readingLines(r.output).length < 2; i++)
      r = await runHearth(['status', '--config', home.file]);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/^Hearth gw-0042: running/);
    expect(r.output).toMatch(/MISSING ld2410: bedroom-radar/);
    expectReadings(r.output);
    expect(r.output).toMatch(/queue +\d+ messages? waiting/);
    expect(r.output).toMatch(/storage +\S+hearth\.db \d+\.\d MB, \d+\.\d [MG]B free/);
    expect(r.output).toMatch(/last backup +\d{4}-\d\d-\d\d \d\d:\d\d +\S+backups\/hearth-\d{8}T\d{6}Z\.db/);
    expect(r.output).toMatch(
      /versions +hearth \d+\.\d+\.\d+, node 20\.\d+\.\d+, SQLite 3\.\d+\.\d+, schema \d+/,
    );
    const json = JSON.parse((await runHearth(['status', '--config', home.file, '--json'])).output);
    expect(json).toMatchObject({ running: true, report: { gateway: 'gw-0042', storage: { failing: null } } });
    expect(json.sources.length).toBeGreaterThan(0);
    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
  });

  it('reads the database file itself when the gateway is not running, says so, and leaves no file behind', async () => {
    const { dir, home } = await homeWithReading(true, true);
    const before = readdirSync(dir).sort();
    const r = await runHearth(['status', '--config', home.file]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/^Hearth gw-0042: NOT RUNNING/);
    expect(r.output).toMatch(/read from the database file as last written/);
    expectReadings(r.output);
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});

describe('hearth export and forget', () => {
  it('refuse while the gateway runs, naming what to do', async () => {
    const { home, gw } = await homeWithReading(false);
    for (const args of [['export'], ['forget', '--all']]) {
      const r = await runHearth([...args, '--config', home.file]);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/in use by another Hearth process; stop it first \(systemctl stop hearth\)/);
    }
    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
  });

  it('export writes readings, alerts, summaries and check-ins as JSON; --since leaves out what is older', async () => {
    const { home } = await homeWithReading();
    const r = await runHearth(['export', '--config', home.file]);
    expect(r.code).toBe(0);
    const all = JSON.parse(r.output);
    expect(all).toMatchObject({ v: 1, type: 'export', gateway: 'gw-0042', resident: 'r-7f3a', since: null });
    expect(all.readings).toEqual([
      expect.objectContaining({ device: 'hall-motion', kind: 'motion', value: true, room: 'hall' }),
    ]);
    for (const k of ['check_ins', 'alerts', 'summaries', 'undelivered_messages', 'rule_state'])
      expect(Array.isArray(all[k])).toBe(true);
    const later = JSON.parse(
      (await runHearth(['export', '--config', home.file, '--since', '2999-01-01'])).output,
    );
    expect(later.readings).toEqual([]);
    expect(later.since).toMatch(/^2999-01-01T00:00:00/);
    const bad = await runHearth(['export', '--config', home.file, '--since', 'last tuesday']);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/--since last tuesday: a date \(2026-03-01, local midnight\)/);
  });

  it('forget --before keeps what is newer; forget --all erases every trace, backups included', async () => {
    const { dir, home } = await homeWithReading();
    const keep = await runHearth(['forget', '--config', home.file, '--before', '2000-01-01']);
    expect(keep.code).toBe(0);
    expect(keep.output).toMatch(/ +0 readings/);
    expect(JSON.parse((await runHearth(['export', '--config', home.file])).output).readings).toHaveLength(1);
    expect(bytesHave(home.db, 'hall-motion')).toBe(true);

    const r = await runHearth(['forget', '--config', home.file, '--all']);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/ +1 readings/);
    expect(r.output).toMatch(/ +\d+ rule states/);
    expect(r.output).toMatch(/backup hearth-\d{8}T\d{6}Z\.db removed/);
    expect(JSON.parse((await runHearth(['export', '--config', home.file])).output).readings).toEqual([]);
    expect(bytesHave(home.db, 'hall-motion')).toBe(false);
    expect(readdirSync(join(dirname(home.db), 'backups'))).toEqual([]);
    expect(readdirSync(dir)).not.toContain('hearth.db-wal');
  });

  it('forget needs one of --before or --all', async () => {
    const { home } = await homeWithReading();
    const r = await runHearth(['forget', '--config', home.file]);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/give either --before DATE or --all/);
  });
});
