// parse -> check: provisioning text in, a Config or every problem out, each placed at its line
// and column. Pure: no file system, no environment (references are resolved by the loader).
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { boundsProblem } from './bounds.ts';
import { checkConfig } from './check.ts';
import { partialConfig } from './partial.ts';
import type { Path, Problem } from './problems.ts';
import { type Config, configSchema } from './schema.ts';
import { keysAt, schemaAt } from './schema-walk.ts';
import { withoutSecrets } from './secrets.ts';
import { expansionProblem, syntaxProblems } from './syntax.ts';
import { describeIssue } from './zod-messages.ts';

export type ParseResult = {
  config?: Config;
  raw?: unknown;
  problems: Problem[];
  /** Line and column of the value at a path of this document. */
  locate?: (path: Path) => { line: number; col: number };
};

export type ReadDocument =
  | { problems: Problem[] }
  | { raw: unknown; root: Node | null; at: (offset: number) => { line: number; col: number } };

/**
 * A YAML (or JSON) file's value, with what finds a line and column in it, or its syntax problems.
 * `json`: the file is named .json, so syntax errors are worded for JSON (as they are for text
 * starting with `{`). Shared by every file the project reads: the home's and the hub's.
 */
export function readDocument(text: string, opts: { json?: boolean } = {}): ReadDocument {
  const bounds = boundsProblem(text);
  if (bounds) return { problems: [bounds] };
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
    // yaml's warnings go to process.emitWarning, a line of stderr in the middle of check-config's.
    logLevel: 'error',
  });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return { line: p.line, col: p.col };
  };
  if (doc.errors.length > 0)
    return { problems: syntaxProblems(text, doc, at, opts.json || text.trimStart().startsWith('{')) };
  try {
    return { raw: doc.toJS({ maxAliasCount: 100 }), root: doc.contents as Node | null, at };
  } catch (e) {
    return { problems: [expansionProblem(e)] };
  }
}

export function parseConfigText(text: string, opts: { json?: boolean } = {}): ParseResult {
  const read = readDocument(text, opts);
  if ('problems' in read) return read;
  const { raw, root, at } = read;
  if (raw === null || raw === undefined)
    return {
      problems: [
        {
          severity: 'error',
          path: [],
          line: 0,
          col: 0,
          message: 'the file is empty; expected a provisioning file starting with "version: 1"',
        },
      ],
    };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return {
      problems: [
        {
          severity: 'error',
          path: [],
          line: 1,
          col: 1,
          message: `expected a mapping of sections (version, gateway, rooms, devices, ...); got ${Array.isArray(raw) ? 'a list' : 'a single value'}`,
        },
      ],
    };

  const locate = (path: Path, atKey = false) => {
    const { node, key } = nodeAt(root, path);
    // A whole block mapping (a rule, `gateway`) is found by the key naming it: its first line
    // is just one of its keys, and the one a technician would least expect.
    const target = key && (atKey || (isMap(node) && !node.flow)) ? key : node;
    return target?.range ? at(target.range[0]) : { line: 1, col: 1 };
  };

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = schemaProblems(configSchema, raw, parsed.error.issues, locate);
    const { config, ...context } = partialConfig(raw as Record<string, unknown>);
    const cross = checkConfig(config, context);
    for (const f of cross) problems.push({ ...f, ...locate(f.path) });
    return { raw, locate, problems: sortProblems(withoutSecrets(problems, raw, locate)) };
  }
  const checked = checkConfig(parsed.data).map((f): Problem => ({ ...f, ...locate(f.path) }));
  const problems = withoutSecrets(checked, raw, locate);
  const failed = problems.some((p) => p.severity === 'error');
  return { raw, locate, config: failed ? undefined : parsed.data, problems: sortProblems(problems) };
}

export const sortProblems = (ps: Problem[]) => ps.sort((a, b) => a.line - b.line || a.col - b.col);

/** What a schema refused in a document, each issue in words and at its line and column. */
export function schemaProblems(
  schema: z.ZodType,
  raw: unknown,
  issues: z.core.$ZodIssue[],
  locate: (path: Path, atKey?: boolean) => { line: number; col: number },
): Problem[] {
  const lookup = {
    knownKeys: (p: Path) => keysAt(schema, raw, p),
    fieldAt: (p: Path) => schemaAt(schema, raw, p),
  };
  return issues.flatMap((issue) =>
    describeIssue(issue, raw, lookup).map(
      (l): Problem => ({
        severity: 'error',
        path: l.path,
        message: l.message,
        atKey: l.atKey,
        ...locate(l.path, l.atKey),
      }),
    ),
  );
}

/** The YAML node at a path and the key naming it, or the deepest ancestor that exists. */
export function nodeAt(root: Node | null, path: Path): { node: Node | null; key: Node | null } {
  let node: Node | null = root;
  let key: Node | null = null;
  for (const k of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(k));
      if (!pair) break;
      key = pair.key as Node;
      node = (pair.value as Node | null) ?? key;
    } else if (isSeq(node) && typeof k === 'number' && node.items[k]) {
      key = null;
      node = node.items[k] as Node;
    } else break;
  }
  return { node, key };
}
