// When the schema refuses a file, the cross-field checks still run over the parts that did parse,
// so a technician sees every problem in one pass rather than one layer at a time. What was refused
// is passed on too: a check must not report the absence of what is only unreadable.
import type { z } from 'zod';
import type { CheckContext, Refused } from './check.ts';
import { type Config, configSchema, device } from './schema.ts';

type Shape = Record<string, z.ZodType>;

export function partialConfig(raw: Record<string, unknown>): CheckContext & { config: Config } {
  const shape = configSchema.shape as unknown as Shape;
  const out: Record<string, unknown> = {};
  const rowIndex: number[] = [];
  const refused: Refused = { rooms: false, devices: false };
  for (const [key, schema] of Object.entries(shape)) {
    const whole = schema.safeParse(raw[key]);
    if (whole.success) {
      out[key] = whole.data;
      if (key === 'devices') rowIndex.push(...(whole.data as unknown[]).map((_, i) => i));
    } else if (key === 'devices' && Array.isArray(raw[key])) {
      const ids = new Set<string>();
      out[key] = raw[key].flatMap((row: unknown, i) => {
        const r = device.safeParse(row);
        if (r.success) rowIndex.push(i);
        else ids.add(String((row as { id?: unknown } | null)?.id));
        return r.success ? [r.data] : [];
      });
      refused.devices = true;
      refused.deviceIds = ids;
    } else if (key === 'rooms' && Array.isArray(raw[key]))
      out[key] = raw[key].filter((r) => typeof r === 'string');
    else {
      if (key === 'rooms') refused.rooms = true;
      if (key === 'devices') refused.devices = true;
      if (key === 'speaker') refused.speaker = true;
      const fallback = schema.safeParse(undefined);
      out[key] = fallback.success ? fallback.data : undefined;
    }
  }
  out.rules ??= {};
  out.rooms ??= [];
  out.devices ??= [];
  return { config: out as Config, rowIndex, refused };
}
