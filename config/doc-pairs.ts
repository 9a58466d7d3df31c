// The key-value pairs of a YAML document with their paths, for what is found by its place in the
// text (a syntax error's offset) rather than by its value. Works on a document with errors too.
// Recursion is bounded: readDocument checks the nesting before the document is composed.
import { isMap, isScalar, isSeq, type Pair, type YAMLMap } from 'yaml';
import type { Path } from './problems.ts';

export type PairAt = { pair: Pair; path: Path; map: YAMLMap };

export function pairsIn(node: unknown, path: Path = [], out: PairAt[] = []): PairAt[] {
  if (isMap(node))
    for (const pair of node.items) {
      const at = [...path, isScalar(pair.key) ? String(pair.key.value) : '?'];
      out.push({ pair, path: at, map: node });
      pairsIn(pair.value, at, out);
    }
  else if (isSeq(node)) for (const [i, item] of node.items.entries()) pairsIn(item, [...path, i], out);
  return out;
}

/** Where a pair stands in the text: from its key to the end of its value. */
export function pairRange({ pair }: PairAt): [number, number] | undefined {
  const start = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
  const value = pair.value as { range?: [number, number, number] } | null;
  const end = value?.range?.[2] ?? (isScalar(pair.key) ? pair.key.range?.[2] : undefined);
  return start === undefined || end === undefined ? undefined : [start, end];
}
