// Syntax errors -> problems a technician can act on, placed where the fix goes. The yaml parser
// words its errors for YAML authors and places them where it gave up; a JSON file wants JSON words,
// and an unclosed bracket is fixed where it opens, not lines later where parsing failed.
import { CST, Parser, type YAMLError } from 'yaml';
import type { Problem } from './problems.ts';

type At = (offset: number) => { line: number; col: number };

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

const fileError = (at: At, offset: number, message: string): Problem => ({
  severity: 'error',
  path: [],
  ...at(offset),
  message,
});

export function syntaxProblems(text: string, errors: readonly YAMLError[], at: At, json: boolean): Problem[] {
  const asJson = json ? jsonProblem(text, at) : undefined;
  return asJson ? [asJson] : yamlProblems(text, errors, at);
}

function yamlProblems(text: string, errors: readonly YAMLError[], at: At): Problem[] {
  // An unclosed quote swallows the bracket that would close its collection: one mistake, one line.
  const quote = errors.some(isUnclosedQuote);
  const opener = quote ? undefined : unclosedOpener(text);
  const out = errors
    .filter((e) => !(isUnclosedFlow(e) && (quote || opener)))
    .map((e) => {
      const first = e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? e.message;
      const hint = YAML_HINTS[e.code];
      return fileError(at, e.pos[0], `YAML: ${first}${hint ? `; ${hint}` : ''}`);
    });
  if (opener) {
    const [closer, what] = opener.char === '[' ? [']', 'list'] : ['}', 'mapping'];
    out.push(
      fileError(
        at,
        opener.offset,
        `YAML: this ${opener.char} is never closed; end the ${what} with ${closer} (close every quote, bracket and brace)`,
      ),
    );
  }
  return out;
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

/** JSON's own verdict on a JSON file; undefined when JSON finds nothing wrong (the YAML errors stand). */
function jsonProblem(text: string, at: At): Problem | undefined {
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
    const words = known?.words ?? message.replace(/ in JSON at position \d+.*$/, '');
    return fileError(at, offset, `JSON: ${words}`);
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
