// The home model as a reducer, reading by reading: what is movement and what is presence, when
// she is out and when that belief ends, and mats that flicker. The simulated days of
// test/home-state-days.test.ts show the same through the rules; these pin the model itself.
import { describe, expect, it } from 'vitest';
import type { Device } from '../config/schema.ts';
import type { Event } from '../core/reading.ts';
import { type HomeEnv, type HomeModel, homeModelStep, initHomeModel } from '../gateway/home-state/model.ts';

const S = 1000;
const M = 60 * S;
const rows: Record<string, { kind: Event['kind']; room?: string; role?: string }> = {
  kitchen: { kind: 'motion', room: 'kitchen' },
  radar: { kind: 'presence', room: 'bathroom' },
  door: { kind: 'contact', room: 'hall', role: 'front-door' },
  tag: { kind: 'presence', role: 'wearable' },
  bed1: { kind: 'bed', room: 'bedroom' },
  bed2: { kind: 'bed', room: 'bedroom' },
  chair: { kind: 'chair', room: 'lounge' },
  bathpir: { kind: 'motion', room: 'bathroom' },
};
const env: HomeEnv = {
  row: (id) =>
    rows[id]
      ? ({ id, source: 'zigbee2mqtt', topic: `z/${id}`, ...rows[id] } as unknown as Device)
      : undefined,
  bedroom: 'bedroom',
  matHoldMs: 30 * S,
  awayAfterMs: 2 * M,
  tagGraceMs: 10 * M,
};

type In = [
  at: number,
  device: string,
  value: boolean | number,
  facts?: Record<string, string | number | boolean>,
  /** Another kind than the row's: a device whose message carries several (its battery, its falls). */
  kind?: Event['kind'],
];

/** Runs readings (and a tick at `until`) through the model; the state and which readings were life. */
function run(readings: In[], until?: number): { s: HomeModel; life: number[] } {
  let s = initHomeModel();
  const life: number[] = [];
  for (const [at, device, value, facts, kind] of readings) {
    const row = rows[device];
    const e: Event = {
      device,
      at,
      kind: kind ?? row?.kind ?? 'motion',
      value,
      room: row?.room ?? null,
      role: row?.role ?? null,
      ...(facts ? { facts } : {}),
    };
    const step = homeModelStep(s, { type: 'event', event: e }, at, env);
    s = step.state;
    if (step.life) life.push(at);
    for (const c of step.settled) life.push(c.at);
  }
  if (until !== undefined) s = homeModelStep(s, { type: 'tick' }, until, env).state;
  return { s, life };
}

describe('movement is life, presence is presence', () => {
  it('a radar that keeps saying someone is there: only its first word is movement', () => {
    const r = run([
      [0, 'radar', true],
      [2 * M, 'radar', true],
      [4 * M, 'radar', true],
    ]);
    expect(r.life).toEqual([0]);
    expect(r.s.present.radar).toMatchObject({ room: 'bathroom', since: 0 });
  });

  it("a radar's target starting to move is movement; staying still, or moving on, is not", () => {
    const still = { target_state: 2 };
    const moving = { target_state: 1 };
    const r = run([
      [0, 'radar', true, moving],
      [1 * M, 'radar', true, still],
      [2 * M, 'radar', true, still],
      [3 * M, 'radar', true, moving],
      [4 * M, 'radar', true, { moving: true }],
    ]);
    expect(r.life).toEqual([0, 3 * M]);
  });

  it('a flickering mat is no getting up; two mats on one bed are one bed', () => {
    const flicker: In[] = [];
    for (let t = 10 * M; t < 20 * M; t += 60 * S) flicker.push([t, 'bed1', false], [t + S, 'bed1', true]);
    const r = run([[0, 'bed1', true], [0, 'bed2', true], ...flicker, [30 * M, 'bed1', false]], 31 * M);
    // In bed once the mat held; the flickers never held; one mat off of two is still in bed.
    expect(r.life).toEqual([0, 0]);
    expect(r.s).toMatchObject({ place: 'bed', inBed: true, inBedSince: 0 });
  });

  it('up from the chair for less than the hold, seen in the bathroom meanwhile: back in the chair', () => {
    // Minute-stamped records put the mat's off, the bathroom and the mat's on in one instant.
    const r = run(
      [
        [0, 'chair', true],
        [60 * M, 'chair', false],
        [60 * M, 'bathpir', true],
        [60 * M, 'chair', true],
      ],
      90 * M,
    );
    expect(r.s).toMatchObject({ place: 'chair', room: 'lounge', lastLifeRoom: 'bathroom' });
  });
});

describe('one device, several kinds', () => {
  it('each kind is judged against its own last value: a door republished with its battery is no movement', () => {
    const battery = (at: number): In => [at, 'door', 97, undefined, 'battery'];
    const r = run([
      [0, 'door', false],
      battery(0),
      [2 * M, 'door', false],
      battery(2 * M),
      [3 * M, 'door', true],
    ]);
    expect(r.life).toEqual([3 * M]);
  });

  it("a fall radar's presence and fall state republished together: the fall and its end are movement, the repeats are not", () => {
    const fall = (at: number, value: boolean): In => [at, 'radar', value, undefined, 'fall'];
    const r = run([
      [0, 'radar', true],
      fall(0, false),
      [2 * M, 'radar', true],
      fall(2 * M, false),
      [3 * M, 'radar', true],
      fall(3 * M, true),
      [4 * M, 'radar', true],
      fall(4 * M, true),
      fall(5 * M, false),
    ]);
    expect(r.life).toEqual([0, 3 * M, 5 * M]);
  });
});

describe('out is a belief with a bound', () => {
  it('the door closes and nothing moves inside for 2 minutes: out, on the door', () => {
    const r = run(
      [
        [0, 'kitchen', true],
        [M, 'door', true],
        [M + 20 * S, 'door', false],
      ],
      4 * M,
    );
    expect(r.s.out).toEqual({ since: M + 20 * S, evidence: 'door' });
    expect(r.s.place).toBe('out');
  });

  it('a worn tag lost six minutes after the door still means out by it; movement inside ends it', () => {
    const r = run(
      [
        [0, 'tag', true],
        [0, 'kitchen', true],
        [M, 'door', true],
        [M + 20 * S, 'door', false],
        [7 * M, 'tag', false],
      ],
      12 * M,
    );
    expect(r.s.out).toEqual({ since: M + 20 * S, evidence: 'door and tag' });
    const back = run([
      [0, 'tag', true],
      [0, 'kitchen', true],
      [M, 'door', true],
      [M + 20 * S, 'door', false],
      [7 * M, 'tag', false],
      [3 * 60 * M, 'kitchen', true],
    ]);
    expect(back.s).toMatchObject({ out: null, place: 'room', room: 'kitchen', lastLifeAt: 3 * 60 * M });
  });

  it('a tag still heard past its grace: she stayed in', () => {
    const r = run(
      [
        [0, 'tag', true],
        [0, 'kitchen', true],
        [M, 'door', true],
        [M + 20 * S, 'door', false],
      ],
      20 * M,
    );
    expect(r.s.out).toBeNull();
  });

  it('the door opening while she is out is her coming home', () => {
    const r = run(
      [
        [0, 'kitchen', true],
        [M, 'door', true],
        [M + 20 * S, 'door', false],
        [5 * M, 'kitchen', false],
        [60 * M, 'door', true],
      ],
      61 * M,
    );
    expect(r.s).toMatchObject({ out: null, arrivedAt: 60 * M, lastLifeAt: 60 * M });
  });
});
