// The only part of config/ that touches the outside world: reading the file and resolving
// ${env:..} / ${file:..} references. Every failure becomes a Problem, never an exception.
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { extname, join } from 'node:path';
import { MAX_CONFIG_BYTES, tooLargeMessage } from './bounds.ts';
import { isHubText, parseHubText } from './hub-parse.ts';
import type { HubConfig } from './hub-schema.ts';
import { parseConfigText } from './parse.ts';
import type { Path, Problem } from './problems.ts';
import type { Config } from './schema.ts';
import { parseRef, REF_RE } from './values.ts';

export type LoadResult = { config?: Config; problems: Problem[] };
type Env = Record<string, string | undefined>;

const fileProblem = (message: string): Problem => ({ severity: 'error', path: [], line: 0, col: 0, message });

const IO_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file; give the path of a provisioning file (see config/examples/home.yaml)',
  EACCES: 'permission denied; the file must be readable by the user running hearth',
  EPERM: 'permission denied; the file must be readable by the user running hearth',
  EISDIR: 'is a directory; give the path of a provisioning file inside it',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
  ENOTDIR: 'a part of the path is not a directory',
};

function readText(file: string): { text?: string; problem?: Problem } {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return { problem: fileProblem(IO_MESSAGES.EISDIR as string) };
    if (!st.isFile())
      return { problem: fileProblem('is not a regular file; give the path of a provisioning file') };
    if (st.size > MAX_CONFIG_BYTES) return { problem: fileProblem(tooLargeMessage(st.size)) };
    const bytes = readFileSync(file);
    if (bytes.includes(0))
      return { problem: fileProblem('is not a text file (it holds NUL bytes); expected YAML or JSON text') };
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      return { problem: fileProblem('is not UTF-8 text; save the file as UTF-8') };
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    return { problem: fileProblem(IO_MESSAGES[code] ?? `cannot be read (${code || String(e)})`) };
  }
}

/** Every ${env:..}/${file:..} reference in the document, with where it stands. */
function refsIn(value: unknown, path: Path = []): { path: Path; ref: string }[] {
  if (typeof value === 'string') return REF_RE.test(value) ? [{ path, ref: value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => refsIn(v, [...path, i]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => refsIn(v, [...path, k]));
  return [];
}

/** A secret file holds one password or key; anything larger is the wrong file. */
export const MAX_SECRET_BYTES = 64 * 1024;

const refused = (code: string) => Object.assign(new Error(code), { code });

/** A PEM file (a certificate, a chain, a key) is a few kilobytes; a bundle of CAs, tens. */
export const MAX_PEM_BYTES = 256 * 1024;

/**
 * A file's text, read to `max` bytes at most. O_NONBLOCK: opening a FIFO must not wait for a
 * writer. Only a regular file is read: /dev/zero or a FIFO would never end.
 */
export function readBounded(path: string, max: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw refused('NOTFILE');
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      n += got;
      if (got === 0 || n === buf.length) break;
    }
    if (n > max) throw refused('TOOBIG');
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

const readSecretFile = (path: string) => readBounded(path, MAX_SECRET_BYTES);

/**
 * A PEM file named in a provisioning or hub file (`what` names the key, e.g. relay.ca), read
 * bounded; throws with a reason a technician can act on.
 */
export function readPemFile(what: string, path: string): string {
  try {
    return readBounded(path, MAX_PEM_BYTES);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why =
      code === 'NOTFILE'
        ? 'is not a regular file'
        : code === 'TOOBIG'
          ? `is over ${MAX_PEM_BYTES / 1024} KB, more than a certificate or key (is this the right file?)`
          : `cannot be read (${code})`;
    throw new Error(`${what}: ${path} ${why}`);
  }
}

const SECRET_FILE_MESSAGES: Record<string, string> = {
  EMPTY: 'is empty',
  NOTFILE: `is not a regular file; a secret is read from a regular file of at most ${MAX_SECRET_BYTES / 1024} KB`,
  TOOBIG: `is over ${MAX_SECRET_BYTES / 1024} KB; a secret file holds one password or key (is this the right file?)`,
};

/** A systemd credential's name: one file in $CREDENTIALS_DIRECTORY, never a path out of it. */
const CREDENTIAL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function readSecret(path: string): string {
  try {
    const v = readSecretFile(path).trim();
    if (!v) throw refused('EMPTY');
    return v;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(`${path} ${SECRET_FILE_MESSAGES[code] ?? `cannot be read (${code})`}`);
  }
}

/**
 * The secret a reference stands for; throws with a reason a technician can act on.
 * ${env:NAME} is the environment's NAME or, under systemd, the credential NAME
 * (`LoadCredential=NAME:...` in the unit, found in $CREDENTIALS_DIRECTORY): the environment first.
 */
export function resolveSecret(ref: string, env: Env = process.env): string {
  const r = parseRef(ref);
  if (!r) throw new Error('not a reference');
  if (r.kind === 'file') return readSecret(r.name);
  const v = env[r.name];
  if (v !== undefined && v !== '') return v;
  const creds = env.CREDENTIALS_DIRECTORY;
  if (!creds || !CREDENTIAL_NAME.test(r.name)) throw new Error(`environment variable ${r.name} is not set`);
  const path = join(creds, r.name);
  if (!existsSync(path))
    throw new Error(`environment variable ${r.name} is not set, and there is no credential ${r.name}`);
  return readSecret(path);
}

/**
 * Reads, parses and checks a provisioning file. Unresolvable references are warnings when
 * `strictRefs` is false (check-config on a laptop) and errors when true (run on the Pi).
 */
export function loadConfig(file: string, opts: { strictRefs: boolean; env?: Env }): LoadResult {
  return loadWith(file, opts, parseConfigText);
}

/** Reads, parses and checks a hub file (config/hub-schema.ts) under the same rules. */
export function loadHubConfig(
  file: string,
  opts: { strictRefs: boolean; env?: Env },
): { config?: HubConfig; problems: Problem[] } {
  return loadWith(file, opts, parseHubText);
}

/** True when the file reads as a hub file (a top-level `hub:` section), not a home's. */
export function isHubFile(file: string): boolean {
  const { text } = readText(file);
  return text !== undefined && isHubText(text);
}

type Parsed<T> = {
  config?: T;
  raw?: unknown;
  problems: Problem[];
  locate?: (path: Path) => { line: number; col: number };
};

function loadWith<T>(
  file: string,
  opts: { strictRefs: boolean; env?: Env },
  parse: (text: string, o: { json?: boolean }) => Parsed<T>,
): { config?: T; problems: Problem[] } {
  const { text, problem } = readText(file);
  if (problem || text === undefined) return { problems: [problem as Problem] };
  if (text.trim() === '')
    return {
      problems: [fileProblem('the file is empty; expected a provisioning file starting with "version: 1"')],
    };
  const parsed = parse(text, { json: extname(file).toLowerCase() === '.json' });
  const problems = [...parsed.problems];
  const unresolved: Problem[] = [];
  if (parsed.raw !== undefined) {
    for (const { path, ref } of refsIn(parsed.raw)) {
      try {
        resolveSecret(ref, opts.env);
      } catch (e) {
        const where = parsed.locate?.(path) ?? { line: 0, col: 0 };
        unresolved.push({
          severity: opts.strictRefs ? 'error' : 'warning',
          path,
          ...where,
          message: `${ref} cannot be resolved: ${(e as Error).message}`,
        });
      }
    }
  }
  problems.push(...unresolved);
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  const failed = problems.some((p) => p.severity === 'error');
  return { config: failed ? undefined : parsed.config, problems };
}
