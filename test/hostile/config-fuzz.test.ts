// Random mutations of the reference files (lines deleted or doubled, random characters, deep
// nesting, huge values, values of the wrong type) never crash check-config: it exits 0, or 2 with
// every line `FILE:LINE:COL  PATH  MESSAGE` (no LINE:COL for the file as a whole) and the closing
// count. Hundreds of files are checked in this process, through the same function the command
// runs; a few go through the real command with a 64 MB heap, for the exit status and the memory.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConfigCommand } from '../../gateway/cli/check-config.ts';
import { runHearth } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

const example = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../config/examples/${name}`, import.meta.url)), 'utf8');

type Mutation = (lines: string[]) => string[];

/** The line a random number picks, whatever the file's length now. */
const pick = (n: number, lines: string[]) => n % Math.max(lines.length, 1);
const onLine =
  (n: number, edit: (line: string) => string): Mutation =>
  (lines) =>
    lines.map((l, k) => (k === pick(n, lines) ? edit(l) : l));
/** The value after the `m`-th "key: " of a line, replaced. */
const replaceValue = (m: number, value: string) => (line: string) => {
  const colons = [...line.matchAll(/: /g)];
  const at = colons.length ? (colons[m % colons.length]?.index ?? 0) + 2 : line.length;
  const end = line.slice(at).search(/[,}\]]|$/);
  return `${line.slice(0, at)}${value}${line.slice(at + end)}`;
};

const KINDS = {
  'a line deleted': fc.nat().map(
    (n): Mutation =>
      (ls) =>
        ls.filter((_, k) => k !== pick(n, ls)),
  ),
  'a line doubled': fc.nat().map(
    (n): Mutation =>
      (ls) =>
        ls.flatMap((l, k) => (k === pick(n, ls) ? [l, l] : [l])),
  ),
  'random characters': fc
    .tuple(fc.nat(), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }))
    .map(([n, at, s]) =>
      onLine(n, (l) => `${l.slice(0, at % (l.length + 1))}${s}${l.slice(at % (l.length + 1))}`),
    ),
  'deep nesting': fc
    .tuple(
      fc.nat(),
      fc.nat(),
      fc.constantFrom('[', '{', '{"a": ', '- ', '? ', 'a:\n '),
      fc.integer({ min: 20, max: 400 }),
    )
    .map(([n, m, open, depth]) => onLine(n, replaceValue(m, open.repeat(depth)))),
  'a huge value': fc
    .tuple(fc.nat(), fc.nat(), fc.integer({ min: 1_000, max: 150_000 }))
    .map(([n, m, size]) => onLine(n, replaceValue(m, 'x'.repeat(size)))),
  'a value of the wrong type': fc
    .tuple(
      fc.nat(),
      fc.nat(),
      fc.constantFrom(
        '[1, 2]',
        '{a: 1}',
        '12',
        '-1.5e300',
        'true',
        'null',
        '""',
        '~',
        '*x',
        '&a',
        '!!binary x',
        '"\\u0000"',
        '|',
        '>-',
      ),
    )
    .map(([n, m, v]) => onLine(n, replaceValue(m, v))),
};

const mutated = (text: string) =>
  fc
    .array(fc.oneof(...Object.values(KINDS)), { minLength: 1, maxLength: 4 })
    .map((ms) => ms.reduce((lines, m) => m(lines), text.split('\n')).join('\n'));

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The lines of check-config's output that are not what a technician is promised. */
function strayLines(file: string, code: number, out: string): string[] {
  const lines = out.replace(/\n$/, '').split('\n');
  if (code === 0) return lines[0]?.startsWith(`${file}: valid`) ? [] : lines.slice(0, 1);
  const problem = new RegExp(`^${literal(file)}(?::\\d+:\\d+)?  \\S+  \\S.*$`);
  const closing = new RegExp(`^${literal(file)}: \\d+ problems?; the file was not accepted$`);
  return lines.filter((l, i) => !(i === lines.length - 1 ? closing : problem).test(l));
}

describe('check-config over mutated provisioning files', () => {
  it.each([
    ['home', 'home.yaml'],
    ['hub', 'hub.yaml'],
  ])('never throws on a mutated %s file, and exits 0 or 2 with every line well formed', (_, name) => {
    const file = join(tempDir(), name);
    fc.assert(
      fc.property(mutated(example(name)), (text) => {
        writeFileSync(file, text);
        const r = checkConfigCommand(file);
        expect([0, 2]).toContain(r.code);
        expect(strayLines(file, r.code, r.text)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  // One file of each kind, the same ones at every run, through the real command.
  it.each(Object.keys(KINDS).filter((k) => k !== 'a line doubled'))(
    'end to end, %s: exit 0 or 2, well-formed lines, no stack trace, within a 64 MB heap',
    async (kind) => {
      const base = kind === 'random characters' ? 'hub.yaml' : 'home.yaml';
      const [edit] = fc.sample(KINDS[kind as keyof typeof KINDS], { numRuns: 1, seed: 42 });
      const file = join(tempDir(), base);
      writeFileSync(file, (edit as Mutation)(example(base).split('\n')).join('\n'));
      const r = await runHearth(['check-config', file], { NODE_OPTIONS: '--max-old-space-size=64' });
      expect(r.output).not.toMatch(/^\s+at |node:internal|\w*Error\b(?: \[\w+\])?:/m);
      expect([0, 2]).toContain(r.code);
      expect(strayLines(file, r.code ?? -1, r.output)).toEqual([]);
    },
  );
});

describe('what the mutations found', () => {
  it('a key holding a newline, and a list as a key, are one escaped line each, with no runtime warning among them', async () => {
    const text = example('home.yaml')
      .replace('  resident: r-7f3a', '  "resi\\ndent  x": r-7f3a')
      .replace('room: hall }', 'room: hall, [a, b]: 1 }');
    const file = join(tempDir(), 'home.yaml');
    writeFileSync(file, text);
    const r = await runHearth(['check-config', file]);
    expect(r.code).toBe(2);
    expect(strayLines(file, 2, r.output)).toEqual([]);
    expect(r.output.split('\n')).toContain(
      `${file}:10:3  gateway."resi\\ndent\\u0020\\u0020x"  unknown key "resi\\ndent  x"; allowed here: id, resident, timezone`,
    );
    expect(r.output).toMatch(
      /^.*:18:\d+ {2}devices\.0\."\[\\u0020a,\\u0020b\\u0020\]" {2}unknown key "\[ a, b \]"/m,
    );
  });

  it('a mistake repeated 20,000 times lists its first 20 errors and how many more', () => {
    const file = join(tempDir(), 'home.yaml');
    writeFileSync(file, example('home.yaml').replace('gw-0042', 'a:\n '.repeat(20_000)));
    const r = checkConfigCommand(file);
    const lines = r.text.split('\n');
    expect(lines).toHaveLength(22);
    expect(lines[20]).toMatch(
      / {2}\(file\) {2}YAML: \d{5} more errors from here on, not listed; fix the ones above and check again$/,
    );
  });

  it('a 100,000-character value is quoted by its first 60 characters and its length', () => {
    const file = join(tempDir(), 'home.yaml');
    writeFileSync(file, example('home.yaml').replace('id: gw-0042', `id: ${'x'.repeat(100_000)}`));
    const r = checkConfigCommand(file);
    expect(r.text.split('\n')).toContain(
      `${file}:9:7  gateway.id  "${'x'.repeat(60)}…" (100000 characters): not a valid gateway id; use lower-case letters, digits, - and _ (at most 63), starting with a letter or digit`,
    );
  });
});
