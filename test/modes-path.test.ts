// Care modes by the real paths: the trust's `mode` command through the relay into a running
// gateway (aedes playing the trust's broker), answered, shown in the local status and in the
// sentence of the next alert, and a bad one refused with its reason and counted; and `hearth
// mode` on the home's command line, through the gateway's own local broker, then `hearth status`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../cloud-relay/protocol/messages.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { RealClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { Zone } from '../core/zone.ts';
import { readLocalStatus } from '../gateway/local-status.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { untilText } from '../gateway/modes/filter.ts';
import { runHearth } from './helpers/cli.ts';
import { freePort } from './helpers/net.ts';
import { homeConfig } from './helpers/simulate.ts';
import { tempDir } from './helpers/tmp.ts';
import { trustBroker, trustObserver } from './helpers/trust-broker.ts';
import { until } from './helpers/until.ts';

const log = createLogger({ level: 'silent' });
const london = new Zone('Europe/London');
const HOUR = 3_600_000;
const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function gateway(config: Config, storePath = join(tempDir(), 'gw.db')): Promise<Gateway> {
  const gw = await startGateway({
    config,
    log,
    clock: new RealClock(),
    storePath,
    bluetoothSysfs: tempDir(),
    listen: [{ host: '127.0.0.1', port: 0 }],
  });
  closers.push(() => gw.stop());
  return gw;
}

/** The local status the gateway publishes when asked, read back through its schema. */
async function localStatus(gw: Gateway) {
  const got = new Promise<Buffer>((resolve) => {
    const off = gw.broker.subscribe(topics.localStatus, (_t, payload) => {
      off();
      resolve(payload);
    });
  });
  await gw.broker.publish(topics.localStatusRequest, '');
  const read = readLocalStatus(await got);
  if (!read.ok) throw new Error(read.reason);
  return read.status;
}

