// Bed and chair mats, debounced: a mat's change counts once it has held for a while. A cheap mat
// flickers (in one real home its "on" lasted a median of one second) and each flicker would be
// a getting up and a lying down. Several mats in one room's bed are one bed: the bed is occupied
// while any of them is. Pure.

export type MatState = {
  kind: 'bed' | 'chair';
  room: string | null;
  /** What the mat says now. */
  raw: boolean;
  /** Since when it has said it. */
  rawSince: number;
  /** What counts: the last value that held. */
  held: boolean;
};

export type MatChange = {
  at: number;
  room: string | null;
  device: string;
  kind: 'bed' | 'chair';
  value: boolean;
};

export function matStep(
  mats: Record<string, MatState>,
  device: string,
  kind: 'bed' | 'chair',
  room: string | null,
  value: boolean,
  at: number,
): Record<string, MatState> {
  const m = mats[device];
  if (m && m.raw === value) return mats;
  return { ...mats, [device]: { kind, room, raw: value, rawSince: at, held: m?.held ?? false } };
}

/** The mats whose new value has held `holdMs` by `now`: each is a change of place, at its start. */
export function settleMats(
  mats: Record<string, MatState>,
  now: number,
  holdMs: number,
): { mats: Record<string, MatState>; changes: MatChange[] } {
  const changes: MatChange[] = [];
  let out = mats;
  for (const [device, m] of Object.entries(mats)) {
    if (m.raw === m.held || now < m.rawSince + holdMs) continue;
    out = { ...out, [device]: { ...m, held: m.raw } };
    changes.push({ at: m.rawSince, room: m.room, device, kind: m.kind, value: m.raw });
  }
  return { mats: out, changes: changes.sort((a, b) => a.at - b.at) };
}

/** Occupied, of a kind (in a room): any of its mats held occupied. */
export const occupied = (mats: Record<string, MatState>, kind: 'bed' | 'chair', room?: string | null) =>
  Object.values(mats).some((m) => m.kind === kind && m.held && (room === undefined || m.room === room));
