// The BLE source where noble cannot start (this machine, CI: a kernel without Bluetooth gives
// EAFNOSUPPORT): BLE unavailable is reported once, with the reason, and retried quietly.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { loadNoble } from '../firmware-bridge/ble/noble.ts';
import { BleSource } from '../firmware-bridge/ble/source.ts';
import type { SourceStatus } from '../firmware-bridge/driver.ts';
import { tempDir } from './helpers/tmp.ts';

const probe = loadNoble();
if (probe.ok) probe.close();

describe.skipIf(probe.ok)('BLE on a machine whose kernel has no Bluetooth', () => {
  it('noble fails to load as a value naming the cause, not a throw', () => {
    expect(probe).toEqual({ ok: false, reason: expect.stringMatching(/no Bluetooth|noble could not start/) });
  });

  it('even with an adapter listed, the source says BLE unavailable once and keeps trying quietly', async () => {
    const sysfs = tempDir();
    mkdirSync(join(sysfs, 'hci0'));
    const clock = new SimClock(0);
    const statuses: SourceStatus[] = [];
    let loads = 0;
    const source = new BleSource(
      [{ id: 'pendant', source: 'bthome', address: '54:48:e6:8f:80:a5' }],
      {
        clock,
        log: createLogger({ level: 'silent' }),
        reading: () => {},
        status: (s) => statuses.push(s),
        count: () => {},
      },
      {
        sysfs,
        load: () => {
          loads++;
          return loadNoble();
        },
      },
    );
    await source.start();
    clock.advance(6 * 3_600_000);
    await source.stop();
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ present: false, devices: ['pendant'] });
    expect(statuses[0]?.detail).toMatch(/; BLE unavailable$/);
    expect(loads).toBeGreaterThan(10);
  });
});
