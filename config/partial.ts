// When the schema refuses a file, the cross-field checks still run over the parts that did parse,
// so a technician sees every problem in one pass rather than one layer at a time.
import type { z } from 'zod';
import { type Config, configSchema, device } from './schema.ts';

type Shape = Record<string, z.ZodType>;

export function partialConfig(raw: Record<string, unknown>): { config: Config; rowIndex: number[] } {
  const shape = configSchema.shape as unknown as Shape;
  const out: Record<string, unknown> = {};
  const rowIndex: number[] = [];
  for (const [key, schema] of Object.entries(shape)) {
    const whole = schema.safeParse(raw[key]);
    if (whole.success) out[key] = whole.data;
    else if (key === 'devices' && Array.isArray(raw[key]))
      out[key] = raw[key].flatMap((row, i) => {
        const r = device.safeParse(row);
        if (r.success) rowIndex.push(i);
        return r.success ? [r.data] : [];
      });
    else if (key === 'rooms' && Array.isArray(raw[key]))
      out[key] = raw[key].filter((r) => typeof r === 'string');
    else {
      const fallback = schema.safeParse(undefined);
      out[key] = fallback.success ? fallback.data : key === 'rules' ? {} : undefined;
    }
  }
  out.rules ??= {};
  out.rooms ??= [];
  out.devices ??= [];
  if (rowIndex.length === 0) rowIndex.push(...(out.devices as unknown[]).map((_, i) => i));
  return { config: out as Config, rowIndex };
}
