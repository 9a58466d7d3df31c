// Syntax errors -> problems a technician can act on, placed where the fix goes. The yaml parser
// words its errors for YAML authors and places them where it gave up; a JSON file wants JSON words,
// and an unclosed bracket is fixed where it opens, not lines later where parsing failed. A parser's
// message may quote the text it stumbled on: inside a secret field, it is reworded.
import { CST, isScalar, Parser, type YAMLError } from 'yaml';
import { type PairAt, pairsIn } from './doc-pairs.ts';
import { type Path, type Problem, quoted } from './problems.ts';
import { keepSecret, secretFieldAt } from './secrets.ts';

type At = (offset: number) => { line: number; col: number };

/** A problem until it is placed: `words` and `hint` make the message, `path` is the key's if known. */
type Found = { offset: number; lang: 'YAML' | 'JSON'; words: string; hint?: string; path?: Path };

/**
 * Errors listed at most: past the first few, a parser's errors are echoes of one mistake, and a
 * mistake repeated 60,000 times must not print (nor place) 60,000 lines.
 */
const MAX_LISTED = 20;

const YAML_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'each key once per mapping',
  TAB_AS_INDENT: 'indent with spaces, never tabs',
  BAD_INDENT: 'line the key up with its siblings, using spaces',
  MISSING_CHAR: 'close every quote, bracket and brace',
  BLOCK_AS_IMPLICIT_KEY: 'a key needs a colon and a space after it',
  MULTILINE_IMPLICIT_KEY: 'a key needs a colon and a space after it',
  UNEXPECTED_TOKEN: 'check the quoting and the indentation of this line',
};

/** "Flow map must end with a }", "Flow sequence in block collection must ... end with a ]". */
const isUnclosedFlow = (e: YAMLError) => /end with an? [\]}]$/.test(e.message.split('\n')[0] ?? '');
const isUnclosedQuote = (e: YAMLError) => e.code === 'MISSING_CHAR' && /quote/.test(e.message);

/**
 * `doc`: the document as far as it was composed; its pairs tell which key an error stands in.
 * `json`: word the problem as JSON's, where JSON finds one.
 */
export function syntaxProblems(
  text: string,
  doc: { errors: readonly YAMLError[]; contents: unknown },
  at: At,
  json: boolean,
): Problem[] {
  const pairs = pairsIn(doc.contents);
  const asJson = json ? jsonProblem(text) : undefined;
  const found = asJson ? [hideSecret(asJson, pairs)] : yamlProblems(text, doc.errors, pairs, at);
  return found.map((f) => ({
    severity: 'error',
    path: f.path ?? [],
    ...at(f.offset),
    message: `${f.lang}: ${f.words}${f.hint ? `; ${f.hint}` : ''}`,
  }));
}

/** A parser's words in a secret field may quote the secret: say where it is and what to write. */
function hideSecret(f: Found, pairs: PairAt[]): Found {
  const field = secretFieldAt(pairs, f.offset);
  if (!field) return f;
  const hint = [f.hint, keepSecret('it')].filter(Boolean).join('; ');
  return { ...f, path: field.path, words: `this ${field.noun} cannot be read (not shown)`, hint };
}

function yamlProblems(text: string, errors: readonly YAMLError[], pairs: PairAt[], at: At): Found[] {
  // An unclosed quote swallows the bracket that would close its collection: one mistake, one line.
  const quote = errors.some(isUnclosedQuote);
  const opener = quote ? undefined : unclosedOpener(text);
  const shown = errors.filter((e) => !(isUnclosedFlow(e) && (quote || opener)));
  const out = shown.slice(0, MAX_LISTED).map((e): Found => {
    const dup = e.code === 'DUPLICATE_KEY' ? duplicateKey(e.pos[0], pairs, at) : undefined;
    if (dup) return dup;
    const first = e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? e.message;
    return hideSecret({ offset: e.pos[0], lang: 'YAML', words: first, hint: YAML_HINTS[e.code] }, pairs);
  });
  const unlisted = shown[MAX_LISTED];
  if (unlisted) {
    const more = shown.length - MAX_LISTED;
    out.push({
      offset: unlisted.pos[0],
      lang: 'YAML',
      words: `${more} more errors from here on, not listed`,
      hint: 'fix the ones above and check again',
    });
  }
  if (opener) {
    const [closer, what] = opener.char === '[' ? [']', 'list'] : ['}', 'mapping'];
    out.push({
      offset: opener.offset,
      lang: 'YAML',
      words: `this ${opener.char} is never closed; end the ${what} with ${closer} (close every quote, bracket and brace)`,
    });
  }
  return out;
}

