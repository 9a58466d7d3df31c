// The build `hearth` runs (gateway/cli/build.js), on a small project of its own: made once for
// the same sources, made again when one changes, the newest few kept, and each module still
// finds the files beside its source.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { currentBuild } from '../gateway/cli/build.js';
import { ROOT } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

const PROGRAM = `
import { readFileSync } from 'node:fs';
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const { lazyUrl } = await import('../../config/lazy.ts');
console.log(JSON.stringify({ own: import.meta.url, lazy: lazyUrl, name: pkg.name }));
`;

function project(): string {
  const root = tempDir('hearth-build-');
  for (const d of ['gateway/cli', 'firmware-bridge', 'cloud-relay', 'config'])
    mkdirSync(join(root, d), { recursive: true });
  copyFileSync(join(ROOT, 'tsconfig.json'), join(root, 'tsconfig.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), '{"name":"tiny-home","type":"module"}');
  writeFileSync(join(root, 'gateway/cli/program.ts'), PROGRAM);
  writeFileSync(join(root, 'config/lazy.ts'), 'export const lazyUrl: string = import.meta.url;\n');
  return root;
}

const BUILD = pathToFileURL(join(ROOT, 'gateway/cli/build.js')).href;
const builds = (root: string) => readdirSync(join(root, 'dist')).sort();
const run = (entry: string) =>
  JSON.parse(execFileSync(process.execPath, [fileURLToPath(entry)], { encoding: 'utf8' }));

describe('the build hearth runs', () => {
  it('is made once for the same sources, and its modules see their own sources as import.meta.url', async () => {
    const root = project();
    const entry = await currentBuild(root);
    expect(entry).toMatch(/\/dist\/[0-9a-f]{16}\/program\.js$/);
    const made = statSync(fileURLToPath(entry)).mtimeMs;
    expect(await currentBuild(root)).toBe(entry);
    expect(statSync(fileURLToPath(entry)).mtimeMs).toBe(made);
    expect(builds(root)).toHaveLength(1);
    expect(run(entry)).toEqual({
      own: pathToFileURL(join(root, 'gateway/cli/program.ts')).href,
      lazy: pathToFileURL(join(root, 'config/lazy.ts')).href,
      name: 'tiny-home',
    });
  });

  it('leaves no esbuild process running beside the program that made it', () => {
    const root = project();
    // In a process of its own, as hearth is: the test runner keeps an esbuild of its own.
    const script = `
      const { readFileSync } = await import('node:fs');
      const { currentBuild } = await import(${JSON.stringify(BUILD)});
      await currentBuild(${JSON.stringify(root)});
      // A stopped esbuild gets SIGTERM and goes a moment later, once this process has reaped it:
      // wait for that, up to ten seconds; one left running stays for all of them.
      const children = () => readFileSync('/proc/self/task/' + process.pid + '/children', 'utf8')
        .split(' ').filter(Boolean)
        .map((p) => { try { return readFileSync('/proc/' + p + '/cmdline', 'utf8'); } catch { return ''; } })
        .filter((c) => c.includes('esbuild'));
      const until = Date.now() + 10_000;
      while (children().length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      console.log(JSON.stringify(children()));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([]);
  });

  it('is made again when a source changes, keeping the newest three', async () => {
    const root = project();
    const first = await currentBuild(root);
    const entries = [first];
    for (let i = 1; i <= 4; i++) {
      writeFileSync(
        join(root, 'config/lazy.ts'),
        `export const lazyUrl: string = import.meta.url + '#${i}';\n`,
      );
      entries.push(await currentBuild(root));
    }
    expect(new Set(entries).size).toBe(5);
    expect(run(entries[4] as string).lazy).toMatch(/lazy\.ts#4$/);
    const kept = builds(root);
    expect(kept).toHaveLength(3);
    expect(kept).toContain((entries[4] as string).split('/').at(-2));
    expect(kept).not.toContain(first.split('/').at(-2));
  });

  it('clears a half-made build an hour old at the next build, and leaves one that may still be going', async () => {
    const root = project();
    await currentBuild(root);
    const dead = join(root, 'dist', '0123456789abcdef.tmp-999999');
    const going = join(root, 'dist', 'fedcba9876543210.tmp-999998');
    mkdirSync(dead);
    mkdirSync(going);
    const anHourAgo = new Date(Date.now() - 3_700_000);
    utimesSync(dead, anHourAgo, anHourAgo);
    writeFileSync(join(root, 'config/lazy.ts'), "export const lazyUrl: string = import.meta.url + '#new';\n");
    await currentBuild(root);
    expect(builds(root)).not.toContain('0123456789abcdef.tmp-999999');
    expect(builds(root)).toContain('fedcba9876543210.tmp-999998');
  });

  it('refuses a source that does not compile, naming it, and leaves no half-made build', async () => {
    const root = project();
    writeFileSync(join(root, 'config/lazy.ts'), 'export const lazyUrl: string = ;\n');
    await expect(currentBuild(root)).rejects.toThrow(/config\/lazy\.ts/);
    expect(builds(root)).toEqual([]);
  });
});
