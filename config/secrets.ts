// Secrets are never written in a provisioning file, and never printed from one. A password, bind
// key or token written where a reference belongs is refused at its field with what to write
// instead, and its text is shown nowhere: check-config's output reaches terminals and tickets, and
// a refused reload's reaches the journal, read by more people than may know the password.
import { type PairAt, pairRange } from './doc-pairs.ts';
import type { Path, Problem } from './problems.ts';
import { REF_RE } from './values.ts';

/** Fields that hold a secret, by key, and what it is called: only a reference may stand there. */
const SECRET_KEYS: Record<string, string> = { password: 'password', bindkey: 'bind key', token: 'token' };

/** `scheme://user:password@host`, or a password in the query. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]*:[^/?#@\s]*@|[?&]password=/i;

export const keepSecret = (what: string): string =>
  `secrets are never written in the file; expected a reference \${env:NAME} or \${file:/path}, to where ${what} is kept (the service's environment, or a file only hearth can read)`;

/** What to say of a field's value when it is a secret written in the file; undefined otherwise. */
function inlineMessage(path: Path, value: unknown): string | undefined {
  const key = String(path.at(-1));
  const noun = SECRET_KEYS[key];
  if (noun) {
    const written =
      typeof value === 'number' || (typeof value === 'string' && value !== '' && !REF_RE.test(value));
    return written ? `a ${noun} is written here (not shown); ${keepSecret('it')}` : undefined;
  }
  if (key !== 'url' || typeof value !== 'string' || !URL_PASSWORD.test(value)) return undefined;
  // The hub's database URL may be a reference as a whole; the others have a field for the password.
  return path.join('.') === 'database.url'
    ? `this URL holds a password (not shown); ${keepSecret('the whole URL')}`
    : 'this URL holds a password (not shown); secrets are never written in the file: write the URL without it, and the password as a reference ${env:NAME} or ${file:/path} in its own field';
}

type Inline = { path: Path; message: string };

function inlineSecrets(value: unknown, path: Path = [], out: Inline[] = []): Inline[] {
  const message = inlineMessage(path, value);
  if (message) out.push({ path, message });
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) inlineSecrets(v, [...path, i], out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) inlineSecrets(v, [...path, k], out);
  return out;
}

/**
 * `problems` with every secret written in the document refused at its field, instead of whatever
 * else was said there (a schema's refusal quotes the value it refuses).
 */
export function withoutSecrets(
  problems: Problem[],
  raw: unknown,
  locate: (path: Path) => { line: number; col: number },
): Problem[] {
  const found = inlineSecrets(raw);
  if (found.length === 0) return problems;
  const refused = new Set(found.map((f) => f.path.join('.')));
  return [
    ...problems.filter((p) => !refused.has(p.path.join('.'))),
    ...found.map(
      (f): Problem => ({ severity: 'error', path: f.path, message: f.message, ...locate(f.path) }),
    ),
  ];
}

/** The secret field a syntax error at `offset` stands in, if any: its message may quote the text. */
export function secretFieldAt(pairs: PairAt[], offset: number): { path: Path; noun: string } | undefined {
  for (const p of pairs) {
    const noun = SECRET_KEYS[String(p.path.at(-1))];
    const range = noun ? pairRange(p) : undefined;
    if (noun && range && range[0] <= offset && offset <= range[1]) return { path: p.path, noun };
  }
  return undefined;
}
