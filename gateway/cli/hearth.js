#!/usr/bin/env node
// The `hearth` command: the JavaScript build of the sources (build.js), made first if a source
// has changed. Where it cannot be made (a read-only install edited in place), the sources run
// through tsx's loader instead: the same program, about 35 MB heavier.
import { currentBuild } from './build.js';

let entry;
try {
  entry = await currentBuild();
} catch (e) {
  process.stderr.write(`hearth: no build (${e.message.split('\n')[0]}); running the sources through tsx\n`);
}
if (entry) await import(entry);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./program.ts');
}
