// Finds which keys the schema allows at a path of the document, for "did you mean" hints.
import type { z } from 'zod';
import type { Path } from './problems.ts';
import { valueAt } from './zod-messages.ts';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

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

function step(schema: unknown, key: string | number, value: unknown): unknown {
  const s = unwrap(schema);
  const d = defOf(s);
  if (d.type === 'object') return (d.shape as Record<string, unknown>)[String(key)];
  if (d.type === 'array') return d.element;
  if (d.type === 'union') return pick(d, value)?.[0] ? step(pick(d, value)?.[0], key, value) : undefined;
  return undefined;
}

/** For a discriminated union, the option matching the value's discriminator. */
function pick(d: Def, value: unknown): unknown[] | undefined {
  const disc = d.discriminator as string | undefined;
  const options = d.options as unknown[];
  if (!disc || value === null || typeof value !== 'object') return undefined;
  const want = (value as Record<string, unknown>)[disc];
  const match = options.find((o) => {
    const shape = defOf(unwrap(o)).shape as Record<string, unknown> | undefined;
    const lit = shape?.[disc] ? defOf(unwrap(shape[disc])) : undefined;
    return (lit?.values as unknown[] | undefined)?.includes(want);
  });
  return match ? [match] : undefined;
}

export function keysAt(root: z.ZodType, raw: unknown, path: Path): string[] {
  let s: unknown = root;
  for (let i = 0; i < path.length && s; i++) {
    const k = path[i] as string | number;
    const parentValue = valueAt(raw, path.slice(0, i));
    const d = defOf(unwrap(s));
    if (d.type === 'union') {
      const opt = pick(d, parentValue)?.[0];
      s = opt ? step(opt, k, valueAt(raw, path.slice(0, i + 1))) : undefined;
    } else s = step(s, k, valueAt(raw, path.slice(0, i + 1)));
  }
  if (!s) return [];
  let d = defOf(unwrap(s));
  if (d.type === 'union') {
    const opt = pick(d, valueAt(raw, path))?.[0];
    if (!opt) return [];
    d = defOf(unwrap(opt));
  }
  return d.type === 'object' ? Object.keys(d.shape as object).filter((k) => k !== '$schema') : [];
}
