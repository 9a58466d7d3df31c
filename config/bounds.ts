// A provisioning file is bounded before anything recurses over it: its size, and how deeply its
// lists and mappings nest. yaml's composer, toJS, zod and the walkers of config/ recurse once per
// level, so 600 KB of `[` took 10 s and a gigabyte to end in a stack overflow with no location.
// yaml's Lexer and its CST Parser do not recurse (the Parser keeps the open collections in an
// array), so they measure the depth as they read and stop at the first level too deep.
// Aliases can nest the values deeper than the text, but yaml's maxAliasCount (100) allows a chain
// of a few of them only: a few hundred levels at most, well within the stack.
import { Lexer, Parser } from 'yaml';
import type { Problem } from './problems.ts';

/** A provisioning file is a few kilobytes; anything this large is a mistake, not a home. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Lists and mappings inside each other: the reference home needs 5, a hub file 4. */
export const MAX_CONFIG_DEPTH = 32;

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

export const tooLargeMessage = (bytes: number): string =>
  `is ${(bytes / 1_048_576).toFixed(1)} MB; a provisioning file is at most ${MAX_CONFIG_BYTES / 1_048_576} MB (is this the right file?)`;

/** The offset where a list or mapping opens deeper than `limit`, or undefined. */
export function tooDeepAt(text: string, limit = MAX_CONFIG_DEPTH): number | undefined {
  const parser = new Parser();
  for (const lexeme of new Lexer().lex(text)) {
    const offset = parser.offset;
    for (const _ of parser.next(lexeme)) {
      // Finished documents are dropped: only the depth is wanted here.
    }
    // The stack also holds the document and the scalar being read: count its collections only.
    if (parser.stack.length > limit && parser.stack.filter((t) => COLLECTIONS.has(t.type)).length > limit)
      return offset;
  }
  return undefined;
}

/** 1-based line and column of an offset, without a parse. */
function placeOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

/** The text's size or nesting refused, where it went too far; undefined within bounds. */
export function boundsProblem(text: string): Problem | undefined {
  const problem = (message: string, at = { line: 0, col: 0 }): Problem => ({
    severity: 'error',
    path: [],
    ...at,
    message,
  });
  // A string's length never exceeds its UTF-8 bytes: this holds the loader's bound for any caller.
  if (text.length > MAX_CONFIG_BYTES) return problem(`the text ${tooLargeMessage(text.length)}`);
  const deep = tooDeepAt(text);
  if (deep === undefined) return undefined;
  return problem(
    `nested more than ${MAX_CONFIG_DEPTH} levels deep here (lists and mappings inside each other); a provisioning file needs 6 at most: is this the right file?`,
    placeOf(text, deep),
  );
}
