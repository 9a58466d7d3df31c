// What every instance stores, told to every instance's open pages. Each batch's transaction on
// PostgreSQL ends with pg_notify on one channel naming the kinds of message it stored (delivered
// at commit, or never); each instance listens on a connection of its own and tells its pages. So
// with instances sharing the homes' messages, a page hears of what another instance stored.
import type pgModule from 'pg';
import type { Logger } from '../../core/log.ts';
import { LIVE_KINDS, type LiveKind } from './live-feed.ts';

export const LIVE_CHANNEL = 'hearth_live';

/** The kinds a notification names; anything else in it is ignored (it is our own, but bounded). */
export function liveKinds(payload: string | undefined): LiveKind[] {
  return (payload ?? '')
    .slice(0, 200)
    .split(',')
    .filter((k): k is LiveKind => LIVE_KINDS.has(k));
}

const RETRY_MS = 2_000;

/** Listens until stopped, connecting again after any loss. */
export function listenLive(
  pg: typeof pgModule,
  url: string,
  onKinds: (kinds: LiveKind[]) => void,
  log: Logger,
): { stop(): Promise<void>; ready: Promise<void> } {
  let stopped = false;
  let listening = () => {};
  const ready = new Promise<void>((r) => {
    listening = r;
  });
  let client: pgModule.Client | null = null;
  let timer: NodeJS.Timeout | undefined;
  const again = () => {
    client = null;
    if (!stopped) timer = setTimeout(() => void connect(), RETRY_MS);
  };
  const connect = async () => {
    const c = new pg.Client({ connectionString: url, keepAlive: true });
    client = c;
    c.on('notification', (n) => {
      if (n.channel === LIVE_CHANNEL) onKinds(liveKinds(n.payload));
    });
    c.on('error', (err) => {
      log.warn({ err: err.message }, 'hub: live updates from the database lost; listening again');
      void c.end().catch(() => {});
      if (client === c) again();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${LIVE_CHANNEL}`);
      listening();
      if (stopped) await c.end();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'hub: cannot listen for live updates yet');
      void c.end().catch(() => {});
      if (client === c) again();
    }
  };
  void connect();
  return {
    /** Resolves once it first listens. */
    ready,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
