// Care modes asked for in the home (hearth mode, or a tool a technician grants the topic): the
// trust's version-1 `mode` command, published on the local broker's hearth/local/mode/request and
// answered on hearth/local/mode/result by its id. Only the gateway's own user may publish under
// hearth/local/ unless the provisioning file grants it. A bad request is refused with a reason,
// counted and answered when it has an id; nothing it holds can throw into the broker.
import { commands, PROTOCOL_VERSION, topics } from '../../cloud-relay/protocol/messages.ts';
import type { Counters } from '../../core/counters.ts';
import { parseJson } from '../../core/json.ts';
import type { Logger } from '../../core/log.ts';
import type { Zone } from '../../core/zone.ts';
import type { LocalBroker } from '../broker/broker.ts';
import type { RuleEngine } from '../engine/engine.ts';
import type { Part } from './part.ts';

/** The answer on hearth/local/mode/result. */
export type LocalModeResult = {
  v: typeof PROTOCOL_VERSION;
  id: string | null;
  ok: boolean;
  detail: string;
  /** The care mode on after the request: what, until when, by whom. */
  mode: { mode: string; until: string; by: string } | null;
};

const REQUEST_JSON = { maxBytes: 4096, maxDepth: 4 };

export function localModes(d: {
  broker: LocalBroker;
  engine: RuleEngine;
  zone: Zone;
  log: Logger;
  counters: Counters;
}): Part {
  let off = () => {};
  const answer = (r: Omit<LocalModeResult, 'v' | 'mode'>) => {
    const m = d.engine.mode();
    const result: LocalModeResult = {
      v: PROTOCOL_VERSION,
      ...r,
      mode: m && { mode: m.mode, until: d.zone.iso(m.until), by: m.by },
    };
    d.broker
      .publish(topics.localModeResult, JSON.stringify(result))
      .catch((err: Error) => d.log.warn({ err: err.message }, 'local mode answer not published'));
  };
  const handle = (payload: Buffer) => {
    const json = parseJson(payload, REQUEST_JSON);
    const raw =
      json.ok && json.value && typeof json.value === 'object' ? (json.value as { id?: unknown }).id : null;
    const id = typeof raw === 'string' && raw.length <= 128 ? raw : null;
    const refuse = (reason: string) => {
      d.counters.add('modes.refused');
      d.log.warn({ id }, `care mode request refused: ${reason}`);
      answer({ id, ok: false, detail: reason });
    };
    if (!json.ok) return refuse(json.reason);
    const r = commands.mode.safeParse(json.value);
    if (!r.success) {
      const i = r.error.issues[0];
      return refuse(`${i?.path.join('.') || 'payload'}: ${i?.message}`);
    }
    const { mode, until, by } = r.data;
    const done = d.engine.setMode({
      mode,
      by,
      source: 'home',
      ...(until ? { until: Date.parse(until) } : {}),
    });
    answer({ id, ok: done.ok, detail: done.detail });
  };
  return {
    name: 'local modes',
    start: () => {
      off = d.broker.subscribe(topics.localModeRequest, (_topic, payload) => {
        try {
          handle(payload);
        } catch (err) {
          d.counters.add('modes.failed');
          d.log.error({ err }, `care mode request failed: ${(err as Error).message}`);
        }
      });
    },
    stop: () => off(),
  };
}
