// When the schema refuses a file, the cross-field checks still run over the parts that did parse,
// so a technician sees every problem in one pass rather than one layer at a time. What was refused
// is passed on too: a check must not report the absence of what is only unreadable.
import type { z } from 'zod';
import type { CheckContext, Refused } from './check.ts';
import { type Config, configSchema, device } from './schema.ts';
import { keysAt, schemaAt } from './schema-walk.ts';

type Shape = Record<string, z.ZodType>;
type Raw = Record<string, unknown>;

const isMapping = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The fields of a refused mapping that parse on their own (absent or refused ones take their
 * default, if they have one), and the refused fields' names.
 */
function readableFields(root: Raw, path: string[]): { value: Raw; refused: string[] } {
  const value: Raw = {};
  const refused: string[] = [];
  const written = root[path[0] as string];
  const here = path.slice(1).reduce<unknown>((v, k) => (isMapping(v) ? v[k] : undefined), written);
  if (!isMapping(here)) return { value, refused };
  for (const key of keysAt(configSchema, root, path)) {
    const schema = schemaAt(configSchema, root, [...path, key]);
    if (!schema) continue;
    const r = schema.safeParse(here[key]);
    if (!r.success) refused.push(key);
    const v = r.success ? r : schema.safeParse(undefined);
    if (v.success && v.data !== undefined) value[key] = v.data;
  }
  return { value, refused };
}

/** Each rule that parses whole, and of a refused one the fields that parse on their own. */
function readableRules(root: Raw, refused: Refused): Raw {
  const out: Raw = {};
  const written = isMapping(root.rules) ? root.rules : {};
  const fields = new Set<string>();
  for (const name of keysAt(configSchema, root, ['rules'])) {
    const schema = schemaAt(configSchema, root, ['rules', name]);
    const whole = schema?.safeParse(written[name]);
    if (whole?.success) {
      if (whole.data !== undefined) out[name] = whole.data;
      continue;
    }
    if (!isMapping(written[name])) continue;
    const part = readableFields(root, ['rules', name]);
    out[name] = part.value;
    for (const f of part.refused) fields.add(`${name}.${f}`);
  }
  refused.ruleFields = fields;
  return out;
}

/** Readable device rows, with the file index of each, and the ids written on refused rows. */
function readableDevices(rows: unknown[], rowIndex: number[], refused: Refused): unknown[] {
  const ids = new Map<string, number>();
  let unnamed = false;
  const out = rows.flatMap((row: unknown, i) => {
    const r = device.safeParse(row);
    if (r.success) {
      rowIndex.push(i);
      return [r.data];
    }
    const id = isMapping(row) ? row.id : undefined;
    if (typeof id === 'string') {
      if (!ids.has(id)) ids.set(id, i);
    } else unnamed = true;
    return [];
  });
  refused.devices = true;
  // A refused row without a readable id could be any device a rule names.
  if (!unnamed) refused.deviceIds = ids;
  return out;
}

/** Sections whose own cross-field checks still run on the fields that parse. */
const BY_FIELD = new Set(['local_broker', 'relay']);

export function partialConfig(raw: Raw): CheckContext & { config: Config } {
  const shape = configSchema.shape as unknown as Shape;
  const out: Raw = {};
  const rowIndex: number[] = [];
  const refused: Refused = { rooms: false, devices: false };
  for (const [key, schema] of Object.entries(shape)) {
    const whole = schema.safeParse(raw[key]);
    if (whole.success) {
      out[key] = whole.data;
      if (key === 'devices') rowIndex.push(...(whole.data as unknown[]).map((_, i) => i));
    } else if (key === 'devices' && Array.isArray(raw[key]))
      out[key] = readableDevices(raw[key], rowIndex, refused);
    else if (key === 'rooms' && Array.isArray(raw[key]))
      out[key] = raw[key].filter((r) => typeof r === 'string');
    else if (key === 'rules') out[key] = readableRules(raw, refused);
    else if (BY_FIELD.has(key) && isMapping(raw[key])) out[key] = { ...readableFields(raw, [key]).value };
    else {
      if (key === 'rooms') refused.rooms = true;
      if (key === 'devices') refused.devices = true;
      if (key === 'speaker') refused.speaker = true;
      const fallback = schema.safeParse(undefined);
      out[key] = fallback.success ? fallback.data : undefined;
    }
  }
  out.rooms ??= [];
  out.devices ??= [];
  return { config: out as Config, rowIndex, refused };
}
