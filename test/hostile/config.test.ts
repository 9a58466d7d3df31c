// Provisioning files written wrongly or with hostile intent: a secret written inline, nesting deep
// enough to overflow a stack, a secret "file" that is a device or a pipe, a key given twice. What a
// technician would notice is asserted: the exit status, the exact problem line, and that a secret
// is printed nowhere (check-config, its summary, the journal of a refused reload).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { resolveSecret } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { createLogger } from '../../core/log.ts';
import { checkConfigCommand } from '../../gateway/cli/check-config.ts';
import { reloadGateway } from '../../gateway/cli/reload.ts';
import type { Gateway } from '../../gateway/main.ts';
import { runHearth, startHearth } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

const example = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../config/examples/${name}`, import.meta.url)), 'utf8');
const HOME = example('home.yaml');
const HUB = example('hub.yaml');
const Z2M_PASSWORD = 'password: "${env:HEARTH_Z2M_PASSWORD}"';
const PENDANT_KEY = '"${file:/etc/hearth/keys/pendant.key}"';

/** `text` written as `name` in a folder of this test's own. */
function put(name: string, text: string): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

/** "LINE:COL" where `needle` first stands in `text`, from offset `from` on. */
function placeOf(text: string, needle: string, from = 0): string {
  const before = text.slice(0, text.indexOf(needle, from));
  return `${before.split('\n').length}:${before.length - before.lastIndexOf('\n')}`;
}

const lines = (out: string) => out.split('\n');
const KEEP =
  "secrets are never written in the file; expected a reference ${env:NAME} or ${file:/path}, to where it is kept (the service's environment, or a file only hearth can read)";

describe('a secret written in the file', () => {
  const SECRET = 'Hunter2-kitchen';

  it('is refused naming the field and what to write instead, and the password is printed nowhere', async () => {
    const text = HOME.replace(Z2M_PASSWORD, `password: ${SECRET}`);
    const file = put('home.yaml', text);
    const r = await runHearth(['check-config', file]);
    expect(r.code).toBe(2);
    expect(r.output).not.toContain(SECRET);
    expect(lines(r.output)).toContain(
      `${file}:${placeOf(text, SECRET)}  local_broker.users.0.password  a password is written here (not shown); ${KEEP}`,
    );
  });

  // However YAML reads the text (quoted, a number, a block, an alias, a tag, a broken escape), and
  // whichever field holds it, the text stays out of the output.
  it.each([
    ['quoted', Z2M_PASSWORD, `password: "${SECRET}"`, 'local_broker.users.0.password'],
    ['a number', Z2M_PASSWORD, 'password: 86753091123', 'local_broker.users.0.password'],
    ['a block scalar', Z2M_PASSWORD, `password: |\n        ${SECRET}`, 'local_broker.users.0.password'],
    ['a block header', Z2M_PASSWORD, `password: |${SECRET}\n        x`, 'local_broker.users.0.password'],
    ['a broken escape', Z2M_PASSWORD, `password: "${SECRET}\\q"`, 'local_broker.users.0.password'],
    ['behind a tag', Z2M_PASSWORD, `password: !${SECRET} x`, 'local_broker.users.0.password'],
    ['a literal bind key', PENDANT_KEY, '"a1b2c3d4e5f60718293a4b5c6d7e8f90"', 'devices.10.bindkey'],
    [
      'a push token',
      'key: /etc/hearth/tls/gw-0042.key',
      `key: k\n  push: { url: "https://n.example/t", token: ${SECRET} }`,
      'relay.push.token',
    ],
    ['a URL with a password', 'mqtts://mqtt', `mqtts://gw:${SECRET}@mqtt`, 'relay.url'],
  ])('%s: refused at its field, its text shown nowhere', (_, from, to, path) => {
    const file = put('home.yaml', HOME.replace(from, to));
    const r = checkConfigCommand(file);
    expect(r.code).toBe(2);
    expect(r.text).not.toMatch(/Hunter2|86753091123|a1b2c3d4e5f60718293a4b5c6d7e8f90/);
    expect(r.text).toMatch(
      new RegExp(`^${file}:\\d+:\\d+  ${path.replace(/\./g, '\\.')}  .*\\$\\{env:NAME\\}`, 'm'),
    );
  });

  it('in a JSON file that JSON cannot read, is not quoted back by the JSON error either', () => {
    const file = put('home.json', `{"version": 1, "relay": {"password": ${SECRET}: 1}}`);
    const r = checkConfigCommand(file);
    expect(r.code).toBe(2);
    expect(r.text).not.toContain('Hunter2');
  });

  it('is kept out of the journal when a reload refuses the file, which says where it is', async () => {
    const text = HOME.replace(Z2M_PASSWORD, `password: ${SECRET}`);
    const file = put('home.yaml', text);
    let journal = '';
    const destination = new Writable({
      write(chunk: Buffer, _e, done) {
        journal += chunk.toString();
        done();
      },
    });
    const log = createLogger({ level: 'info', destination, pretty: false });
    // A refused file never reaches the running gateway or start(): neither is needed here.
    const current = {} as Gateway;
    const start = () => Promise.reject(new Error('a refused file is not started'));
    const r = await reloadGateway({ file, current, config: {} as Config, start, log });
    expect(r.applied).toBe(false);
    expect(journal).toMatch(/still running on the last good one/);
    expect(journal).toContain(`local_broker.users.0.password  a password is written here (not shown)`);
    expect(journal).not.toContain(SECRET);
  });

  it("in the hub's file (the broker's password, a database URL holding one) is refused the same way", async () => {
    const text = HUB.replace(
      'key: /etc/hearth-hub/hub.key',
      `key: /etc/hearth-hub/hub.key\n  password: ${SECRET}`,
    ).replace(
      'url: ${env:HEARTH_HUB_DATABASE_URL}',
      `url: postgres://hub:${SECRET}@db.trust.example:5432/hearth`,
    );
    const file = put('hub.yaml', text);
    const r = await runHearth(['check-config', file]);
    expect(r.code).toBe(2);
    expect(r.output).not.toContain(SECRET);
    expect(lines(r.output)).toContain(
      `${file}:${placeOf(text, SECRET)}  broker.password  a password is written here (not shown); ${KEEP}`,
    );
    expect(lines(r.output)).toContain(
      `${file}:${placeOf(text, 'postgres:')}  database.url  this URL holds a password (not shown); ${KEEP.replace('where it is', 'where the whole URL is')}`,
    );
  });
});

