// Hostile commands from the trust's side: a command name or payload, whatever it is, is refused
// with a reason and never stops the gateway; the next good command is still answered.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../cloud-relay/uplink/commands.ts';
import { Relay } from '../../cloud-relay/uplink/relay.ts';
import { RealClock } from '../../core/clock.ts';
import { Counters } from '../../core/counters.ts';
import { createLogger } from '../../core/log.ts';
import { Zone } from '../../core/zone.ts';
import { Store } from '../../gateway/store/store.ts';
import { startHearth } from '../helpers/cli.ts';
import { homeFile } from '../helpers/home-file.ts';
import { freePort } from '../helpers/net.ts';
import { homeConfig } from '../helpers/simulate.ts';
import { tempDir } from '../helpers/tmp.ts';
import { type Observed, trustBroker, trustObserver } from '../helpers/trust-broker.ts';
import { until } from '../helpers/until.ts';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** Names every plain object inherits: none of them is a command. */
const INHERITED = ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];

const results = (got: Observed[]) =>
  new Map(got.filter((g) => g.topic.endsWith('/cmd-result')).map((g) => [g.msg.command_id, g.msg]));

async function trustWithObserver() {
  const port = await freePort();
  const trust = await trustBroker(port);
  closers.push(trust.close);
  const obs = await trustObserver(port);
  closers.push(() => obs.client.endAsync());
  return { port, obs };
}

describe('commands from the trust', () => {
  it('a command named after an inherited member (toString, __proto__…) is refused and hearth run answers the next ping', async () => {
    const { port, obs } = await trustWithObserver();
    const { file, env } = await homeFile(tempDir(), (t) =>
      t.replace(/^relay:\n(?: {2}.*\n)+/m, `relay:\n  url: mqtt://127.0.0.1:${port}\n`),
    );
    const gw = startHearth(['run', '--config', file], env);
    closers.push(() => gw.child.exitCode === null && gw.child.kill('SIGKILL'));
    await gw.waitFor(/relay: connected/);
    await until('the gateway online', () => obs.got.some((g) => g.topic === 'hearth/v1/gw-0042/status'));
    for (const name of INHERITED)
      await obs.client.publishAsync(`hearth/v1/gw-0042/cmd/${name}`, `{"v":1,"id":"c-${name}"}`, { qos: 1 });
    await obs.client.publishAsync('hearth/v1/gw-0042/cmd/ping', '{"v":1,"id":"c-ping"}', { qos: 1 });
    await until('the ping answered', () => {
      if (gw.child.exitCode !== null) throw new Error(`hearth exited:\n${gw.output()}`);
      return results(obs.got).has('c-ping');
    });
    const answers = results(obs.got);
    for (const name of INHERITED)
      expect(answers.get(`c-${name}`)).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/^unknown command/),
      });
    expect(answers.get('c-ping')).toMatchObject({ ok: true, detail: 'pong' });
    gw.child.kill('SIGTERM');
    expect((await gw.exited).code).toBe(0);
  });

  it('a command whose handler throws is refused, counted and answered with a failure; the next ping is answered', async () => {
    const { port, obs } = await trustWithObserver();
    const base = homeConfig('help_button: {}');
    const config = {
      ...base,
      gateway: { ...base.gateway, id: 'gw-hostile' },
      relay: {
        url: `mqtt://127.0.0.1:${port}`,
        queue: { max_rows: 500_000, max_bytes: 268_435_456 },
        summary_format: 'json' as const,
        alert_undelivered_after: 120_000,
        receipts: false,
        alert_unconfirmed_after: 600_000,
      },
    };
    const store = Store.open(join(tempDir(), 'h.db'));
    closers.push(() => store.close());
    const counters = new Counters();
    const relay = new Relay({
      config,
      outbox: store.outbox,
      commandLog: store.commands,
      clock: new RealClock(),
      zone: new Zone('Europe/London'),
      log: createLogger({ level: 'silent' }),
      counters,
      version: 'test',
      commands: {
        ack: () => {
          throw new RangeError('Maximum call stack size exceeded');
        },
      },
    });
    relay.start();
    closers.push(() => relay.stop());
    await until('the relay connected', () => relay.connected);
    await until('the gateway online', () => obs.got.some((g) => g.topic.endsWith('/status')));
    const send = (name: string, body: string) =>
      obs.client.publishAsync(`hearth/v1/gw-hostile/cmd/${name}`, body, { qos: 1 });
    await send('ack', '{"v":1,"id":"c-ack","alert_id":"a1","by":"Sam"}');
    await send('ping', '{"v":1,"id":"c-ping"}');
    await until('the ping answered', () => results(obs.got).has('c-ping'));
    expect(results(obs.got).get('c-ack')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/Maximum call stack size exceeded/),
    });
    expect(counters.get('relay.command_refused')).toBe(1);
  });
});

describe('parseCommand', () => {
  const name = fc.oneof(
    fc.constantFrom(...INHERITED, 'ack', 'ping', 'request-summary', 'mode', '', '#', '+'),
    fc.string(),
  );
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    fc.json().map((j) => Buffer.from(j)),
    fc
      .record({
        v: fc.anything(),
        id: fc.anything(),
        alert_id: fc.anything(),
        by: fc.anything(),
        mode: fc.anything(),
        until: fc.anything(),
      })
      .map((o) => Buffer.from(JSON.stringify(o) ?? 'null')),
  );

  it('never throws whatever the name and the bytes, and a ping after any garbage still parses', () => {
    fc.assert(
      fc.property(name, payload, (n, p) => {
        const r = parseCommand('gw', `hearth/v1/gw/cmd/${n}`, p);
        if (r.ok) expect(['ack', 'ping', 'request-summary', 'mode']).toContain(r.command.name);
        expect(parseCommand('gw', 'hearth/v1/gw/cmd/ping', Buffer.from('{"v":1,"id":"p"}')).ok).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('an inherited member is an unknown command', () => {
    for (const n of INHERITED)
      expect(parseCommand('gw', `hearth/v1/gw/cmd/${n}`, Buffer.from('{"v":1,"id":"x"}'))).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^unknown command/),
      });
  });
});
