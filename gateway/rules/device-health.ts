// device_silent and low_battery (info): the monitoring itself is failing, not the resident.
// A silent sensor is not an inactive person, so the care team is told the sensor is silent.

import { z } from 'zod';
import type { Device } from '../../config/schema.ts';
import { formatDuration } from '../../config/values.ts';
import { aboutEvent, applyAck, newAlert, openAlert, transition } from './alert.ts';
import type { AlertEmit, Rule, RuleContext, RuleInput, Step } from './types.ts';

const perDevice = z.record(z.string(), openAlert);
type PerDevice = z.infer<typeof perDevice>;

/** Applies an ack to whichever of a rule's per-device alerts it names. */
function ackAny(
  alerts: PerDevice,
  input: RuleInput,
  now: number,
  ctx: RuleContext,
  emits: AlertEmit[],
): PerDevice {
  if (input.type !== 'ack' && input.type !== 'close') return alerts;
  const out = { ...alerts };
  for (const [d, a] of Object.entries(alerts)) {
    const acked = applyAck(a, input, now, ctx);
    if (acked) {
      emits.push(acked.emit);
      out[d] = acked.alert;
    }
  }
  return out;
}

/**
 * Outputs are driven, not heard from: a silent buzzer, siren or relay says nothing about the
 * monitoring. An MQTT output row that names a kind is there to be read too, and is watched.
 */
const drivenOnly = (row: Device): boolean =>
  ('kind' in row && row.kind === 'output') || ('output' in row && row.output !== undefined && !row.kind);

const silentState = z.object({
  startedAt: z.number(),
  seenAt: z.record(z.string(), z.number()),
  alerts: perDevice,
});
export type SilentState = z.infer<typeof silentState>;

export const deviceSilent: Rule<SilentState> = {
  key: 'device_silent',
  stateVersion: 1,
  stateSchema: silentState,
  init: (now) => ({ startedAt: now, seenAt: {}, alerts: {} }),

  reduce(s, input, now, ctx): Step<SilentState> {
    const cfg = ctx.config.rules.device_silent;
    if (!cfg) return { state: s, emits: [], wakeAt: null };
    const emits: AlertEmit[] = [];
    let alerts = ackAny(s.alerts, input, now, ctx, emits);
    let seenAt = s.seenAt;
    if (input.type === 'event') {
      const d = input.event.device;
      seenAt = { ...seenAt, [d]: now };
      const open = alerts[d];
      if (open) {
        emits.push(transition(open, 'resolved', now, `${d} reported again at ${ctx.zone.hm(now)}.`).emit);
        const { [d]: _, ...rest } = alerts;
        alerts = rest;
      }
    }
    let wake: number | null = null;
    for (const row of ctx.config.devices) {
      if (drivenOnly(row) || alerts[row.id]) continue;
      const last = seenAt[row.id] ?? s.startedAt;
      const limit = row.silent ?? cfg.after;
      if (now >= last + limit) {
        const alert = newAlert(ctx, 'device_silent', now, 'info', {
          device: row.id,
          ...(row.room ? { room: row.room } : {}),
        });
        const heard =
          seenAt[row.id] === undefined
            ? 'has sent nothing since the gateway started'
            : `has sent nothing since ${ctx.zone.hm(last)}`;
        const t = transition(
          alert,
          'raised',
          now,
          `${row.id}${row.room ? ` (${row.room})` : ''} ${heard} (${formatDuration(now - last)}); check its battery and range.`,
          {
            last_seen: seenAt[row.id] === undefined ? null : ctx.zone.iso(last),
          },
        );
        emits.push(t.emit);
        alerts = { ...alerts, [row.id]: t.alert };
      } else wake = wake === null ? last + limit : Math.min(wake, last + limit);
    }
    return { state: { ...s, seenAt, alerts }, emits, wakeAt: wake };
  },
};

/** A battery must read this many points above the limit before its alert is resolved (readings wobble). */
export const BATTERY_HYSTERESIS = 5;

const batteryState = z.object({ alerts: perDevice });
export type BatteryState = z.infer<typeof batteryState>;

export const lowBattery: Rule<BatteryState> = {
  key: 'low_battery',
  stateVersion: 1,
  stateSchema: batteryState,
  init: () => ({ alerts: {} }),

  reduce(s, input, now, ctx): Step<BatteryState> {
    const cfg = ctx.config.rules.low_battery;
    if (!cfg) return { state: s, emits: [], wakeAt: null };
    const emits: AlertEmit[] = [];
    let alerts = ackAny(s.alerts, input, now, ctx, emits);
    if (input.type === 'event' && input.event.kind === 'battery' && typeof input.event.value === 'number') {
      const { device: d, value } = input.event;
      const open = alerts[d];
      if (!open && value < cfg.below) {
        const alert = newAlert(ctx, 'low_battery', now, 'info', aboutEvent(input.event));
        const t = transition(
          alert,
          'raised',
          now,
          `${d} battery at ${value} % (below ${cfg.below} %); replace it soon.`,
          { battery: value },
        );
        emits.push(t.emit);
        alerts = { ...alerts, [d]: t.alert };
      } else if (open && value >= cfg.below + BATTERY_HYSTERESIS) {
        emits.push(transition(open, 'resolved', now, `${d} battery at ${value} %.`, { battery: value }).emit);
        const { [d]: _, ...rest } = alerts;
        alerts = rest;
      }
    }
    return { state: { alerts }, emits, wakeAt: null };
  },
};
