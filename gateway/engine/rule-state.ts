// A rule's stored state, brought back at start (pure). A state of the rule's current version that
// parses by its schema is used as it is; one of an older version is migrated by the rule; one
// that does not parse, cannot be migrated or comes from a newer Hearth is not used: the rule
// starts afresh and the care team is told, by an info alert that names the rule and says why.
// A state stored before states had versions is of version 1.
import type { AlertEmit, Versioned } from '../rules/types.ts';

export type Loaded<S> = { ok: true; state: S; migratedFrom: number | null } | { ok: false; reason: string };

/** The longest account of a problem carried by the alert (its facts are bounded). */
const MAX_PROBLEM = 200;

export function loadState<S>(v: Versioned<S>, stored: { json: string; version: number }): Loaded<S> {
  let value: unknown;
  try {
    value = JSON.parse(stored.json);
  } catch (e) {
    return { ok: false, reason: `it is not JSON (${(e as Error).message})` };
  }
  const now = v.stateVersion;
  if (stored.version > now)
    return {
      ok: false,
      reason: `it was written by a newer Hearth (version ${stored.version}; this one knows ${now})`,
    };
  let migratedFrom: number | null = null;
  if (stored.version < now) {
    const migrated = migrate(v, value, stored.version);
    if (!migrated.ok) return migrated;
    value = migrated.state;
    migratedFrom = stored.version;
  }
  const r = v.stateSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    return {
      ok: false,
      reason: `it does not fit version ${now} (${i?.path.join('.') || 'state'}: ${i?.message})`,
    };
  }
  return { ok: true, state: r.data, migratedFrom };
}

function migrate<S>(v: Versioned<S>, old: unknown, from: number): Loaded<S> {
  const to = v.stateVersion;
  if (!v.migrate)
    return { ok: false, reason: `it is of version ${from}, and version ${to} has no migration from it` };
  try {
    const state = v.migrate(old, from);
    return state === undefined
      ? { ok: false, reason: `it is of version ${from}, which cannot be migrated to version ${to}` }
      : { ok: true, state, migratedFrom: from };
  } catch (e) {
    return { ok: false, reason: `its migration from version ${from} failed (${(e as Error).message})` };
  }
}

/** How the alert names what restarted: a rule by its name, the home's own state by what it is. */
const named = (key: string) =>
  key === '_home'
    ? "The home's state (the last signs of life, whether the resident is out)"
    : key === '_mode'
      ? 'The care mode (away, visitor or paused, and the alerts it held back)'
      : `The ${key.replace(/_/g, ' ')} rule`;

/** The info alert that says which rule started afresh, and why (rule `rules`). */
export function restartAlert(key: string, reason: string, now: number): AlertEmit {
  const problem = reason.length > MAX_PROBLEM ? `${reason.slice(0, MAX_PROBLEM - 1)}…` : reason;
  return {
    alertId: `rules-${key}-${now}`,
    rule: 'rules',
    state: 'raised',
    severity: 'info',
    at: now,
    reason: `${named(key)} started afresh at this start of the gateway: its stored state could not be used (${problem}). What it was following (an open alert, a quiet spell) starts over from now.`,
    facts: { restarted_rule: key, problem },
  };
}
