// Replay: the rules over recorded Readings in simulated time. Timers and schedules fire at their
// simulated instants as the clock moves from one line to the next. Resumable: the store keeps how
// many lines were consumed and where the clock stood.
import { z } from 'zod';
import type { NightMessage, SummaryMessage } from '../../cloud-relay/protocol/messages.ts';
import type { Config } from '../../config/schema.ts';
import { SimClock } from '../../core/clock.ts';
import { Counters } from '../../core/counters.ts';
import type { Logger } from '../../core/log.ts';
import { KINDS } from '../../core/reading.ts';
import { indexDevices, ingest, rowKind } from '../ingest.ts';
import type { Store } from '../store/store.ts';
import { DailySummaries } from './daily-summaries.ts';
import { RuleEngine } from './engine.ts';
import type { OutMessage } from './messages.ts';
import { NightSummaries } from './night-summaries.ts';

const lineSchema = z.strictObject({
  at: z.iso.datetime({ offset: true }),
  device: z.string().min(1),
  kind: z.enum(KINDS).optional(),
  value: z.union([z.number(), z.boolean(), z.string()]),
});

export type ReplayInput = {
  config: Config;
  store: Store;
  lines: readonly string[];
  until?: number;
  log: Logger;
  deliver: (m: OutMessage) => void;
  /** Make the daily summaries on their schedule too (the command does; rule tests need not). */
  summaries?: boolean;
  /** Each summary made, as its message. */
  deliverSummary?: (m: SummaryMessage) => void;
  /** Each night sent the morning it ended (with `summaries`), as its message. */
  deliverNight?: (m: NightMessage) => void;
  /** A line that was not used, with its 1-based number and why. */
  skipped?: (line: number, why: string) => void;
  /** A care team that acknowledges each alert raised to it this long after it arrives. */
  ackAfterMs?: number;
  /**
   * A resident who answers each "are you OK?" prompt this long after it sounds, as one who is fine
   * would, with an "I'm OK" press on `device`; not when `answers(t)` says she cannot (she is out,
   * or a simulated collapse has happened).
   */
  answerPrompts?: { afterMs: number; device: string; answers: (t: number) => boolean };
};

/** Who acknowledges in a replay with a care team. */
export const REPLAY_CARE_TEAM = 'care team (replay)';

export function replay(r: ReplayInput): { consumed: number; skipped: number; end: number | null } {
  const { config, store, lines } = r;
  const devices = indexDevices(config);
  const consumed = Number(store.meta.get('replay.lines') ?? 0);
  const resumeAt = store.meta.get('replay.clock');
  const first = lines
    .slice(consumed)
    .map(atOf)
    .find((t) => t !== undefined);
  if (first === undefined && resumeAt === undefined) return { consumed, skipped: 0, end: null };
  const clock = new SimClock(resumeAt !== undefined ? Number(resumeAt) : (first as number));
  const engine = new RuleEngine({
    config,
    devices,
    store,
    clock,
    log: r.log,
    counters: new Counters(),
    deliver: (m) => {
      r.deliver(m);
      const { ackAfterMs, answerPrompts: answer } = r;
      if (answer && m.payload.state === 'pre-alert' && answer.answers(m.at))
        clock.timer(m.at + answer.afterMs, () => {
          const pressed = ingest(devices, {
            device: answer.device,
            at: clock.now(),
            kind: 'button',
            value: 'ok',
          });
          if (pressed.ok) engine.event(pressed.event);
        });
      if (ackAfterMs === undefined || m.local) return;
      if (m.payload.state === 'raised' || m.payload.state === 'escalated')
        clock.timer(m.at + ackAfterMs, () => engine.ack(m.payload.alert_id, REPLAY_CARE_TEAM));
    },
  });
  engine.start();
  const daily = r.summaries
    ? new DailySummaries({
        config,
        devices,
        store,
        clock,
        zone: engine.zone,
        log: r.log,
        deliver: (m) => r.deliverSummary?.(m),
      })
    : null;
  daily?.start();
  const nights = r.summaries
    ? new NightSummaries({
        config,
        devices,
        store,
        clock,
        zone: engine.zone,
        log: r.log,
        home: () => engine.home,
        deliver: (m) => r.deliverNight?.(m),
      })
    : null;
  nights?.start();
  let skipped = 0;
  const skip = (i: number, why: string) => {
    skipped++;
    r.skipped?.(i + 1, why);
  };
  let i = consumed;
  let lastAt: number | undefined;
  for (; i < lines.length; i++) {
    const raw = lines[i]?.trim();
    if (!raw) continue;
    const parsed = parseLine(raw);
    if (!parsed.ok) {
      skip(i, parsed.error);
      continue;
    }
    const at = Date.parse(parsed.value.at);
    if (r.until !== undefined && at > r.until) break;
    lastAt = at;
    // Up to the instant, not through it: a reading at the instant of a deadline comes first, then
    // whatever falls due at that instant.
    clock.advanceTo(Math.max(clock.now(), at - 1));
    const row = devices.get(parsed.value.device);
    const kind = parsed.value.kind ?? (row ? rowKind(row) : undefined);
    const result = ingest(devices, {
      device: parsed.value.device,
      at: Math.max(clock.now(), at),
      kind,
      value: parsed.value.value,
    });
    if (result.ok) engine.event(result.event);
    else skip(i, `${result.reason} (${result.detail})`);
    clock.advanceTo(at);
  }
  clock.advanceTo(r.until ?? lastAt ?? clock.now());
  engine.stop();
  daily?.stop();
  nights?.stop();
  store.meta.put('replay.lines', String(i));
  store.meta.put('replay.clock', String(clock.now()));
  return { consumed: i, skipped, end: clock.now() };
}

function parseLine(
  raw: string,
): { ok: true; value: z.infer<typeof lineSchema> } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const r = lineSchema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  const first = r.error.issues[0];
  return { ok: false, error: `${first?.path.join('.') || 'line'}: ${first?.message}` };
}

function atOf(raw: string | undefined): number | undefined {
  if (!raw?.trim()) return undefined;
  try {
    const t = Date.parse((JSON.parse(raw) as { at?: string }).at ?? '');
    return Number.isNaN(t) ? undefined : t;
  } catch {
    return undefined;
  }
}
