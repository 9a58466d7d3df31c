// SIGHUP: re-read the provisioning file. A valid file is applied by stopping the gateway and
// starting it again in this process with the new file. Everything that must survive (rule
// state, pending wake-ups, the outbox) is already in SQLite and committed by stop(), so the
// new gateway resumes exactly where the old one stood; the process, its systemd supervision
// and its watchdog stay. An invalid file is refused with the check-config output, and the
// gateway keeps running on the last good one, untouched.
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../core/log.ts';
import type { Gateway } from '../main.ts';
import { problemsText } from './check-config.ts';

export type Reloaded = { gateway: Gateway; config: Config; applied: boolean };

export async function reloadGateway(o: {
  file: string;
  current: Gateway;
  config: Config;
  start: (config: Config) => Promise<Gateway>;
  log: Logger;
}): Promise<Reloaded> {
  const { file, current, log } = o;
  const { config, problems } = loadConfig(file, { strictRefs: true });
  if (!config) {
    log.error(
      { file },
      `provisioning file refused on reload; still running on the last good one\n${problemsText(file, problems)}`,
    );
    return { gateway: current, config: o.config, applied: false };
  }
  await current.stop();
  try {
    const gateway = await o.start(config);
    log.info({ file }, 'provisioning file reloaded');
    return { gateway, config, applied: true };
  } catch (err) {
    // The new file passed its checks but would not start (a port taken, a device path that is
    // a directory...): back to the last good file rather than no gateway at all.
    log.error(
      { err, file },
      `reloaded file would not start (${(err as Error).message}); back to the last good one`,
    );
    return { gateway: await o.start(o.config), config: o.config, applied: false };
  }
}
