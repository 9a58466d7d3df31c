// The Reading: what every source produces (DESIGN.md section 3, a contract).
import { z } from 'zod';
import { kind } from '../config/schema.ts';

export { KINDS, type Kind } from '../config/schema.ts';

export const readingSchema = z.strictObject({
  device: z.string().min(1),
  at: z.number().int().nonnegative().describe('epoch ms'),
  kind,
  value: z.union([z.number().finite(), z.boolean(), z.string().max(256)]),
  /** Extra facts a decoder saw (distance, energy, rssi of the advert): kept with the event, never relayed. */
  facts: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).optional(),
});
export type Reading = z.infer<typeof readingSchema>;

/** A Reading accepted by ingest: placed in its room, with the device's role. */
export type Event = Reading & { room: string | null; role: string | null };
