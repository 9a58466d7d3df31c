// Turns zod's issues into sentences a technician can act on: what is wrong; what is allowed.
import type { z } from 'zod';
import { didYouMean, listOf, type Path } from './problems.ts';

type Issue = z.core.$ZodIssue;
export type Located = { path: Path; message: string; atKey?: boolean };

const typeName = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'a mapping'
        : `${typeof v} ${JSON.stringify(v)}`;

const expectedName: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of keys',
};

/** The value at `path` inside the raw document, for messages that quote what was written. */
export function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/**
 * One zod issue -> one or more located messages. `knownKeys` answers which keys an object at a
 * path allows, for "did you mean" on unknown keys.
 */
export function describeIssue(issue: Issue, raw: unknown, knownKeys: (path: Path) => string[]): Located[] {
  const path = issue.path as Path;
  const got = valueAt(raw, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = knownKeys(path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        atKey: true,
        message: `unknown key "${key}"${didYouMean(key, allowed)}; allowed here: ${listOf(allowed)}`,
      }));
    }
    case 'invalid_type': {
      if (got === undefined)
        return [{ path, message: `missing; expected ${expectedName[issue.expected] ?? issue.expected}` }];
      const custom = issue.message.startsWith('Invalid input') ? undefined : issue.message;
      return [
        {
          path,
          message:
            custom ?? `expected ${expectedName[issue.expected] ?? issue.expected}; got ${typeName(got)}`,
        },
      ];
    }
    case 'invalid_union': {
      if ('note' in issue && issue.note === 'No matching discriminator') {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        if (got === undefined) return [{ path, message: `missing; expected one of: ${listOf(options)}` }];
        return [
          {
            path,
            message: `unknown ${String(path.at(-1))} ${JSON.stringify(got)}${didYouMean(String(got), options)}; allowed: ${listOf(options)}`,
          },
        ];
      }
      // A union of alternatives (e.g. a duration or `off`): the first branch's message is the clearest.
      const first = issue.errors[0]?.[0];
      return [
        { path, message: first && !first.message.startsWith('Invalid') ? first.message : issue.message },
      ];
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      if (issue.message.startsWith('Invalid')) {
        return [
          {
            path,
            message: `${JSON.stringify(got)} is not allowed${didYouMean(String(got), allowed)}; allowed: ${listOf(allowed)}`,
          },
        ];
      }
      return [
        { path, message: `${JSON.stringify(got)}: ${issue.message}${didYouMean(String(got), allowed)}` },
      ];
    }
    case 'too_small':
    case 'too_big': {
      const bound = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      const what =
        issue.origin === 'array'
          ? `${bound} item(s)`
          : issue.origin === 'string'
            ? `${bound} character(s)`
            : bound;
      return [{ path, message: `${JSON.stringify(got)} is out of range; expected ${word} ${what}` }];
    }
    case 'invalid_format':
    case 'custom':
      return [{ path, message: `${JSON.stringify(got)}: ${issue.message}` }];
    default:
      return [{ path, message: issue.message }];
  }
}
