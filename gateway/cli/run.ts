// `hearth run --config FILE`: the live gateway, until SIGINT or SIGTERM; SIGHUP re-reads FILE.
// Under systemd (Type=notify) it says READY=1 once the store is open, the rules resumed and the
// sources started, and pings the watchdog only while its health check passes.
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { RealClock } from '../../core/clock.ts';
import { createLogger } from '../../core/log.ts';
import { EXIT, stopSignal } from '../../core/process.ts';
import { type Gateway, startGateway } from '../main.ts';
import { notifyFromEnv } from '../notify.ts';
import { startWatchdog } from '../watchdog.ts';
import { problemsText } from './check-config.ts';
import { reloadGateway } from './reload.ts';

/** Longer than this to stop and something is stuck: leave anyway, loudly. */
const STOP_LIMIT_MS = 4_500;

export async function runCommand(
  file: string,
  opts: { storePath?: string; banner?: string; listen?: { host: string; port: number }[] } = {},
): Promise<number> {
  const started = performance.now();
  const signalled = stopSignal();
  // A SIGHUP before the gateway is up is kept and served once it is (the default would kill us).
  let hupPending = false;
  let onHup = () => {
    hupPending = true;
  };
  const hup = () => onHup();
  process.on('SIGHUP', hup);
  const { config, problems } = loadConfig(file, { strictRefs: true });
  if (!config) {
    process.off('SIGHUP', hup);
    process.stderr.write(`${problemsText(file, problems)}\n`);
    return EXIT.badInput;
  }
  const log = createLogger();
  const notify = notifyFromEnv(process.env, log);
  const clock = new RealClock();
  const start = (c: Config): Promise<Gateway> =>
    startGateway({ config: c, log, clock, storePath: opts.storePath, listen: opts.listen });
  let current: { gateway: Gateway; config: Config };
  try {
    current = { gateway: await start(config), config };
  } catch (err) {
    process.off('SIGHUP', hup);
    log.fatal({ err }, (err as Error).message);
    notify.send(`STATUS=failed to start: ${(err as Error).message}`);
    notify.close();
    return EXIT.failed;
  }
  const localBroker = current.gateway.broker.addresses().map((a) => `${a.kind}://${a.host}:${a.port}`);
  log.info(
    {
      gateway: config.gateway.id,
      startup_ms: Math.round(performance.now() - started),
      local_broker: localBroker,
    },
    opts.banner ?? 'gateway running',
  );
  notify.send('READY=1\nSTATUS=running');
  const watchdog = startWatchdog({
    notify,
    log,
    probe: {
      db: () => current.gateway.store.probe(),
      nextWake: () => current.gateway.engine.nextWake(),
      now: () => clock.now(),
    },
  });

  // Reloads run one at a time; a SIGHUP during one is served after it.
  let reloading: Promise<void> = Promise.resolve();
  onHup = () => {
    reloading = reloading.then(async () => {
      log.info({ file }, 'SIGHUP: reloading the provisioning file');
      notify.send('RELOADING=1');
      try {
        const r = await reloadGateway({ file, current: current.gateway, config: current.config, start, log });
        current = { gateway: r.gateway, config: r.config };
      } catch (err) {
        // Even the last good file would not start again: systemd restarts the process.
        log.fatal({ err }, `cannot restart the gateway after a reload: ${(err as Error).message}`);
        process.exit(EXIT.failed);
      }
      notify.send('READY=1\nSTATUS=running');
    });
  };
  if (hupPending) onHup();

  const signal = await signalled;
  log.info({ signal }, 'stopping');
  notify.send('STOPPING=1');
  watchdog.stop();
  const force = setTimeout(() => {
    log.error('shutdown took too long; exiting anyway');
    process.exit(EXIT.failed);
  }, STOP_LIMIT_MS);
  await reloading;
  await current.gateway.stop();
  clearTimeout(force);
  process.off('SIGHUP', hup);
  notify.close();
  log.info('stopped');
  return EXIT.ok;
}
