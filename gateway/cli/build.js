// The JavaScript build that `hearth` runs: the TypeScript sources bundled by esbuild into
// dist/<hash of the sources>/, one chunk per lazily loaded command. It replaces compiling the
// sources as they load (tsx), whose loader runs in a thread of its own and costs every gateway
// and hub about 35 MB of memory for as long as it runs.
//
//   node gateway/cli/build.js     (npm run build) builds now and prints where
//
// A build is never changed once made, so a running process can still load its lazy chunks
// after a newer build appears; the newest few are kept.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = ['core', 'gateway', 'firmware-bridge', 'cloud-relay', 'config', 'tools'];
const ENTRY = 'gateway/cli/program.ts';
const KEEP = 3;

function sourceFiles(root) {
  const files = [];
  for (const top of SOURCES.filter((t) => existsSync(join(root, t))))
    for (const f of readdirSync(join(root, top), { recursive: true, withFileTypes: true }))
      if (f.isFile() && f.name.endsWith('.ts') && !f.name.endsWith('.test.ts'))
        files.push(relative(root, join(f.parentPath, f.name)));
  return files.sort();
}

/** The sources' contents, this file and the esbuild version name the build: about 10 ms. */
function buildHash(root, files) {
  const h = createHash('sha256');
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  h.update(readFileSync(join(root, 'tsconfig.json')));
  h.update(JSON.parse(readFileSync(join(root, 'node_modules/esbuild/package.json'), 'utf8')).version);
  for (const f of files) h.update(`\0${f}\0`).update(readFileSync(join(root, f)));
  return h.digest('hex').slice(0, 16);
}

// A bundled module's import.meta.url would be its chunk's; each source keeps its own, so paths
// it finds beside itself (package.json, the example homes, createRequire) stay right.
const ownImportMeta = (outdir) => ({
  name: 'own-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromChunk = relative(outdir, args.path).split('\\').join('/');
      const url = `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
});

async function build(root, dist, hash) {
  const { build: esbuild, stop } = await import('esbuild');
  const tmp = join(dist, `${hash}.tmp-${process.pid}`);
  await esbuild({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Dependencies load from node_modules as they would unbundled: native modules, pino's
    // worker transports and the BLE simulator's module-cache swap all rely on it.
    packages: 'external',
    // For stack traces in the sources' terms: node --enable-source-maps.
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    plugins: [ownImportMeta(tmp)],
  });
  // esbuild's service process would otherwise live beside the gateway or hub that happened to
  // make the build, for as long as it runs: 44 MB resident, measured.
  await stop();
  try {
    renameSync(tmp, join(dist, hash));
  } catch (e) {
    // Another process made the same build first: theirs is as good.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dist, hash, 'program.js'))) throw e;
  }
  const others = readdirSync(dist)
    .filter((d) => d !== hash)
    .map((d) => ({ d, at: statSync(join(dist, d)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  const builds = others.filter((o) => !o.d.includes('.tmp-'));
  // A half-made build an hour old belongs to a process that died making it.
  const abandoned = others.filter((o) => o.d.includes('.tmp-') && o.at < Date.now() - 3_600_000);
  for (const { d } of [...builds.slice(KEEP - 1), ...abandoned])
    rmSync(join(dist, d), { recursive: true, force: true });
}

/**
 * The entry of the build of the sources as they are now, made first if there is none.
 * Throws when it cannot be made (a read-only install whose sources changed, a syntax error).
 */
export async function currentBuild(root = ROOT) {
  const dist = join(root, 'dist');
  const hash = buildHash(root, sourceFiles(root));
  const entry = join(dist, hash, 'program.js');
  if (!existsSync(entry)) {
    mkdirSync(dist, { recursive: true });
    await build(root, dist, hash);
  }
  return pathToFileURL(entry).href;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t = performance.now();
  const entry = await currentBuild();
  process.stdout.write(
    `hearth: build ${relative(ROOT, dirname(fileURLToPath(entry)))} ready (${Math.round(performance.now() - t)} ms)\n`,
  );
}
