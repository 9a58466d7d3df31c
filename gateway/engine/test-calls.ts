// The daily test call (schedules.test_call, local time): an `info` alert of rule `test` through
// the whole chain to the trust, where the hub (or an operator) acknowledges it; the ack command
// comes back as a console's does and is confirmed here (its command result), the call recorded in
// the home (meta `test_call`) and closed at the trust with a `resolved` state. No acknowledgement
// within schedules.test_call_ack_within is a fault in the home, told as an undelivered alert is
// (the log, the status, the link-down pattern). On the engine's clock; never a rule, so replays
// and `hearth evaluate` never see it, and never pushed to carers (its severity is info).
import {
  type AlertMessage,
  type AlertState,
  alertPayload,
  envelope,
  TEST_CALL_RULE,
  topics,
} from '../../cloud-relay/protocol/messages.ts';
import type { Config } from '../../config/schema.ts';
import type { Cancel, Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { hhmmOf, type Zone } from '../../core/zone.ts';
import type { Bus } from '../bus.ts';
import type { Store } from '../store/store.ts';

/** The home's record of its last test call (meta `test_call`). */
export type TestCallRecord = {
  alert_id: string;
  sent_at: number;
  acked_at: number | null;
  acked_by: string | null;
};

export const TEST_CALL_KEY = 'test_call';

/** Why the last test call is a fault (no acknowledgement in time), or null: pure. */
export function testCallFault(r: TestCallRecord | null, now: number, withinMs: number): string | null {
  if (!r || r.acked_at !== null || now - r.sent_at < withinMs) return null;
  return `the daily test call sent ${Math.round((now - r.sent_at) / 60_000)} min ago has not been acknowledged by the trust: cannot confirm that alerts reach the care team`;
}

export function readTestCall(text: string | undefined): TestCallRecord | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as TestCallRecord;
  } catch {
    return null;
  }
}

/** A state of the day's test call, as the version-1 alert message: pure. */
export function testCallMessage(
  c: Config,
  zone: Zone,
  o: { alertId: string; state: AlertState; at: number; reason: string },
): AlertMessage {
  return alertPayload({
    ...envelope({
      type: 'alert',
      id: `${o.alertId}:${o.state}`,
      gateway: c.gateway.id,
      resident: c.gateway.resident,
      at: zone.iso(o.at),
    }),
    alert_id: o.alertId,
    rule: TEST_CALL_RULE,
    state: o.state,
    severity: 'info',
    reason: o.reason,
  });
}

export type TestCallDeps = {
  config: Config;
  store: Store;
  clock: Clock;
  zone: Zone;
  log: Logger;
  bus: Bus;
  /** A message is committed: send it. */
  deliver: () => void;
};

/**
 * The day's test-call time: the file's, or a minute between 10:00 and 11:59 taken from the
 * gateway's id (FNV-1a), the same every day, so that a trust's homes do not all call at once and
 * the hub is not asked to store ten thousand at 10:30. Null: `off`.
 */
export function testCallTime(config: Pick<Config, 'schedules' | 'gateway'>): string | null {
  const t = config.schedules.test_call;
  if (t === 'off') return null;
  if (t !== undefined) return t;
  let h = 0x811c9dc5;
  for (const ch of config.gateway.id) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return hhmmOf(10 * 60 + (h % 120));
}

export class TestCalls {
  readonly #d: TestCallDeps;
  #timers: Cancel[] = [];
  #fault: string | null = null;

  constructor(d: TestCallDeps) {
    this.#d = d;
  }

  start(): void {
    const { config, clock, zone } = this.#d;
    const time = testCallTime(config);
    if (time === null) return;
    const arm = (after: number) => {
      const at = zone.nextStart(after, time);
      this.#timers.push(
        clock.timer(at, () => {
          this.call(at);
          arm(at);
        }),
      );
    };
    arm(clock.now());
    const last = this.record();
    if (last && last.acked_at === null) this.#watch(last);
  }

  stop(): void {
    for (const cancel of this.#timers.splice(0)) cancel();
  }

  record(): TestCallRecord | null {
    return readTestCall(this.#d.store.meta.get(TEST_CALL_KEY));
  }

  /** Makes and sends the day's test call (once a day: the same day's id again does nothing). */
  call(at: number): void {
    const { config, store, zone, log } = this.#d;
    const alertId = `${config.gateway.id}-test-${zone.date(at)}`;
    if (this.record()?.alert_id === alertId) return;
    const m = testCallMessage(config, zone, {
      alertId,
      state: 'raised',
      at,
      reason: `Daily test call from the home at ${zone.hm(at)}: acknowledge it to prove that alerts reach the care team.`,
    });
    const record: TestCallRecord = { alert_id: alertId, sent_at: at, acked_at: null, acked_by: null };
    try {
      store.unit(() => {
        store.meta.put(TEST_CALL_KEY, JSON.stringify(record));
        store.outbox.add(this.#row(m, at));
      }, true);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'test call: could not be queued');
      return;
    }
    log.info({ alert_id: alertId }, 'test call: sent to the trust');
    this.#d.deliver();
    this.#watch(record);
  }

  /** The trust's ack of a test call; null when the alert is not one (the rules' then). */
  ack(alertId: string, by: string): { ok: boolean; detail: string } | null {
    const { config, store, zone, clock, log, bus } = this.#d;
    if (!alertId.startsWith(`${config.gateway.id}-test-`)) return null;
    const r = this.record();
    if (!r || r.alert_id !== alertId) return { ok: false, detail: `no test call ${alertId} to acknowledge` };
    if (r.acked_at !== null) return { ok: true, detail: `test call ${alertId} already confirmed` };
    const now = clock.now();
    const done: TestCallRecord = { ...r, acked_at: now, acked_by: by };
    const m = testCallMessage(config, zone, {
      alertId,
      state: 'resolved',
      at: now,
      reason: `Daily test call acknowledged by ${by} ${Math.round((now - r.sent_at) / 1000)} s after it was sent: alerts reach the care team.`,
    });
    store.unit(() => {
      store.meta.put(TEST_CALL_KEY, JSON.stringify(done));
      store.outbox.add(this.#row(m, now));
    }, true);
    this.#d.deliver();
    log.info({ alert_id: alertId, by }, 'test call: acknowledged by the trust, confirmed');
    if (this.#fault) {
      this.#fault = null;
      log.info('test call: the trust answers again');
      bus.emit('fault', { source: 'test call', fault: null });
    }
    return { ok: true, detail: `test call ${alertId} acknowledged by ${by}, confirmed` };
  }

  /** Once the acknowledgement is due, says so if it has not come. */
  #watch(r: TestCallRecord): void {
    const { clock, config } = this.#d;
    const due = r.sent_at + config.schedules.test_call_ack_within;
    this.#timers.push(
      clock.timer(Math.max(due, clock.now()), () => {
        const fault = testCallFault(this.record(), clock.now(), config.schedules.test_call_ack_within);
        if (!fault || this.#fault) return;
        this.#fault = fault;
        this.#d.log.error(`test call: ${fault}`);
        this.#d.bus.emit('fault', { source: 'test call', fault });
      }),
    );
  }

  #row(m: AlertMessage, at: number) {
    const gw = this.#d.config.gateway.id;
    return { id: m.id, topic: topics.alert(gw), type: 'alert', payload: JSON.stringify(m), created_at: at };
  }
}
