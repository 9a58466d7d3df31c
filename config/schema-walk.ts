// Finds the schema that governs a path of the document: which keys it allows (for "did you
// mean"), and the field schema itself (to ask how a value would fare written as text).
import type { z } from 'zod';
import type { Path } from './problems.ts';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** The value at `path` inside the raw document, for messages that quote what was written. */
export function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** Unwraps optional/default/pipe layers to the schema that holds the value's shape. */
function unwrap(schema: unknown): unknown {
  let s = schema;
  for (;;) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe') s = d.in;
    else return s;
  }
}

/** For a discriminated union, the option matching the value's discriminator. */
function pick(d: Def, value: unknown): unknown {
  const disc = d.discriminator as string | undefined;
  if (!disc || value === null || typeof value !== 'object') return undefined;
  const want = (value as Record<string, unknown>)[disc];
  return (d.options as unknown[]).find((o) => {
    const shape = defOf(unwrap(o)).shape as Record<string, unknown> | undefined;
    const lit = shape?.[disc] ? defOf(unwrap(shape[disc])) : undefined;
    return (lit?.values as unknown[] | undefined)?.includes(want);
  });
}

/** A discriminated union resolved to the option the value names; any other schema as it is. */
function resolve(schema: unknown, value: unknown): unknown {
  const d = defOf(unwrap(schema));
  return d.type === 'union' && d.discriminator ? pick(d, value) : schema;
}

/**
 * The schema of the field at `path`, as declared (refinements and messages included), or
 * undefined where the document leaves the schema (unknown keys, an undecidable union).
 */
export function schemaAt(root: z.ZodType, raw: unknown, path: Path): z.ZodType | undefined {
  let s: unknown = root;
  for (let i = 0; i < path.length && s; i++) {
    const here = resolve(s, valueAt(raw, path.slice(0, i)));
    if (!here) return undefined;
    const d = defOf(unwrap(here));
    s =
      d.type === 'object'
        ? (d.shape as Record<string, unknown>)[String(path[i])]
        : d.type === 'array'
          ? d.element
          : undefined;
  }
  return s as z.ZodType | undefined;
}

export function keysAt(root: z.ZodType, raw: unknown, path: Path): string[] {
  const s = schemaAt(root, raw, path);
  const here = s && resolve(s, valueAt(raw, path));
  const d = here ? defOf(unwrap(here)) : undefined;
  return d?.type === 'object' ? Object.keys(d.shape as object).filter((k) => k !== '$schema') : [];
}
