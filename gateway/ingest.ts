// Ingest: a source's Reading -> an Event placed in its room, or a counted refusal.
// Room, role and kind come from the provisioning file, never from the device. Pure.
import type { Config, Device } from '../config/schema.ts';
import { type Event, readingSchema, rowTakes } from '../core/reading.ts';

export type DropReason = 'unknown_device' | 'invalid' | 'kind_not_configured' | 'output_device';
export type IngestResult = { ok: true; event: Event } | { ok: false; reason: DropReason; detail: string };

export type DeviceIndex = ReadonlyMap<string, Device>;

/** The kind a row's readings have when the row names none and its source has only one. */
export function rowKind(row: Device): string | undefined {
  if ('kind' in row && row.kind) return row.kind;
  if (row.source === 'ibeacon') return 'presence';
  if (row.source === 'heart-rate') return 'heart_rate';
  return undefined;
}

export const indexDevices = (config: Pick<Config, 'devices'>): DeviceIndex =>
  new Map(config.devices.map((d) => [d.id, d]));

export function ingest(devices: DeviceIndex, input: unknown): IngestResult {
  const parsed = readingSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      ok: false,
      reason: 'invalid',
      detail: `${first?.path.join('.') || 'reading'}: ${first?.message}`,
    };
  }
  const r = parsed.data;
  const row = devices.get(r.device);
  if (!row) return { ok: false, reason: 'unknown_device', detail: r.device };
  const rowKind = 'kind' in row ? row.kind : undefined;
  if (rowKind === 'output') return { ok: false, reason: 'output_device', detail: r.device };
  // Its own kind, its health, and a presence radar's falls (core/reading.ts ALSO_TAKES).
  if (rowKind && !rowTakes(rowKind, r.kind))
    return { ok: false, reason: 'kind_not_configured', detail: `${r.device} is ${rowKind}, got ${r.kind}` };
  return { ok: true, event: { ...r, room: row.room ?? null, role: row.role ?? null } };
}
