// Turns zod's issues into sentences a technician can act on: what is wrong; what is allowed.
import type { z } from 'zod';
import { didYouMean, listOf, type Path, quoted } from './problems.ts';
import { valueAt } from './schema-walk.ts';

type Issue = z.core.$ZodIssue;
export type Located = { path: Path; message: string; atKey?: boolean };

/** What the schema knows about a path of the document being described. */
export type SchemaLookup = {
  /** Keys an object at the path allows, for "did you mean" on unknown keys. */
  knownKeys: (path: Path) => string[];
  /** The field's own schema, to try a value as the text it may have been meant as. */
  fieldAt: (path: Path) => z.ZodType | undefined;
};

/** zod's built-in wording; anything else is a message the schema wrote for a technician. */
const isZodDefault = (message: string): boolean => /^(Invalid|Too (big|small)|Unrecognized)/.test(message);

const typeName = (v: unknown): string =>
  v === null
    ? 'an empty value'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'a mapping'
        : `${typeof v} ${quoted(v)}`;

const expectedName: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of keys',
};

/**
 * YAML reads `id: 42` or `resident: 4857773456` as numbers. Telling a technician to quote the
 * value is right only if the quoted text would pass; otherwise the text's own problem is the one
 * to report (a quoted NHS number is still an NHS number).
 */
function problemAsText(got: number | boolean, field: z.ZodType | undefined): string | undefined {
  const r = field?.safeParse(String(got));
  const own = r?.error?.issues.find((i) => i.code !== 'invalid_type' && !isZodDefault(i.message));
  return own && `${String(got)}: ${own.message}`;
}

/**
 * "expected X" (in the schema's own words when it has them) and what was written instead.
 * `text`: the field takes text, so a number or true/false may only need quoting.
 */
function wrongType(want: string, got: unknown, text?: { field: z.ZodType | undefined }): string {
  if (got === undefined) return `missing; ${want}`;
  if (!text || (typeof got !== 'number' && typeof got !== 'boolean')) return `${want}; got ${typeName(got)}`;
  return problemAsText(got, text.field) ?? `${want}; got ${typeName(got)} (quote it if it is text)`;
}

/** One zod issue -> one or more located messages. */
export function describeIssue(issue: Issue, raw: unknown, lookup: SchemaLookup): Located[] {
  const path = issue.path as Path;
  const got = valueAt(raw, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = lookup.knownKeys(path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        atKey: true,
        message: `unknown key ${quoted(key)}${didYouMean(key, allowed)}; allowed here: ${listOf(allowed)}`,
      }));
    }
    case 'invalid_type': {
      const want = isZodDefault(issue.message)
        ? `expected ${expectedName[issue.expected] ?? issue.expected}`
        : issue.message;
      const text = issue.expected === 'string' ? { field: lookup.fieldAt(path) } : undefined;
      return [{ path, message: wrongType(want, got, text) }];
    }
    case 'invalid_union': {
      if ('note' in issue && issue.note === 'No matching discriminator') {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        if (got === undefined) return [{ path, message: `missing; expected one of: ${listOf(options)}` }];
        return [
          {
            path,
            message: `unknown ${String(path.at(-1))} ${quoted(got)}${didYouMean(String(got), options)}; allowed: ${listOf(options)}`,
          },
        ];
      }
      // A union of alternatives (e.g. a duration or `off`): its own message names them all; failing
      // that, the first branch's message is the clearest.
      const first = issue.errors[0]?.[0]?.message ?? '';
      const own = [issue.message, first].find((m) => !isZodDefault(m));
      return [{ path, message: wrongType(own ?? issue.message, got) }];
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      // A required choice left out (an esphome row without kind): a schema's message for a choice
      // among several is about a wrong word, so say what is missing and list every choice.
      if (got === undefined) {
        const want =
          allowed.length > 1 || isZodDefault(issue.message)
            ? `expected one of: ${allowed.join(', ')}`
            : issue.message;
        return [{ path, message: `missing; ${want}` }];
      }
      // Only a word can be a typo of another: no "did you mean 1" for `version: 2`.
      const hint = typeof got === 'string' ? didYouMean(got, allowed) : '';
      if (isZodDefault(issue.message)) {
        return [
          {
            path,
            message: `${quoted(got)} is not allowed${hint}; allowed: ${listOf(allowed)}`,
          },
        ];
      }
      return [{ path, message: `${quoted(got)}: ${issue.message}${hint}` }];
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
      return [{ path, message: `${quoted(got)} is out of range; expected ${word} ${what}` }];
    }
    case 'invalid_format':
    case 'custom':
      return [{ path, message: `${quoted(got)}: ${issue.message}` }];
    default:
      return [{ path, message: issue.message }];
  }
}
