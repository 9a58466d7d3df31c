// One replay of a home for the evaluation: every message to the trust and every summary, with a
// care team that acknowledges each alert after a while, on a throwaway database.
import type { SummaryMessage } from '../../cloud-relay/protocol/messages.ts';
import type { Config } from '../../config/schema.ts';
import { createLogger } from '../../core/log.ts';
import type { OutMessage } from '../engine/messages.ts';
import { type ReplayInput, replay } from '../engine/replay.ts';
import { Store } from '../store/store.ts';

export type Replayed = { messages: OutMessage[]; summaries: SummaryMessage[]; end: number | null };

const quiet = createLogger({ level: 'silent' });

export function replayHome(o: {
  config: Config;
  lines: readonly string[];
  until?: number;
  ackAfterMs: number;
  summaries?: boolean;
  answerPrompts?: ReplayInput['answerPrompts'];
}): Replayed {
  const store = Store.open(':memory:', { durability: 'off' });
  const messages: OutMessage[] = [];
  const summaries: SummaryMessage[] = [];
  try {
    const r = replay({
      config: o.config,
      store,
      lines: o.lines,
      until: o.until,
      log: quiet,
      deliver: (m) => messages.push(m),
      summaries: o.summaries ?? false,
      deliverSummary: (m) => summaries.push(m),
      ackAfterMs: o.ackAfterMs,
      answerPrompts: o.answerPrompts,
    });
    return { messages, summaries, end: r.end };
  } finally {
    store.close();
  }
}

/** An alert a carer must act on: raised to the trust, not about a device (info). */
export const actionable = (m: OutMessage): boolean =>
  !m.local && m.payload.state === 'raised' && m.payload.severity !== 'info';
