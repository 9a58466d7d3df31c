// SIGHUP re-reads the provisioning file: a valid file is applied with rule state and pending
// wake-ups kept; an invalid one is refused with the check-config output, the last good one kept.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { SimClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { reloadGateway } from '../gateway/cli/reload.ts';
import type { OutMessage } from '../gateway/engine/messages.ts';
import { startGateway } from '../gateway/main.ts';
import { startHearth } from './helpers/cli.ts';
import { homeFile } from './helpers/home-file.ts';
import { tempDir } from './helpers/tmp.ts';

const homeText = (db: string, extra = '') => `version: 1
gateway: { id: gw-reload, resident: r-1, timezone: Europe/London }
rooms: [hall, lounge]
devices:
  - { id: hall-motion, source: zigbee2mqtt, topic: zigbee2mqtt/hall_motion, room: hall }
${extra}rules:
  inactivity:
    windows:
      - { from: "06:00", to: "23:00", quiet: 2h }
    prompt: 10m
storage: { path: ${db} }
`;

function logLines() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination, pretty: false }), text: () => lines.join('') };
}

describe('reload', () => {
  it('applies a valid file with the pending inactivity timer kept, and refuses an invalid one', async () => {
    const dir = tempDir();
    const file = join(dir, 'home.yaml');
    writeFileSync(file, homeText(join(dir, 'hearth.db')));
    const first = loadConfig(file, { strictRefs: true }).config as Config;
    const clock = new SimClock(Date.parse('2026-03-02T09:00:00Z'));
    const { log, text } = logLines();
    const start = (config: Config) =>
      startGateway({ config, log, clock, listen: [{ host: '127.0.0.1', port: 0 }] });
    const gw = await start(first);
    gw.submit({ device: 'hall-motion', at: clock.now(), kind: 'motion', value: true });
    const wake = gw.engine.nextWake();
    expect(wake).toBe(clock.now() + 2 * 3_600_000);

    // A new device, and the rule timer still pending at the same instant after the reload.
    writeFileSync(
      file,
      homeText(join(dir, 'hearth.db')).replace(
        'room: hall }\n',
        'room: hall }\n  - { id: lounge-motion, source: zigbee2mqtt, topic: zigbee2mqtt/lounge, room: lounge }\n',
      ),
    );
    const r = await reloadGateway({ file, current: gw, config: first, start, log });
    expect(r.applied).toBe(true);
    expect(r.config.devices.map((d) => d.id)).toEqual(['hall-motion', 'lounge-motion']);
    expect(r.gateway.engine.nextWake()).toBe(wake);
    const seen: OutMessage[] = [];
    r.gateway.bus.on('message', (m) => seen.push(m));
    clock.advanceTo((wake ?? 0) + 1);
    expect(seen.map((m) => [m.payload.rule, m.payload.state])).toEqual([['inactivity', 'pre-alert']]);

    // A broken file: refused, every problem in the log, the running gateway untouched.
    writeFileSync(file, homeText(join(dir, 'hearth.db')).replace('room: hall }', 'room: hal }'));
    const bad = await reloadGateway({ file, current: r.gateway, config: r.config, start, log });
    expect(bad.applied).toBe(false);
    expect(bad.gateway).toBe(r.gateway);
    expect(bad.config.devices).toHaveLength(2);
    expect(text()).toMatch(/still running on the last good one/);
    expect(text()).toMatch(/home\.yaml:5:\d+ {2}devices\.0\.room {2}unknown room \\"hal\\"/);
    r.gateway.submit({ device: 'lounge-motion', at: clock.now(), kind: 'motion', value: true });
    expect(r.gateway.store.events.lastOf('lounge-motion')?.value).toBe(true);
    await r.gateway.stop();
  });

  it('hearth run reloads on SIGHUP, and keeps running on the last good file when the new one is broken', async () => {
    const home = await homeFile(tempDir());
    const gw = startHearth(['run', '--config', home.file], home.env);
    await gw.waitFor(/gateway running/);
    writeFileSync(home.file, home.text.replace('room: lounge }', 'room: lunge }'));
    gw.child.kill('SIGHUP');
    await gw.waitFor(/provisioning file refused on reload/);
    expect(gw.output()).toMatch(/home\.yaml:\d+:\d+ {2}devices\.6\.room {2}unknown room \\"lunge\\"/);
    writeFileSync(home.file, home.text);
    gw.child.kill('SIGHUP');
    await gw.waitFor(/provisioning file reloaded/);
    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
  });
});