describe('nesting', () => {
  const LIMIT =
    'nested more than 32 levels deep here (lists and mappings inside each other); a provisioning file needs 6 at most: is this the right file?';

  it('a file nested 600,000 levels deep is refused with its location and the limit, in little memory, not a stack overflow', async () => {
    const file = put('home.yaml', `version: 1\nrooms: ${'['.repeat(600_000)}\n`);
    // A 64 MB heap: the old parser took a gigabyte before its stack overflowed.
    const r = await runHearth(['check-config', file], { NODE_OPTIONS: '--max-old-space-size=64' });
    expect(r.code).toBe(2);
    // The mapping is level 1, `rooms: [` level 2: the 32nd `[` is the 33rd level, column 8 + 31.
    expect(r.output).toBe(`${file}:2:39  (file)  ${LIMIT}\n${file}: 1 problem; the file was not accepted\n`);
  });

  it.each([
    [
      'a hub file in JSON, nested in [',
      'hub.json',
      `{"version": 1, "hub": {"instance": ${'['.repeat(20_000)}`,
      '1:',
    ],
    ['a hub file nested in {', 'hub.yaml', `version: 1\nhub: ${'{"a": '.repeat(20_000)}`, '2:'],
    ['a home nested in block lists', 'home.yaml', `version: 1\nrooms:\n  ${'- '.repeat(20_000)}x\n`, '3:'],
  ])('%s is refused where it went too deep', (_, name, text, line) => {
    const file = put(name, text);
    const r = checkConfigCommand(file);
    expect(r.code).toBe(2);
    expect(r.text).toMatch(
      new RegExp(`^${file}:${line}\\d+  \\(file\\)  nested more than 32 levels deep here`),
    );
  });
});