describe("the trust's mode command", () => {
  it('is obeyed and answered, shows in the local status and in the next alert; a bad one is refused, answered and counted', async () => {
    const port = await freePort();
    const trust = await trustBroker(port);
    closers.push(trust.close);
    const obs = await trustObserver(port);
    closers.push(() => obs.client.endAsync());
    const base = homeConfig('help_button: {}');
    const gw = await gateway({
      ...base,
      relay: {
        url: `mqtt://127.0.0.1:${port}`,
        queue: { max_rows: 500_000, max_bytes: 268_435_456 },
        summary_format: 'json',
        alert_undelivered_after: 120_000,
        receipts: false,
        alert_unconfirmed_after: 600_000,
      },
    });
    await until('the relay connected', () => gw.relay?.connected === true);
    await until('the status at the trust', () => obs.got.some((g) => g.topic.endsWith('/status')));
    const send = (body: object | string) =>
      obs.client.publishAsync(
        topics.command('gw-test', 'mode'),
        typeof body === 'string' ? body : JSON.stringify({ v: 1, ...body }),
        { qos: 1 },
      );
    const results = () =>
      obs.got
        .filter((g) => g.topic.endsWith('/cmd-result'))
        .map((g) => [g.msg.command_id, g.msg.ok, g.msg.detail]);
    const end = Date.now() + 2 * HOUR;
    await send({ id: 'm1', mode: 'visitor', until: london.iso(end), by: 'nurse-jo' });
    await until('the answer', () => results().length === 1);
    expect(results()[0]).toEqual([
      'm1',
      true,
      `visitor mode until ${untilText(end, Date.now(), london)} (${london.iso(end)})`,
    ]);
    expect(gw.engine.mode()).toMatchObject({ mode: 'visitor', by: 'nurse-jo', source: 'trust' });
    expect((await localStatus(gw)).report?.mode).toEqual({
      mode: 'visitor',
      since: expect.any(String),
      until: london.iso(end),
      by: 'nurse-jo',
      source: 'trust',
    });

    expect(gw.submit({ device: 'pendant', at: Date.now(), kind: 'button', value: 'single' }).ok).toBe(true);
    await until('the alert at the trust', () => obs.got.some((g) => g.topic.endsWith('/alert')));
    const alert = obs.got.find((g) => g.topic.endsWith('/alert'))?.msg;
    expect(alert).toMatchObject({ rule: 'help_button', state: 'raised', care_mode: 'visitor' });
    expect(alert?.reason).toMatch(/\. \(visitor mode until .+\)$/);

    await send({ id: 'm2', mode: 'holiday', until: london.iso(end), by: 'nurse-jo' });
    await send({ id: 'm3', mode: 'away', until: london.iso(Date.now() - HOUR), by: 'nurse-jo' });
    await send({ id: 'm4', mode: 'away', until: london.iso(Date.now() + 100 * 24 * HOUR), by: 'nurse-jo' });
    await send({ id: 'm5', mode: 'off', by: 'nurse-jo' });
    await until('the answers', () => results().length === 5);
    const [m2, m3, m4, m5] = results().slice(1);
    expect(m2?.slice(0, 2)).toEqual(['m2', false]);
    expect(m2?.[2]).toMatch(/^mode: .*"away"\|"visitor"\|"paused"\|"off"/);
    expect(m3?.slice(0, 2)).toEqual(['m3', false]);
    expect(m3?.[2]).toMatch(/is not ahead of the home's clock/);
    expect(m4?.slice(0, 2)).toEqual(['m4', false]);
    expect(m4?.[2]).toMatch(/is too far: away mode may be set for 90 days at most/);
    expect(m5).toEqual(['m5', true, 'visitor mode ended']);
    expect(gw.counters.get('relay.command_refused')).toBe(1);
    expect(gw.counters.get('modes.refused')).toBe(2);
    expect(gw.engine.mode()).toBeNull();
    expect((await localStatus(gw)).report?.mode).toBeNull();
  });
});

describe('hearth mode', () => {
  it('sets a mode through the running gateway, which hearth status shows; off ends it; bad input is refused; no gateway, nothing is set', async () => {
    const dir = tempDir();
    const file = join(dir, 'home.yaml');
    writeFileSync(
      file,
      `version: 1
gateway: { id: gw-cli, resident: r-cli, timezone: Europe/London }
rooms: [hall]
devices:
  - { id: hall-motion, source: zigbee2mqtt, topic: z/hall, room: hall, kind: motion }
rules: { help_button: {} }
storage: { path: ${join(dir, 'hearth.db')} }
`,
    );
    const { config } = loadConfig(file, { strictRefs: false });
    if (!config) throw new Error('the test home does not load');
    const gw = await gateway(config, config.storage.path);
    const mode = (...args: string[]) => runHearth(['mode', ...args, '--config', file]);

    const set = await mode('paused', '--for', '2h', '--by', 'tech-ali');
    expect(set.output).toMatch(/^paused mode until .+ \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d\)\n$/);
    expect(set.code).toBe(0);
    expect(gw.engine.mode()).toMatchObject({ mode: 'paused', by: 'tech-ali', source: 'home' });
    const status = await runHearth(['status', '--json', '--config', file]);
    expect(JSON.parse(status.output).report.mode).toMatchObject({
      mode: 'paused',
      by: 'tech-ali',
      source: 'home',
    });
    const screen = await runHearth(['status', '--config', file]);
    expect(screen.output).toMatch(
      /^care mode +paused until \d{4}-\d\d-\d\d \d\d:\d\d \(set by tech-ali, home, at /m,
    );

    // A date is through that day: away until the end of it.
    const date = london.date(Date.now() + 3 * 24 * HOUR);
    const away = await mode('away', '--until', date);
    expect(away.code).toBe(0);
    expect(away.output).toMatch(/^away mode until the end of \d+ \w{3}/);
    expect(gw.engine.mode()).toMatchObject({
      mode: 'away',
      until: london.at(london.fromLocal(...ymd(date), 720), '00:00', 1),
    });

    const refusals = [
      [
        ['paused', '--for', '8d'],
        /^hearth mode: refused: until .+ is too far: paused mode may be set for 7 days at most/,
      ],
      [
        ['holiday', '--for', '2h'],
        /^hearth mode: unknown mode "holiday"; one of: away, visitor, paused, off/,
      ],
      [['visitor'], /^hearth mode: visitor needs --until/],
      [['visitor', '--until', 'teatime'], /^hearth mode: --until "teatime" is not an end time/],
      [['off', '--for', '2h'], /^hearth mode: off takes neither --until nor --for/],
    ] as const;
    for (const [args, said] of refusals) {
      const r = await mode(...args);
      expect(r.output, args.join(' ')).toMatch(said);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect(gw.engine.mode()).toMatchObject({ mode: 'away' });

    const off = await mode('off');
    expect(off).toMatchObject({ code: 0, output: 'away mode ended (no care mode is on now)\n' });
    expect(gw.engine.mode()).toBeNull();

    await gw.stop();
    const none = await mode('visitor', '--for', '1h');
    expect(none).toMatchObject({ code: 1, output: expect.stringMatching(/the gateway is not running/) });
  });
});

const ymd = (date: string) => date.split('-').map(Number) as [number, number, number];
