// Provisioning files written wrongly or with hostile intent: a secret written inline, nesting deep
// enough to overflow a stack, a secret "file" that is a device or a pipe, a key given twice. What a
// technician would notice is asserted: the exit status, the exact problem line, and that a secret
// is printed nowhere (check-config, its summary, the journal of a refused reload).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfigCommand } from '../../gateway/cli/check-config.ts';
import { runHearth } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

/** `text` written as `name` in a folder of this test's own. */
function put(name: string, text: string): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

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