describe('a secret file', () => {
  const withPassword = (ref: string) =>
    HOME.replace(Z2M_PASSWORD, `password: "${ref}"`).replace(PENDANT_KEY, '"${env:HOME}"');

  it('${file:/dev/zero} is refused naming the path and the limit, not read until memory runs out', async () => {
    const text = withPassword('${file:/dev/zero}');
    const file = put('home.yaml', text);
    const r = await runHearth(['check-config', file], { NODE_OPTIONS: '--max-old-space-size=64' });
    expect(r.code).toBe(0);
    expect(lines(r.output)).toContain(
      `  ${file}:${placeOf(text, '"${file:/dev/zero}"')}  local_broker.users.0.password  warning: \${file:/dev/zero} cannot be resolved: /dev/zero is not a regular file; a secret is read from a regular file of at most 64 KB`,
    );
  });

  it('that is a FIFO nobody writes to is refused at once, not waited on', async () => {
    const fifo = join(tempDir(), 'password');
    execFileSync('mkfifo', [fifo]);
    const file = put('home.yaml', withPassword(`\${file:${fifo}}`));
    const run = startHearth(['check-config', file]);
    onTestFinished(() => void run.child.kill('SIGKILL'));
    expect((await run.exited).code).toBe(0);
    expect(run.output()).toContain(
      `${fifo} is not a regular file; a secret is read from a regular file of at most 64 KB`,
    );
  });

  it('over 64 KB is refused naming the path and the limit', () => {
    const big = join(tempDir(), 'password');
    writeFileSync(big, 'x'.repeat(64 * 1024 + 1));
    expect(() => resolveSecret(`\${file:${big}}`)).toThrow(
      `${big} is over 64 KB; a secret file holds one password or key (is this the right file?)`,
    );
    writeFileSync(big, 'x'.repeat(64 * 1024));
    expect(resolveSecret(`\${file:${big}}`)).toHaveLength(64 * 1024);
  });
});

describe('a key given twice', () => {
  it.each([
    ['in a block mapping', '  resident: r-7f3a', '  id: gw-0043\n  resident: r-7f3a', 'id', 'id: gw-0042'],
    ['in a flow mapping', 'room: hall }', 'room: hall, room: lounge }', 'room', 'room: hall'],
  ])('%s is named, with where it first stood', (_, from, to, key, first) => {
    const text = HOME.replace(from, to);
    const file = put('home.yaml', text);
    const second = placeOf(text, `${key}:`, text.indexOf(first) + 1);
    const r = checkConfigCommand(file);
    expect(r.code).toBe(2);
    expect(lines(r.text)).toContain(
      `${file}:${second}  (file)  YAML: key "${key}" is given twice in this mapping (first at ${placeOf(text, first)}); each key once per mapping`,
    );
  });
});

describe('a certificate or key file', () => {
  it('named as /dev/zero for the relay is refused by its path, and the gateway runs on', async () => {
    const { runningHome } = await import('../helpers/running-home.ts');
    const home = await runningHome((t) =>
      t
        .replace(/^( {2}ca: ).*$/m, '$1/dev/zero')
        .replace(/^( {2}url: )mqtts:\/\/mqtt\.care-hub[^\n]*$/m, '$1mqtts://127.0.0.1:1'),
    );
    onTestFinished(() => home.stop().then(() => undefined));
    await home.gw.waitFor(/relay\.ca: \/dev\/zero is not a regular file/);
    home.alive();
  });
});
