import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import { SimClock } from '../core/clock.ts';
import { indexDevices, ingest } from '../gateway/ingest.ts';

const HOME = new URL('../config/examples/home.yaml', import.meta.url).pathname;
const home = loadConfig(HOME, { strictRefs: false }).config;
if (!home) throw new Error('config/examples/home.yaml must be valid');
const devices = indexDevices(home);

describe('ingest', () => {
  it('places a reading in its room with its role, from the provisioning file', () => {
    const r = ingest(devices, { device: 'front-door', at: 1, kind: 'contact', value: true });
    expect(r).toEqual({
      ok: true,
      event: { device: 'front-door', at: 1, kind: 'contact', value: true, room: 'hall', role: 'front-door' },
    });
  });
  it('drops devices that are not in the file (a neighbour’s sensor)', () => {
    expect(
      ingest(devices, { device: 'next-door-temp', at: 1, kind: 'temperature', value: 20 }),
    ).toMatchObject({
      ok: false,
      reason: 'unknown_device',
    });
  });
  it('refuses malformed readings with a reason naming the field', () => {
    const r = ingest(devices, { device: 'hall-motion', at: 'yesterday', kind: 'motion', value: true });
    expect(r).toMatchObject({ ok: false, reason: 'invalid' });
    expect(!r.ok && r.detail).toMatch(/^at:/);
    expect(ingest(devices, { device: 'hall-motion', at: 1, kind: 'smell', value: true })).toMatchObject({
      reason: 'invalid',
    });
    expect(ingest(devices, null)).toMatchObject({ reason: 'invalid' });
  });
  it('takes only the configured kind from a row that names one, but always battery', () => {
    expect(ingest(devices, { device: 'bed-pad', at: 1, kind: 'motion', value: true })).toMatchObject({
      reason: 'kind_not_configured',
    });
    expect(ingest(devices, { device: 'bed-pad', at: 1, kind: 'battery', value: 80 })).toMatchObject({
      ok: true,
    });
    expect(ingest(devices, { device: 'prompt', at: 1, kind: 'button', value: 'press' })).toMatchObject({
      reason: 'output_device',
    });
  });
});

describe('SimClock', () => {
  it('fires timers in time order at their own instants, and never early', () => {
    const clock = new SimClock(1000);
    const seen: [string, number][] = [];
    clock.timer(5000, () => seen.push(['b', clock.now()]));
    clock.timer(3000, () => {
      seen.push(['a', clock.now()]);
      clock.timer(4000, () => seen.push(['a2', clock.now()]));
    });
    const cancel = clock.timer(4500, () => seen.push(['cancelled', clock.now()]));
    cancel();
    clock.advanceTo(4999);
    expect(seen).toEqual([
      ['a', 3000],
      ['a2', 4000],
    ]);
    clock.advance(1);
    expect(seen.at(-1)).toEqual(['b', 5000]);
    expect(clock.monotonic()).toBe(4000);
  });
  it('moves the wall clock alone on a jump, as NTP does', () => {
    const clock = new SimClock(0);
    clock.advance(10);
    clock.jumpWall(1_000_000);
    expect(clock.now()).toBe(1_000_000);
    expect(clock.monotonic()).toBe(10);
  });
});
