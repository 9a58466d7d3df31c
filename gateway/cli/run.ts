// `hearth run --config FILE`: the live gateway, until SIGINT or SIGTERM.
import { loadConfig } from '../../config/load.ts';
import { RealClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { startGateway } from '../main.ts';
import { problemsText } from './check-config.ts';
import { EXIT } from './exit.ts';

/** Longer than this to stop and something is stuck: leave anyway, loudly. */
const STOP_LIMIT_MS = 4_500;

/** Resolves with the first SIGINT or SIGTERM; installed before anything starts, so none is missed. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function runCommand(
  file: string,
  opts: { storePath?: string; banner?: string; listen?: { host: string; port: number }[] } = {},
): Promise<number> {
  const started = performance.now();
  const signalled = stopSignal();
  const { config, problems } = loadConfig(file, { strictRefs: true });
  if (!config) {
    process.stderr.write(`${problemsText(file, problems)}\n`);
    return EXIT.badInput;
  }
  const log = createLogger();
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway({
      config,
      log,
      clock: new RealClock(),
      storePath: opts.storePath,
      listen: opts.listen,
    });
  } catch (err) {
    log.fatal({ err }, (err as Error).message);
    return EXIT.failed;
  }
  const localBroker = gateway.broker.addresses().map((a) => `${a.kind}://${a.host}:${a.port}`);
  log.info(
    {
      gateway: config.gateway.id,
      startup_ms: Math.round(performance.now() - started),
      local_broker: localBroker,
    },
    opts.banner ?? 'gateway running',
  );

  const signal = await signalled;
  log.info({ signal }, 'stopping');
  const force = setTimeout(() => {
    log.error('shutdown took too long; exiting anyway');
    process.exit(EXIT.failed);
  }, STOP_LIMIT_MS);
  await gateway.stop();
  clearTimeout(force);
  log.info('stopped');
  return EXIT.ok;
}
