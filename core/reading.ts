// The Reading: what every source produces (DESIGN.md section 3, a contract).
import { z } from 'zod';

/** What a Reading measures (DESIGN.md section 3). */
export const KINDS = [
  'motion',
  'presence',
  'contact',
  'bed',
  'chair',
  'button',
  'fall',
  'heart_rate',
  'steps',
  'temperature',
  'humidity',
  'water_leak',
  'battery',
  'rssi',
] as const;
export const kind = z.enum(KINDS, { error: `unknown kind; allowed: ${KINDS.join(', ')}` });
export type Kind = z.infer<typeof kind>;

/**
 * The type of a Reading's value for each kind (DESIGN.md section 3): true = detected, occupied,
 * open; a button is a string event; the rest are numbers. Decoders and checks both read it.
 */
export const KIND_VALUE: Readonly<Record<Kind, 'boolean' | 'number' | 'string'>> = {
  motion: 'boolean',
  presence: 'boolean',
  contact: 'boolean',
  bed: 'boolean',
  chair: 'boolean',
  button: 'string',
  fall: 'boolean',
  heart_rate: 'number',
  steps: 'number',
  temperature: 'number',
  humidity: 'number',
  water_leak: 'boolean',
  battery: 'number',
  rssi: 'number',
};

/** Kinds any device may report whatever its row's kind: its own health. */
export const HEALTH_KINDS: readonly Kind[] = ['battery', 'rssi'];

/**
 * Kinds a row takes beyond its own and health, by the row's kind: a radar that also detects falls,
 * provisioned as the presence sensor it also is, still reports its falls. A presence row that never
 * sees a fall costs nothing; a fall lost to the kind its row was given could cost a life.
 */
export const ALSO_TAKES: Readonly<Partial<Record<Kind, readonly Kind[]>>> = { presence: ['fall'] };

/** Whether a row of `rowKind` takes a reading of `kind`: its own, its health, or what ALSO_TAKES adds. */
export const rowTakes = (rowKind: Kind, kind: Kind): boolean =>
  kind === rowKind || HEALTH_KINDS.includes(kind) || (ALSO_TAKES[rowKind]?.includes(kind) ?? false);

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
