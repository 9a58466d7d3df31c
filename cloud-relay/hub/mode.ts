// A care mode for a home, asked for by the care team (README: Care modes): recorded (who, when,
// under which command id), then sent to the home as a `mode` command. The home checks it against
// its own clock and answers; until then it is pending, and supervision flags a command nobody
// confirmed in time, as it does an ack.
import { randomUUID } from 'node:crypto';
import { zoneNamed } from '../../core/zone.ts';
import { careModeUntilProblem, commands, PROTOCOL_VERSION, topics } from '../protocol/messages.ts';
import type { HubStore } from './store.ts';
import { sentCommand } from './tables.ts';

const UTC = zoneNamed('UTC');

export type ModeResult =
  | { ok: true; gateway: string; commandId: string }
  | { ok: false; status: 400 | 404; reason: string };

export type ModeAsk = {
  /** The home: its gateway id, or the resident's id. */
  home: string;
  mode: string;
  /** When it ends by itself, as ISO 8601 with its offset; none for `off`. */
  until?: string;
  by: string;
};

/** Checks, records and publishes the command; resolves once the broker has it (PUBACK). */
export async function sendMode(
  d: {
    store: HubStore;
    publish: (topic: string, payload: string) => Promise<void>;
    now: () => number;
    /** An instant as the trust writes it (the hub's zone), for the reasons; UTC by default. */
    iso?: (t: number) => string;
  },
  req: ModeAsk,
): Promise<ModeResult> {
  const home = await d.store.db
    .selectFrom('homes')
    .select('gateway')
    .where((eb) => eb.or([eb('gateway', '=', req.home), eb('resident', '=', req.home)]))
    .execute();
  if (home.length !== 1)
    return { ok: false, status: 404, reason: `no home with the gateway or resident ${req.home}` };
  const gateway = (home[0] as { gateway: string }).gateway;
  const cmd = {
    v: PROTOCOL_VERSION,
    id: `mode-${randomUUID()}`,
    mode: req.mode,
    ...(req.until ? { until: req.until } : {}),
    by: req.by,
  };
  const valid = commands.mode.safeParse(cmd);
  if (!valid.success) {
    const i = valid.error.issues[0];
    return {
      ok: false,
      status: 400,
      reason: `not a valid mode: ${i?.path.join('.') || 'command'}: ${i?.message}`,
    };
  }
  // What the home would refuse anyway is refused here, with the same words, before anything is sent.
  const now = d.now();
  const m = valid.data.mode;
  if (m !== 'off') {
    const until = valid.data.until ? Date.parse(valid.data.until) : undefined;
    const problem = careModeUntilProblem(m, until, now, {
      iso: d.iso ?? ((t) => UTC.iso(t)),
      clock: "the trust's clock",
    });
    if (problem) return { ok: false, status: 400, reason: problem };
  }
  const payload = JSON.stringify(valid.data);
  await d.store.tx(async (t) => {
    await t
      .insertInto('commands')
      .values(sentCommand({ id: cmd.id, gateway, name: 'mode', payload, by: req.by, at: now }))
      .execute();
  });
  // Committed first: if the publish fails the command stays `sent` and is flagged after the timeout.
  await d.publish(topics.command(gateway, 'mode'), payload);
  return { ok: true, gateway, commandId: cmd.id };
}
