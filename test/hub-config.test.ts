// The hub file through `hearth check-config`, as a trust's technician meets it: the example is
// accepted, and every mistake is named at its line and column with what is allowed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHubText } from '../config/hub-parse.ts';
import { runHearth } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

const EXAMPLE = new URL('../config/examples/hub.yaml', import.meta.url).pathname;

describe('hub file', () => {
  it('accepts the example; an unset database reference is a warning for check-config', async () => {
    const r = await runHearth(['check-config', EXAMPLE], { HEARTH_HUB_DATABASE_URL: '' });
    expect(r.code).toBe(0);
    expect(r.output).toContain('valid hub file');
    expect(r.output).toMatch(
      /hub\.yaml:\d+:\d+ {2}database\.url {2}warning: \$\{env:HEARTH_HUB_DATABASE_URL\} cannot be resolved/,
    );
  });

  it('names every mistake at its line, with what is allowed, and exits 2', async () => {
    const file = join(tempDir(), 'hub.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'hub:',
        '  timezone: Europe/Londn',
        'broker:',
        '  url: http://broker',
        'homes:',
        '  expected:',
        '    - { gateway: gw-1, resident: r-1, heartbat: 5m }',
        'databse: {}',
        '',
      ].join('\n'),
    );
    const r = await runHearth(['check-config', file]);
    expect(r.code).toBe(2);
    expect(r.output).toContain(`${file}:3:13  hub.timezone`);
    expect(r.output).toContain('did you mean "Europe/London"');
    expect(r.output).toContain(`${file}:5:8  broker.url  "http://broker": expected mqtts://host:port`);
    expect(r.output).toContain(
      `${file}:8:39  homes.expected.0.heartbat  unknown key "heartbat" (did you mean "heartbeat"?)`,
    );
    expect(r.output).toContain(`${file}:9:1  databse  unknown key "databse" (did you mean "database"?)`);
  });

  it('checks what no single field can: homes to watch, certificate and key together, one row per gateway', () => {
    const r = parseHubText(
      [
        'version: 1',
        'hub: { timezone: UTC }',
        'broker: { url: "mqtts://b:8883", ca: ca.crt, cert: hub.crt }',
        'homes:',
        '  expected:',
        '    - { gateway: gw-1, resident: r-1 }',
        '    - { gateway: gw-1, resident: r-2 }',
      ].join('\n'),
    );
    expect(r.config).toBeUndefined();
    expect(r.problems.map((p) => `${p.line} ${p.path.join('.')} ${p.message}`)).toEqual([
      '3 broker.key a client certificate needs both cert and key',
      '7 homes.expected.1.gateway gateway "gw-1" is listed twice; one row per home',
    ]);
    const none = parseHubText('version: 1\nhub: { timezone: UTC }\nbroker: { url: "mqtt://b" }\n');
    expect(none.problems.map((p) => p.message)).toEqual([
      'no homes: list them under homes.expected, or set homes.accept_any: true',
    ]);
  });

  it('takes a care record to send the days to, and warns when it is reached without TLS', async () => {
    const file = join(tempDir(), 'hub.yaml');
    const hub = (url: string) =>
      [
        'version: 1',
        'hub: { timezone: UTC }',
        'broker: { url: "mqtt://b" }',
        'homes: { accept_any: true }',
        `fhir: { url: "${url}", token: "\${env:HEARTH_FHIR_TOKEN}" }`,
        '',
      ].join('\n');
    writeFileSync(file, hub('https://ehr.example.org/fhir'));
    const ok = await runHearth(['check-config', file], { HEARTH_FHIR_TOKEN: 't' });
    expect(ok.code).toBe(0);
    expect(ok.output).toContain(
      'fhir      each day sent to https://ehr.example.org/fhir (bearer token), queue looked at every 1 m',
    );
    const clear = parseHubText(hub('http://ehr.example.org/fhir'));
    expect(clear.problems.map((p) => `${p.line} ${p.path.join('.')} ${p.message}`)).toEqual([
      "5 fhir.url no TLS to the care record: each day's health figures and the token would cross the network in clear; use https://",
    ]);
    expect(parseHubText(hub('ftp://ehr/fhir')).problems[0]?.message).toMatch(
      /expected the FHIR R4 base of the care record/,
    );
  });
});