/** yaml says only "Map keys must be unique", at the second: name the key, and where it first stood. */
function duplicateKey(offset: number, pairs: PairAt[], at: At): Found | undefined {
  const dup = pairs.find(({ pair }) => isScalar(pair.key) && pair.key.range?.[0] === offset);
  const key = dup?.pair.key;
  if (!dup || !isScalar(key)) return undefined;
  const first = dup.map.items.find((p) => isScalar(p.key) && p.key.value === key.value)?.key;
  const firstAt = isScalar(first) && first.range ? at(first.range[0]) : undefined;
  if (!firstAt || first === key) return undefined;
  // The path stays the file's, as for every syntax error: the message names the key.
  return {
    offset,
    lang: 'YAML',
    words: `key ${quoted(String(key.value))} is given twice in this mapping (first at ${firstAt.line}:${firstAt.col})`,
    hint: YAML_HINTS.DUPLICATE_KEY,
  };
}

/** The innermost `[` or `{` left unclosed: the one to close first. */
function unclosedOpener(text: string): { offset: number; char: string } | undefined {
  let last: { offset: number; char: string } | undefined;
  const note = (t: CST.Token | null | undefined) => {
    if (t?.type !== 'flow-collection') return;
    const closer = t.start.source === '[' ? 'flow-seq-end' : 'flow-map-end';
    if (!t.end.some((e) => e.type === closer) && (!last || t.offset > last.offset))
      last = { offset: t.offset, char: t.start.source };
  };
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    note(token.value);
    CST.visit(token, (item) => {
      note(item.key);
      note(item.value);
    });
  }
  return last;
}

/** JSON.parse's complaint -> JSON words. `after`: the fix goes right after the previous token. */
const JSON_WORDS: { said: RegExp; words: string; after?: boolean }[] = [
  {
    said: /Expected ',' or '}' after property value/,
    words: 'missing comma after this value, or the { is never closed',
    after: true,
  },
  {
    said: /Expected ',' or ']' after array element/,
    words: 'missing comma after this item, or the [ is never closed',
    after: true,
  },
  { said: /Expected ':' after property name/, words: 'missing colon after this key', after: true },
  {
    said: /Expected (double-quoted )?property name/,
    words: 'expected a "quoted" key; JSON allows no comma after the last item',
  },
  { said: /Unterminated string/, words: 'a string is never closed; add the closing "' },
  { said: /Unexpected end of JSON input/, words: 'the file ends too early; close every { and [' },
  {
    said: /Unexpected non-whitespace character after JSON/,
    words: 'text after the end of the document; remove it, or the extra } or ]',
  },
];

/** V8 quotes the text around the error ("Unexpected token 'x', ..."text"... is not valid JSON"). */
const V8_EXCERPT = /,? ?(?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s;

/** JSON's own verdict on a JSON file; undefined when JSON finds nothing wrong (the YAML errors stand). */
function jsonProblem(text: string): Found | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    const position = /at position (\d+)/.exec(message);
    let offset = position ? Number(position[1]) : text.trimEnd().length;
    const known = JSON_WORDS.find((w) => w.said.test(message));
    if (known?.after) {
      while (offset > 0 && /\s/.test(text[offset - 1] ?? '')) offset--;
      offset = Math.max(0, offset - 1);
    }
    const said = message.replace(/ in JSON at position \d+.*$/, '').replace(V8_EXCERPT, '');
    return { offset, lang: 'JSON', words: known?.words ?? (said || 'not valid JSON') };
  }
}

/** Building values from a document throws, rather than reports, when aliases expand too far. */
export function expansionProblem(e: unknown): Problem {
  const message = e instanceof Error ? e.message : String(e);
  return {
    severity: 'error',
    path: [],
    line: 0,
    col: 0,
    message: /alias/i.test(message)
      ? 'the file uses too many YAML aliases (*name) for a provisioning file; write the values out instead'
      : `YAML: ${message}`,
  };
}
