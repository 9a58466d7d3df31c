// `hearth mode away --until 2026-12-24 | visitor --until 18:00 | paused --for 2h | off`: a care
// mode set from the home's command line. It asks the running gateway over its local broker
// (hearth/local/mode/request, the trust's `mode` command) and prints its answer: the engine
// checks and commits the mode, so a mode set here survives a restart and ends by itself as one
// the trust set does. The times are read in the home's time zone.
import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION, topics } from '../../cloud-relay/protocol/messages.ts';
import { loadConfig } from '../../config/load.ts';
import { parseDuration } from '../../config/values.ts';
import { EXIT } from '../../core/process.ts';
import { parseUntil, UNTIL_HELP } from '../../core/until.ts';
import { Zone } from '../../core/zone.ts';
import type { LocalModeResult } from '../parts/local-modes.ts';
import { problemsText } from './check-config.ts';
import { localClient } from './local-client.ts';

/** How long the gateway has to answer. */
const ASK_MS = 5_000;
const MODES = ['away', 'visitor', 'paused', 'off'];

export type ModeFlags = { config: string; until?: string; for?: string; by?: string; json?: boolean };

export async function modeCommand(
  mode: string,
  o: ModeFlags,
  print: (text: string) => void,
): Promise<number> {
  const refuse = (why: string) => {
    print(`hearth mode: ${why}`);
    return EXIT.badInput;
  };
  if (!MODES.includes(mode)) return refuse(`unknown mode "${mode}"; one of: ${MODES.join(', ')}`);
  const { config, problems } = loadConfig(o.config, { strictRefs: false });
  if (!config) {
    print(problemsText(o.config, problems));
    return EXIT.badInput;
  }
  const zone = new Zone(config.gateway.timezone);
  const now = Date.now();
  let until: number | undefined;
  if (mode === 'off') {
    if (o.until || o.for) return refuse('off takes neither --until nor --for');
  } else if (o.until && o.for) return refuse('give --until or --for, not both');
  else if (o.until) {
    const u = parseUntil(o.until, now, zone);
    if (!u.ok) return refuse(`--until ${u.reason}`);
    until = u.at;
  } else if (o.for) {
    const ms = parseDuration(o.for);
    if (ms === undefined) return refuse(`--for "${o.for}" is not a duration such as 30m, 2h or 3d`);
    until = now + ms;
  } else return refuse(`${mode} needs --until (${UNTIL_HELP}) or --for (a duration such as 2h)`);
  const request = {
    v: PROTOCOL_VERSION,
    id: `cli-${randomUUID()}`,
    mode,
    ...(until === undefined ? {} : { until: zone.iso(until) }),
    by: o.by ?? "the home's command line",
  };
  const answer = await ask(config, request);
  if (answer === null) {
    print('hearth mode: the gateway is not running (or not answering); nothing was set');
    return EXIT.failed;
  }
  if (o.json) print(JSON.stringify(answer, null, 2));
  else
    print(
      answer.ok
        ? `${answer.detail}${answer.mode ? '' : ' (no care mode is on now)'}`
        : `hearth mode: refused: ${answer.detail}`,
    );
  return answer.ok ? EXIT.ok : EXIT.badInput;
}

/** The gateway's answer to this request (by its id), or null when none comes in time. */
async function ask(
  config: Parameters<typeof localClient>[0],
  request: { id: string },
): Promise<LocalModeResult | null> {
  const client = localClient(config, ASK_MS);
  if (!client) return null;
  try {
    return await new Promise<LocalModeResult | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), ASK_MS);
      const done = (v: LocalModeResult | null) => {
        clearTimeout(timer);
        resolve(v);
      };
      client.on('error', () => done(null));
      client.on('close', () => done(null));
      client.on('message', (_t, payload) => {
        try {
          const r = JSON.parse(payload.toString()) as LocalModeResult;
          if (r?.id === request.id) done(r);
        } catch {
          // Not an answer (another program's bytes on the topic): wait for ours.
        }
      });
      client.on('connect', async () => {
        await client.subscribeAsync(topics.localModeResult);
        await client.publishAsync(topics.localModeRequest, JSON.stringify(request));
      });
    });
  } finally {
    client.end(true);
  }
}
