// The home model as it is stored across restarts, versioned as a rule's state is. Version 1 was
// the home state before the model (last signs of life, away, the door, the tag): it is migrated,
// keeping what it knew, so an upgrade neither forgets that she is out nor restarts with an alert.
import { z } from 'zod';
import type { Versioned } from '../rules/versioned.ts';
import { type HomeModel, initHomeModel } from './model.ts';

const value = z.union([z.string(), z.number(), z.boolean()]);
const mat = z.object({
  kind: z.enum(['bed', 'chair']),
  room: z.string().nullable(),
  raw: z.boolean(),
  rawSince: z.number(),
  held: z.boolean(),
});

const homeModel = z.object({
  place: z.enum(['out', 'bed', 'chair', 'room', 'unknown']),
  room: z.string().nullable(),
  placeSince: z.number().nullable(),
  lastLifeAt: z.number().nullable(),
  lastLifeRoom: z.string().nullable(),
  lastLifeDevice: z.string().nullable(),
  lastOutsideBedroomAt: z.number().nullable(),
  values: z.record(z.string(), value),
  mats: z.record(z.string(), mat),
  inBed: z.boolean(),
  inBedSince: z.number().nullable(),
  present: z.record(
    z.string(),
    z.object({ room: z.string().nullable(), since: z.number(), moving: z.boolean() }),
  ),
  out: z.object({ since: z.number(), evidence: z.enum(['door', 'door and tag']) }).nullable(),
  arrivedAt: z.number().nullable(),
  doorClosedAt: z.number().nullable(),
  wearablePresent: z.boolean().nullable(),
  wearableSince: z.number().nullable(),
}) satisfies z.ZodType<HomeModel>;

/** What version 1 kept. */
const v1 = z.object({
  lastLifeAt: z.number().nullable(),
  lastLifeRoom: z.string().nullable(),
  lastOutsideBedroomAt: z.number().nullable(),
  values: z.record(z.string(), value),
  away: z.boolean(),
  awaySince: z.number().nullable(),
  doorClosedAt: z.number().nullable(),
  wearablePresent: z.boolean().nullable(),
});

export const HOME_MODEL: Versioned<HomeModel> = {
  stateVersion: 2,
  stateSchema: homeModel,
  migrate(old, fromVersion) {
    if (fromVersion !== 1) return undefined;
    const r = v1.safeParse(old);
    if (!r.success) return undefined;
    const s = r.data;
    const out = s.away ? { since: s.awaySince ?? s.lastLifeAt ?? 0, evidence: 'door' as const } : null;
    return {
      ...initHomeModel(),
      place: out ? 'out' : 'unknown',
      placeSince: out ? out.since : null,
      lastLifeAt: s.lastLifeAt,
      lastLifeRoom: s.lastLifeRoom,
      lastOutsideBedroomAt: s.lastOutsideBedroomAt,
      // Version 1 kept one value per device, whatever its kind: compared with the next reading
      // of another kind it would be taken for a change. Each kind starts without one instead.
      values: {},
      out,
      doorClosedAt: s.doorClosedAt,
      wearablePresent: s.wearablePresent,
    };
  },
};
