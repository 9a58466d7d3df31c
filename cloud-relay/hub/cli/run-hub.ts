// `hearth hub`: the hub in the foreground until SIGINT/SIGTERM, and `hearth hub ack` and `hearth
// hub mode`, one-off commands through a running hub's database and broker.
import type { HubConfig } from '../../../config/hub-schema.ts';
import { createLogger } from '../../../core/log.ts';
import { EXIT, stopSignal } from '../../../core/process.ts';
import { startConsole } from '../console/app.ts';
import { type Hub, startHub } from '../hub.ts';
import type { ModeAsk } from '../mode.ts';

export async function runHub(
  config: HubConfig,
  file: string,
  opts: { instance?: string } = {},
): Promise<number> {
  const started = performance.now();
  const signalled = stopSignal();
  const log = createLogger();
  let hub: Hub;
  try {
    hub = await startHub({ config, configFile: file, log, instance: opts.instance, web: startConsole });
  } catch (err) {
    log.fatal({ err: (err as Error).message }, `hub: cannot start: ${(err as Error).message}`);
    return EXIT.failed;
  }
  log.info(
    {
      instance: hub.instance,
      client_id: hub.receiver.clientId,
      database: hub.target.kind,
      web: `http://${config.web.host}:${hub.webPort}`,
      start_ms: Math.round(performance.now() - started),
      rss_mb: Math.round(process.memoryUsage().rss / 1_048_576),
      heap_mb: Math.round(process.memoryUsage().heapUsed / 1_048_576),
    },
    'hub running',
  );
  const signal = await signalled;
  log.info({ signal }, 'hub: stopping');
  const force = setTimeout(() => process.exit(EXIT.failed), 5_000);
  await hub.stop();
  clearTimeout(force);
  log.info('hub: stopped');
  return EXIT.ok;
}

/** A hub of its own client id, publishing only: the running instances' sessions are theirs. */
const publishingHub = (config: HubConfig, file: string, what: string) =>
  startHub({
    config,
    configFile: file,
    log: createLogger({ level: process.env.HEARTH_LOG_LEVEL ?? 'warn' }),
    instance: `${config.hub.instance ?? 'hub'}-${what}-${process.pid}`,
    supervisionTimer: false,
    listen: false,
  });

export async function modeOnce(
  config: HubConfig,
  file: string,
  req: ModeAsk,
): Promise<{ code: number; text: string }> {
  const hub = await publishingHub(config, file, 'mode');
  try {
    const r = await hub.mode(req);
    if (!r.ok) return { code: EXIT.badInput, text: `hearth hub mode: ${r.reason}` };
    const what = req.mode === 'off' ? 'care mode off' : `${req.mode} mode until ${req.until}`;
    return {
      code: EXIT.ok,
      text: `${what} by ${req.by} sent to ${r.gateway} as command ${r.commandId}; pending until the home confirms`,
    };
  } finally {
    await hub.stop();
  }
}

export async function ackOnce(
  config: HubConfig,
  file: string,
  alertId: string,
  by: string,
): Promise<{ code: number; text: string }> {
  const hub = await publishingHub(config, file, 'ack');
  try {
    const r = await hub.ack({ alertId, by });
    if (!r.ok)
      return { code: r.status === 404 ? EXIT.badInput : EXIT.failed, text: `hearth hub ack: ${r.reason}` };
    return {
      code: EXIT.ok,
      text: `ack for alert ${r.alertId} by ${by} sent to ${r.gateway} as command ${r.commandId}; pending until the home confirms`,
    };
  } finally {
    await hub.stop();
  }
}
