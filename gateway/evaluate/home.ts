// A labelled home as `hearth evaluate` and the benchmark replay it: its sensors (devices.json) as
// rows of a provisioning file that takes everything else (rules, schedules) from a template, the
// reference home by default, so the figures are those of the rules a trust ships. Pure but for
// the loader at the end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseConfigText } from '../../config/parse.ts';
import type { Config } from '../../config/schema.ts';

export const REFERENCE_HOME = new URL('../../config/examples/home.yaml', import.meta.url).pathname;

const sensor = z.object({
  id: z.string().min(1),
  kind: z.enum(['motion', 'contact', 'bed', 'chair', 'presence', 'button', 'fall']),
  room: z.string().min(1).nullable(),
  role: z.string().nullable().optional(),
});
export type Sensor = z.infer<typeof sensor>;

const label = z.object({ start: z.string(), end: z.string(), activity: z.string() });
export type Label = { start: number; end: number; activity: string };

export type LabelledHome = {
  name: string;
  sensors: Sensor[];
  /** The events, one `hearth replay` line each, in time order. */
  lines: string[];
  labels: Label[] | null;
  timezone: string;
};

export type Sensors = 'all' | 'motion';

/**
 * The provisioning file of a labelled home: the template's rules and schedules, its sensors as
 * Zigbee2MQTT rows (the source does not matter to a replay), no relay. `motion`: PIRs only.
 */
export function homeConfig(home: LabelledHome, template: string, sensors: Sensors = 'all'): Config {
  const rows = home.sensors.filter((s) => sensors === 'all' || s.kind === 'motion');
  const rooms = [...new Set(rows.map((s) => s.room).filter((r): r is string => r !== null))].sort();
  const t = parse(template) as { rules?: Record<string, unknown>; schedules?: { daily_summary?: string } };
  const doc = {
    version: 1,
    gateway: { id: `eval-${home.name}`, resident: `r-${home.name}`, timezone: home.timezone },
    rooms,
    devices: rows.map((s) => ({
      id: s.id,
      source: 'zigbee2mqtt',
      topic: `zigbee2mqtt/${s.id}`,
      kind: s.kind,
      ...(s.room ? { room: s.room } : {}),
      ...(s.role ? { role: s.role } : {}),
    })),
    rules: rulesFor(t.rules ?? {}, rooms, rows),
    schedules: { daily_summary: t.schedules?.daily_summary ?? '0 8 * * *', heartbeat: '60s' },
    storage: { path: ':memory:' },
  };
  const r = parseConfigText(JSON.stringify(doc), { json: true });
  if (!r.config)
    throw new Error(`${home.name}: ${r.problems.map((p) => `${p.path.join('.')} ${p.message}`).join('; ')}`);
  return r.config;
}

/** What a rule needs a row for: without such a row the file would be refused, so the rule is off. */
const NEEDS: Record<string, (rows: readonly Sensor[]) => boolean> = {
  night_out_of_bed: (rows) => rows.some((r) => r.kind === 'bed'),
  front_door_at_night: (rows) => rows.some((r) => r.role === 'front-door'),
  help_button: (rows) => rows.some((r) => r.role === 'help-button'),
};

/** The template's rules as its file wrote them, less those this home has no sensor for. */
function rulesFor(
  rules: Record<string, unknown>,
  rooms: string[],
  rows: readonly Sensor[],
): Record<string, unknown> {
  const copy = structuredClone(rules);
  for (const [rule, has] of Object.entries(NEEDS)) if (!has(rows)) delete copy[rule];
  const cold = copy.cold_home as { rooms?: string[] } | undefined;
  if (cold?.rooms) cold.rooms = cold.rooms.filter((r) => rooms.includes(r));
  return copy;
}

/** Events kept for the sensors in the file: the others would only be skipped, one line each. */
export function linesFor(home: LabelledHome, config: Config): string[] {
  const ids = new Set(config.devices.map((d) => d.id));
  return home.lines.filter((l) => {
    const m = /"device":\s*"([^"]+)"/.exec(l);
    return m !== null && ids.has(m[1] as string);
  });
}

/** Reads a labelled home folder: devices.json, events.jsonl and, when present, activities.json. */
export function loadLabelledHome(dir: string, timezone = 'Europe/Madrid'): LabelledHome {
  const sensors = z.array(sensor).parse(JSON.parse(readFileSync(join(dir, 'devices.json'), 'utf8')));
  const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  let labels: Label[] | null = null;
  try {
    const raw = z.array(label).parse(JSON.parse(readFileSync(join(dir, 'activities.json'), 'utf8')));
    labels = raw.map((l) => ({ start: Date.parse(l.start), end: Date.parse(l.end), activity: l.activity }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const name = dir.replace(/\/+$/, '').split('/').pop() ?? 'home';
  return { name, sensors, lines, labels, timezone };
}
