// `hearth simulate homes` against a real Mosquitto over TLS, watched by a separate observer as a
// hub would see it: each home's retained status, its heartbeats, its last will when the process
// dies without a goodbye; and every bad option refused with what is wrong.
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertMessage, heartbeatMessage, statusMessage } from '../cloud-relay/protocol/messages.ts';
import { simulateHomesCommand } from '../tools/sim/homes-command.ts';
import { runHearth, startHearth } from './helpers/cli.ts';
import { type Mosquitto, makePki, mosquitto, type Pki } from './helpers/mosquitto.ts';
import { freePort } from './helpers/net.ts';
import { until } from './helpers/until.ts';

const HOMES = 30;

let pki: Pki;
let broker: Mosquitto;
beforeAll(async () => {
  pki = makePki('gw-unused');
  broker = await mosquitto(pki, 'gw-unused');
  await broker.start();
}, 30_000);
afterAll(async () => {
  await broker?.remove();
  pki?.remove();
});

const tlsArgs = () => ['--ca', pki.ca, '--cert', pki.trust.cert, '--key', pki.trust.key];

describe('hearth simulate homes', () => {
  it('connects every home with a retained online status and heartbeats; killed, each last will goes out', async () => {
    const sim = startHearth([
      'simulate',
      'homes',
      '--broker',
      broker.url,
      '--count',
      String(HOMES),
      '--heartbeat',
      '1s',
      ...tlsArgs(),
    ]);
    await sim.waitFor(new RegExp(`${HOMES} homes connected to ${broker.url.replace(/[.]/g, '\\.')}`));
    const watch = await mqtt.connectAsync(broker.url, {
      ca: readFileSync(pki.ca),
      cert: readFileSync(pki.trust.cert),
      key: readFileSync(pki.trust.key),
      clientId: 'observer',
    });
    const online = new Set<string>();
    const offline = new Set<string>();
    const beating = new Set<string>();
    watch.on('message', (topic, payload, packet) => {
      const leaf = topic.split('/')[3];
      const m = JSON.parse(payload.toString());
      if (leaf === 'status') {
        const s = statusMessage.parse(m);
        if (s.state === 'online' && packet.retain) online.add(s.gateway);
        if (s.state === 'offline') offline.add(s.gateway);
      } else if (leaf === 'heartbeat') beating.add(heartbeatMessage.parse(m).gateway);
    });
    try {
      await watch.subscribeAsync(['hearth/v1/+/status', 'hearth/v1/+/heartbeat'], { qos: 1 });
      await until('every retained online status', () => online.size === HOMES);
      await until('a heartbeat from every home', () => beating.size === HOMES);
      expect([...online].sort()[0]).toBe('gw-0001');
      expect([...online].sort().at(-1)).toBe(`gw-${String(HOMES).padStart(4, '0')}`);
      expect(offline.size).toBe(0);

      sim.child.kill('SIGKILL');
      await sim.exited;
      await until("every home's last will", () => offline.size === HOMES);
      expect([...offline].sort()).toEqual([...online].sort());
    } finally {
      sim.child.kill('SIGKILL');
      await watch.endAsync();
    }
  });

  it('stops on SIGTERM with a clean goodbye from each home (no last will) and exit 0', async () => {
    const sim = startHearth(['simulate', 'homes', '--broker', broker.url, '--count', '3', ...tlsArgs()]);
    await sim.waitFor(/3 homes connected/);
    sim.child.kill('SIGTERM');
    const { code } = await sim.exited;
    expect(code).toBe(0);
    expect(sim.output()).toMatch(/homes disconnected/);
    // Mosquitto's words for a DISCONNECT; a connection dropped without one "closed its connection".
    for (const gw of ['gw-0001', 'gw-0002', 'gw-0003'])
      await broker.waitForLog(new RegExp(`Client hearth-${gw} disconnected\\.`));
  });

  // The test above signals as soon as it reads the line; on a busy machine that can be before the
  // program's next statement runs. So the handler must be in place when the line is written.
  it('has its SIGTERM handler in place before it says the homes are connected', async () => {
    const before = new Set(process.listeners('SIGTERM'));
    const added = () => process.listeners('SIGTERM').filter((l) => !before.has(l));
    let handlersAtLine: number | undefined;
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (String(chunk).includes('homes connected')) {
        handlersAtLine = added().length;
        // The signal, once the line is out (by then the handler is there, early or late).
        setImmediate(() => {
          for (const l of added()) l('SIGTERM');
        });
      }
      return write.apply(process.stdout, [chunk, ...rest] as Parameters<typeof write>);
    }) as typeof write;
    try {
      const code = await simulateHomesCommand({
        broker: broker.url,
        count: '2',
        heartbeat: '60s',
        ca: pki.ca,
        cert: pki.trust.cert,
        key: pki.trust.key,
      });
      expect(code).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(handlersAtLine).toBe(1);
  });

  // A town's homes drop together and come back with what their outboxes kept, over several
  // processes; an observer sees every burst home's backlog, and every alert valid and unique.
  it('bursts: each burst home comes back with its backlog, over three processes; alert states valid and unique', async () => {
    const BURST = 10;
    const watch = await mqtt.connectAsync(broker.url, {
      ca: readFileSync(pki.ca),
      cert: readFileSync(pki.trust.cert),
      key: readFileSync(pki.trust.key),
      clientId: 'observer-burst',
    });
    const ids = new Map<string, number>();
    const willed = new Set<string>();
    const backlogs = new Map<string, number>();
    const alerts: unknown[] = [];
    const depthAtReturn = new Map<string, number>();
    watch.on('message', (topic, payload, packet) => {
      const leaf = topic.split('/')[3];
      const m = JSON.parse(payload.toString());
      if (!packet.retain) ids.set(m.id, (ids.get(m.id) ?? 0) + 1);
      if (leaf === 'status') {
        const st = statusMessage.parse(m);
        if (st.state === 'offline' && !packet.retain) willed.add(st.gateway);
        else if (!packet.retain && (st.queue_depth ?? 0) > 0)
          depthAtReturn.set(st.gateway, st.queue_depth ?? 0);
      } else if (leaf === 'alert') alerts.push(alertMessage.parse(m));
      else if (leaf === 'heartbeat') {
        const h = heartbeatMessage.parse(m);
        // A backlog's heartbeat is dated in the offline time, before the home came back.
        if (Date.parse(h.at) < Date.now() - 30_000)
          backlogs.set(h.gateway, (backlogs.get(h.gateway) ?? 0) + 1);
      }
    });
    await watch.subscribeAsync(['hearth/v1/+/status', 'hearth/v1/+/heartbeat', 'hearth/v1/+/alert'], {
      qos: 1,
    });
    const sim = startHearth([
      'simulate',
      'homes',
      '--broker',
      broker.url,
      '--count',
      String(HOMES),
      '--processes',
      '3',
      '--burst',
      String(BURST),
      '--burst-within',
      '2s',
      '--burst-offline',
      '10m',
      '--alerts-per-day',
      '3000',
      '--alert-lasts',
      '2s',
      ...tlsArgs(),
    ]);
    try {
      await sim.waitFor(new RegExp(`${HOMES} homes connected to .* over 3 processes`));
      await sim.waitFor(new RegExp(`burst: ${BURST} homes back with ${BURST * 5} messages`));
      // Ten minutes offline at a heartbeat a minute: ten heartbeats queued, of which the relay
      // sends the last two (the older are dropped, not sent), and an alert raised and resolved.
      await until(
        "every burst home's backlog",
        () => backlogs.size === BURST && [...backlogs.values()].every((n) => n === 2),
      );
      await until('an alert episode outside the burst', () =>
        alerts.some((a) => (a as { state: string }).state === 'acknowledged'),
      );
      expect([...willed].sort()).toEqual([...backlogs.keys()].sort());
      expect([...depthAtReturn.values()]).toEqual(new Array(BURST).fill(12));
      expect([...ids.values()].every((n) => n === 1)).toBe(true);
      // Each message printed once the broker took it (the lines may come after the count).
      const burstSent = () =>
        sim
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l))
          .filter((l) => l.event === 'sent' && l.burst);
      await until('a line for each burst message', () => burstSent().length >= BURST * 5);
      expect(burstSent()).toHaveLength(BURST * 5);
      expect(new Set(burstSent().map((l) => l.id)).size).toBe(BURST * 5);
      for (const l of burstSent()) expect(l.acked_ms).toBeGreaterThanOrEqual(l.published_ms);
    } finally {
      sim.child.kill('SIGTERM');
      await sim.exited;
      await watch.endAsync();
    }
  });

  it.each([
    [['--count', '0'], /--count 0: expected a whole number, 1 or more/],
    [['--count', '2.5'], /--count 2\.5: expected a whole number/],
    [['--heartbeat', 'soon'], /--heartbeat soon: expected a duration of 1s or more, such as 60s/],
    [
      ['--password-env', 'HEARTH_NO_SUCH_VARIABLE'],
      /--password-env HEARTH_NO_SUCH_VARIABLE: that variable is not set/,
    ],
    [['--ca', '/nonexistent/ca.pem'], /--ca \/nonexistent\/ca\.pem cannot be read \(ENOENT\)/],
    [
      ['--count', '100000000'],
      /100000000 homes need 100000064 open files, and this shell allows \d+: raise it/,
    ],
    [
      ['--alerts-per-day', '-1'],
      /--alerts-per-day -1: expected a number of alert episodes a home starts a day/,
    ],
    [['--alerts-per-day', 'often'], /--alerts-per-day often: expected a number/],
    [['--burst', '-3'], /--burst -3: expected a whole number of homes, 0 or more/],
    [['--burst', 'many'], /--burst many: expected a whole number of homes/],
    [['--count', '30', '--burst', '31'], /--burst 31: more than the 30 homes there are \(--count\)/],
    [['--burst-within', 'soon'], /--burst-within soon: expected a duration/],
    [['--burst-offline', '2d'], /--burst-offline 2d: expected a duration up to 24 h/],
    [['--processes', '0'], /--processes 0: expected a whole number, 1 to 64/],
    [['--count', '2', '--processes', '3'], /--processes 3: more than the 2 homes there are/],
  ])('refuses %j with exit 2, naming what is wrong', async (args, message) => {
    const r = await runHearth(['simulate', 'homes', '--broker', broker.url, ...args]);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(message);
  });

  it('refuses a broker that is not a URL', async () => {
    const r = await runHearth(['simulate', 'homes', '--broker', 'localhost:1883']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(
      /--broker localhost:1883: expected a URL such as mqtts:\/\/broker\.example:8883/,
    );
  });

  it('exits 1 naming the broker when nothing answers there, and when its certificate is not trusted', async () => {
    const port = await freePort();
    const nobody = await runHearth([
      'simulate',
      'homes',
      '--broker',
      `mqtt://127.0.0.1:${port}`,
      '--count',
      '2',
    ]);
    expect(nobody.code).toBe(1);
    expect(nobody.output).toMatch(
      new RegExp(`cannot connect to mqtt://127\\.0\\.0\\.1:${port}: gw-000\\d: .*ECONNREFUSED`),
    );
    const untrusted = await runHearth([
      'simulate',
      'homes',
      '--broker',
      broker.url,
      '--count',
      '2',
      '--ca',
      pki.otherCa,
      '--cert',
      pki.trust.cert,
      '--key',
      pki.trust.key,
    ]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.output).toMatch(/cannot connect to mqtts:.*certificate/);
  });
});
