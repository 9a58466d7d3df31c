// `hearth hub --config HUB.yaml` (the trust's end, cloud-relay/hub/), `hearth hub ack`, `hearth hub
// mode`, and the check of a hub file for `hearth check-config`. The hub itself loads only when it
// runs.
import { signaturesOf } from '../../../config/hub-schema.ts';
import { loadHubConfig } from '../../../config/load.ts';
import { formatProblem, type Problem } from '../../../config/problems.ts';
import { formatDuration, parseDuration } from '../../../config/values.ts';
import { EXIT } from '../../../core/process.ts';
import { parseUntil, UNTIL_HELP } from '../../../core/until.ts';
import { Zone } from '../../../core/zone.ts';

function problemsText(file: string, problems: Problem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const lines = problems.map((p) => formatProblem(file, p));
  lines.push(`${file}: ${errors} problem${errors === 1 ? '' : 's'}; the file was not accepted`);
  return lines.join('\n');
}

export function checkHubCommand(
  file: string,
  opts: { strictRefs?: boolean } = {},
): { code: number; text: string } {
  const { config: c, problems } = loadHubConfig(file, { strictRefs: opts.strictRefs ?? false });
  if (!c) return { code: EXIT.badInput, text: problemsText(file, problems) };
  const warnings = problems.filter((p) => p.severity === 'warning');
  const s = c.supervision;
  const lines = [
    `${file}: valid hub file (schema version ${c.version})`,
    `hub       instance ${c.hub.instance ?? '(host name)'}, time zone ${c.hub.timezone}`,
    `broker    ${c.broker.url} (${c.broker.cert ? 'client certificate' : c.broker.username ? `user ${c.broker.username}` : 'no credentials'}${c.broker.ca ? ', own CA' : ''})${c.broker.probe ? '; its ACL probed at start' : ''}`,
    `database  ${c.database.url ? 'PostgreSQL' : `embedded SQLite in ${c.database.dir ?? 'hub-data beside the file'}`}`,
    `web       ${c.web.tls ? 'https' : 'http'}://${c.web.host}:${c.web.port}${c.web.trust_proxy.length ? ` behind ${c.web.trust_proxy.join(', ')}` : ''}`,
    `homes     ${c.homes.expected.length} expected${c.homes.accept_any ? ', and any gateway the CA signed' : ''}; ${signaturesOf(c) === 'required' ? `each message signed by its gateway's certificate (CA ${c.homes.ca ?? c.broker.ca})` : 'signatures not checked'}`,
    `fhir      ${c.fhir ? `each day sent to ${c.fhir.url}${c.fhir.token ? ' (bearer token)' : ''}, queue looked at every ${formatDuration(c.fhir.every)}` : 'none: FHIR bundles are downloaded from the console'}`,
    `retention message ids ${formatDuration(c.retention.messages)}, refusals ${formatDuration(c.retention.rejected)}, audit ${formatDuration(c.retention.audit)}; days ${formatDuration(c.retention.summaries)}, closed alerts ${formatDuration(c.retention.alerts)}, test calls ${formatDuration(c.retention.test_calls)}, commands ${formatDuration(c.retention.commands)}`,
    `checks    every ${s.interval < 600_000 ? `${Math.round(s.interval / 1000)} s` : formatDuration(s.interval)}; silent after ${s.silent_after} heartbeats; commands flagged after ${formatDuration(s.command_timeout)}`,
  ];
  if (warnings.length) {
    lines.push(`warnings  ${warnings.length}:`);
    for (const w of warnings) lines.push(`  ${formatProblem(file, w)}`);
  }
  return { code: EXIT.ok, text: lines.join('\n') };
}

export async function hubCommand(file: string, instance?: string): Promise<number> {
  const { config, problems } = loadHubConfig(file, { strictRefs: true });
  if (!config) {
    process.stderr.write(`${problemsText(file, problems)}\n`);
    return EXIT.badInput;
  }
  const { runHub } = await import('./run-hub.ts');
  return runHub(config, file, { instance });
}

export async function hubAckCommand(
  file: string,
  alertId: string,
  by: string,
): Promise<{ code: number; text: string }> {
  const { config, problems } = loadHubConfig(file, { strictRefs: true });
  if (!config) return { code: EXIT.badInput, text: problemsText(file, problems) };
  const { ackOnce } = await import('./run-hub.ts');
  return ackOnce(config, file, alertId, by);
}

export type HubModeFlags = { by: string; until?: string; for?: string };

/**
 * A care mode sent to a home (its gateway or resident id): `--until` read in hub.timezone (a date
 * is through that day), or `--for` a duration from now; `off` takes neither.
 */
export async function hubModeCommand(
  file: string,
  home: string,
  mode: string,
  o: HubModeFlags,
): Promise<{ code: number; text: string }> {
  const bad = (why: string) => ({ code: EXIT.badInput, text: `hearth hub mode: ${why}` });
  const { config, problems } = loadHubConfig(file, { strictRefs: true });
  if (!config) return { code: EXIT.badInput, text: problemsText(file, problems) };
  const zone = new Zone(config.hub.timezone);
  const now = Date.now();
  let until: number | undefined;
  if (mode === 'off') {
    if (o.until || o.for) return bad('off takes neither --until nor --for');
  } else if (o.until && o.for) return bad('give --until or --for, not both');
  else if (o.until) {
    const u = parseUntil(o.until, now, zone);
    if (!u.ok) return bad(`--until ${u.reason}`);
    until = u.at;
  } else if (o.for) {
    const ms = parseDuration(o.for);
    if (ms === undefined) return bad(`--for "${o.for}" is not a duration such as 30m, 2h or 3d`);
    until = now + ms;
  } else return bad(`${mode} needs --until (${UNTIL_HELP}) or --for (a duration such as 2h)`);
  const { modeOnce } = await import('./run-hub.ts');
  return modeOnce(config, file, {
    home,
    mode,
    by: o.by,
    ...(until === undefined ? {} : { until: zone.iso(until) }),
  });
}
