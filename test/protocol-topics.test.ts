// parseTopic is the exact inverse of `topics`: what one end writes, the other reads back, and a
// topic that is none of them is refused with a reason, never a throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ParsedTopic, parseTopic, topics } from '../cloud-relay/protocol/topics.ts';

/** A gateway id as the provisioning file allows it. */
const gatewayId = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,62}$/);
/** Any level a topic name can hold: not empty, no separator, wildcard or NUL. */
const level = fc
  .string({ minLength: 1, maxLength: 20, unit: 'binary' })
  .filter((s) => !['/', '+', '#', '\u0000'].some((c) => s.includes(c)));
const name = fc.oneof(gatewayId, level);

const HOME = ['alert', 'summary', 'summaryFhir', 'night', 'status', 'heartbeat', 'commandResult'] as const;
const LOCAL = [
  'localAlert',
  'localStatus',
  'localStatusRequest',
  'localModeRequest',
  'localModeResult',
] as const;
/** What follows hearth/v1/{gw}/ or hearth/local/: the leaf. */
const after = (prefix: string, topic: string) => {
  expect(topic.startsWith(prefix)).toBe(true);
  return topic.slice(prefix.length);
};

/** Each topic `topics` makes, by its kind, and what parseTopic must give back for it. */
const made = fc.oneof(
  fc.tuple(fc.constantFrom(...HOME), name).map(([kind, gw]) => {
    const topic = topics[kind](gw);
    return { topic, want: { ok: true, kind, gateway: gw, leaf: after(`hearth/v1/${gw}/`, topic) } };
  }),
  fc.tuple(name, name).map(([gw, command]) => ({
    topic: topics.command(gw, command),
    want: { ok: true, kind: 'command', gateway: gw, leaf: `cmd/${command}`, command },
  })),
  fc.constantFrom(...LOCAL).map((kind) => ({
    topic: topics[kind],
    want: { ok: true, kind, gateway: null, leaf: after('hearth/local/', topics[kind]) },
  })),
  name.map((device) => ({
    topic: topics.localReading(device),
    want: { ok: true, kind: 'localReading', gateway: null, leaf: `reading/${device}`, device },
  })),
);

/** The topic a parsed one names, made again by `topics`. */
function remade(p: ParsedTopic): string | null {
  if (!p.ok) return null;
  if (p.kind === 'command') return topics.command(p.gateway, p.command);
  if (p.kind === 'localReading') return topics.localReading(p.device);
  if (p.gateway === null) return topics[p.kind];
  return topics[p.kind](p.gateway);
}

const refused = (topic: string) => {
  const r = parseTopic(topic);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.reason).toMatch(/\w/);
};

describe('parseTopic', () => {
  it('gives back the kind, the gateway and the leaf of every topic `topics` makes, for any gateway id', () => {
    fc.assert(
      fc.property(made, ({ topic, want }) => {
        expect(parseTopic(topic)).toEqual(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the topics of the contract as the design names them', () => {
    expect(parseTopic('hearth/v1/gw-0042/alert')).toEqual({
      ok: true,
      kind: 'alert',
      gateway: 'gw-0042',
      leaf: 'alert',
    });
    expect(parseTopic('hearth/v1/gw-0042/summary/fhir')).toMatchObject({
      kind: 'summaryFhir',
      leaf: 'summary/fhir',
    });
    expect(parseTopic('hearth/v1/gw-0042/cmd/request-summary')).toMatchObject({
      kind: 'command',
      command: 'request-summary',
    });
    expect(parseTopic('hearth/v1/gw-0042/cmd-result')).toMatchObject({ kind: 'commandResult' });
    expect(parseTopic('hearth/local/status/request')).toMatchObject({
      kind: 'localStatusRequest',
      gateway: null,
    });
    expect(parseTopic('hearth/local/reading/front-door')).toMatchObject({
      kind: 'localReading',
      device: 'front-door',
    });
  });

  it('refuses any string that is not one of them, never throws, and is exact where it accepts', () => {
    const words = fc.constantFrom(
      'hearth',
      'v1',
      'v2',
      'local',
      'gw',
      'alert',
      'summary',
      'fhir',
      'cmd',
      'cmd-result',
      'reading',
      'status',
      'request',
      '',
      '+',
      '#',
      '\u0000',
      'x',
    );
    const built = fc.array(words, { maxLength: 7 }).map((l) => l.join('/'));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), built), (topic) => {
        const r = parseTopic(topic);
        if (r.ok) expect(remade(r)).toBe(topic);
        else expect(typeof r.reason).toBe('string');
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses a topic with a level more or less, unless that makes another topic of the contract', () => {
    fc.assert(
      fc.property(made, level, ({ topic, want }, extra) => {
        const longer = parseTopic(`${topic}/${extra}`);
        const another =
          (want.kind === 'summary' && extra === 'fhir') ||
          (want.kind === 'localStatus' && extra === 'request');
        if (another) expect(remade(longer)).toBe(`${topic}/${extra}`);
        else expect(longer.ok).toBe(false);
        const shorter = topic.split('/').slice(0, -1).join('/');
        const back = parseTopic(shorter);
        expect(back.ok ? remade(back) : null).toBe(back.ok ? shorter : null);
        if (!['summaryFhir', 'localStatusRequest'].includes(want.kind)) expect(back.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses empty levels, wildcards and NUL wherever they stand', () => {
    fc.assert(
      fc.property(
        made,
        fc.constantFrom('', '+', '#', 'a+', '#b', 'g\u0000w', '\u0000'),
        fc.nat(),
        ({ topic }, bad, at) => {
          const levels = topic.split('/');
          const i = at % levels.length;
          refused([...levels.slice(0, i), bad, ...levels.slice(i + 1)].join('/'));
          refused([...levels.slice(0, i), bad, ...levels.slice(i)].join('/'));
        },
      ),
      { numRuns: 1000 },
    );
    for (const t of [
      '',
      '/',
      'hearth/v1//alert',
      'hearth/v1/gw/alert/',
      '/hearth/v1/gw/alert',
      'hearth/v1/+/alert',
    ])
      refused(t);
    for (const t of ['hearth/v1/gw-1/#', 'hearth/v1/gw\u0000/alert', 'hearth/local/reading/', 'hearth/local'])
      refused(t);
  });

  it('refuses nonsense: other roots, versions and leaves', () => {
    for (const t of [
      'zigbee2mqtt/hall_motion',
      'hearth',
      'hearth/v1',
      'hearth/v1/gw',
      'hearth/v2/gw/alert',
      'Hearth/v1/gw/alert',
      'hearth/v1/gw/alerts',
      'hearth/v1/gw/cmd',
      'hearth/v1/gw/cmd/ping/now',
      'hearth/v1/gw/summary/pdf',
      'hearth/local/reading',
      'hearth/local/reading/a/b',
      'hearth/local/status/now',
      '$SYS/broker/uptime',
    ])
      refused(t);
    expect(parseTopic(42 as unknown as string)).toMatchObject({ ok: false });
  });
});
