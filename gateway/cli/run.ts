// `hearth run --config FILE`: the live gateway, until SIGINT or SIGTERM.
import { loadConfig } from '../../config/load.ts';
import { RealClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { startGateway } from '../main.ts';
import { problemsText } from './check-config.ts';
import { EXIT } from './exit.ts';

/** Longer than this to stop and something is stuck: leave anyway, loudly. */
const STOP_LIMIT_MS = 4_500;

export async function runCommand(
  file: string,
  opts: { storePath?: string; banner?: string } = {},
): Promise<number> {
  const started = performance.now();
  const { config, problems } = loadConfig(file, { strictRefs: true });
  if (!config) {
    process.stderr.write(`${problemsText(file, problems)}\n`);
    return EXIT.badInput;
  }
  const log = createLogger();
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway({ config, log, clock: new RealClock(), storePath: opts.storePath });
  } catch (err) {
    log.fatal({ err }, (err as Error).message);
    log.flush?.();
    return EXIT.failed;
  }
  log.info(
    { gateway: config.gateway.id, startup_ms: Math.round(performance.now() - started) },
    opts.banner ?? 'gateway running',
  );

  return new Promise((resolve) => {
    const stop = async (signal: string) => {
      log.info({ signal }, 'stopping');
      const force = setTimeout(() => {
        log.error('shutdown took too long; exiting anyway');
        resolve(EXIT.failed);
      }, STOP_LIMIT_MS);
      force.unref();
      await gateway.stop();
      clearTimeout(force);
      log.info('stopped');
      log.flush?.();
      resolve(EXIT.ok);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}
