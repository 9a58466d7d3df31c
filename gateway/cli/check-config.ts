// `hearth check-config FILE`: exit 0 with a one-screen summary, or exit 2 with every problem.

import { checkHubCommand } from '../../cloud-relay/hub/cli/hearth-hub.ts';
import { isHubFile, loadConfig } from '../../config/load.ts';
import { formatProblem, type Problem } from '../../config/problems.ts';
import { promptOutputs } from '../../config/prompt-outputs.ts';
import type { Config } from '../../config/schema.ts';
import { formatDuration } from '../../config/values.ts';
import { EXIT } from '../../core/process.ts';

export function checkConfigCommand(
  file: string,
  opts: { strictRefs?: boolean } = {},
): { code: number; text: string } {
  if (isHubFile(file)) return checkHubCommand(file, opts);
  const { config, problems } = loadConfig(file, { strictRefs: opts.strictRefs ?? false });
  if (!config) return { code: EXIT.badInput, text: problemsText(file, problems) };
  const warnings = problems.filter((p) => p.severity === 'warning');
  return { code: EXIT.ok, text: summary(file, config, warnings) };
}

export function problemsText(file: string, problems: Problem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const lines = problems.map((p) => formatProblem(file, p));
  lines.push(`${file}: ${errors} problem${errors === 1 ? '' : 's'}; the file was not accepted`);
  return lines.join('\n');
}

const tally = (items: string[]): string => {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
};

const RULES = [
  'inactivity',
  'not_up',
  'night_out_of_bed',
  'front_door_at_night',
  'away',
  'fall',
  'check_in',
  'help_button',
  'cold_home',
  'device_silent',
  'low_battery',
] as const;

function summary(file: string, c: Config, warnings: Problem[]): string {
  // Absent is off, and so is `off` (away and fall are on unless they say it).
  const isOn = (r: (typeof RULES)[number]) => c.rules[r] !== undefined && c.rules[r] !== 'off';
  const on = RULES.filter(isOn);
  const off = RULES.filter((r) => !isOn(r));
  const relay = c.relay
    ? `${c.relay.url} (${c.relay.cert ? 'client certificate' : c.relay.username ? `user ${c.relay.username}` : 'no credentials'}${c.relay.ca ? ', own CA' : ''})`
    : 'none: alerts stay in the home';
  const lines = [
    `${file}: valid (schema version ${c.version})`,
    `gateway   ${c.gateway.id}  resident ${c.gateway.resident}  time zone ${c.gateway.timezone}`,
    `devices   ${c.devices.length}: ${tally(c.devices.map((d) => d.source))}`,
    `rooms     ${c.rooms.map((r) => `${r} ${c.devices.filter((d) => d.room === r).length}`).join(', ')}${
      c.devices.some((d) => !d.room) ? `; no room ${c.devices.filter((d) => !d.room).length}` : ''
    }`,
    `rules on  ${on.join(', ') || 'none'}${off.length ? `  (off: ${off.join(', ')})` : ''}`,
    `prompt    ${promptOutputs(c).join(', ') || 'nothing asks "are you OK?"'}`,
    `relay     ${relay}`,
    `broker    ${c.local_broker.listen.map((l) => `${l.host}:${l.port}${l.tls ? ' tls' : ''}`).join(', ')}; users: ${
      c.local_broker.users.map((u) => u.name).join(', ') || 'none'
    }`,
    `schedules daily summary "${c.schedules.daily_summary}", heartbeat every ${formatDuration(c.schedules.heartbeat)}`,
    `storage   ${c.storage.path}, events kept ${formatDuration(c.storage.keep_events)}`,
  ];
  if (warnings.length) {
    lines.push(`warnings  ${warnings.length}:`);
    for (const w of warnings) lines.push(`  ${formatProblem(file, w)}`);
  }
  return lines.join('\n');
}
