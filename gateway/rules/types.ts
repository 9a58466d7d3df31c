// What rules take and give. A rule is a pure reducer: (state, input, now, ctx) -> step.

import type { AlertState, Severity } from '../../cloud-relay/protocol/messages.ts';
import type { Config } from '../../config/schema.ts';
import type { Event } from '../../core/reading.ts';
import type { Zone } from '../../core/zone.ts';
import type { HomeModel } from '../home-state/model.ts';
import type { DeviceIndex } from '../ingest.ts';
import type { Routine } from '../routine/types.ts';
import type { Versioned } from './versioned.ts';

export type { Versioned } from './versioned.ts';

export type RuleInput =
  | { type: 'event'; event: Event /** A sign of life (DESIGN: activity, not telemetry). */; life: boolean }
  /** `life`: movement came due with the tick (a mat's change that has now held): see ctx.home. */
  | { type: 'tick'; life?: boolean }
  | { type: 'ack'; alertId: string; by: string }
  /** The trust closed the call: who, and the outcome's words. */
  | { type: 'close'; alertId: string; by: string; outcome: string };

/** The movement this input brought, where and when; null when it brought none. */
export function lifeOf(
  input: RuleInput,
  ctx: RuleContext,
): { at: number; device: string; room: string | null; kind: string } | null {
  if (input.type === 'event' && input.life)
    return { at: input.event.at, device: input.event.device, room: input.event.room, kind: input.event.kind };
  if (input.type === 'tick' && input.life && ctx.home.lastLifeAt !== null)
    return {
      at: ctx.home.lastLifeAt,
      device: ctx.home.lastLifeDevice ?? '',
      room: ctx.home.lastLifeRoom,
      kind: 'mat',
    };
  return null;
}

/** One state change of one alert. */
export type AlertEmit = {
  alertId: string;
  rule: string;
  state: AlertState;
  severity: Severity;
  at: number;
  reason: string;
  device?: string;
  room?: string;
  facts?: Record<string, string | number | boolean | null>;
  /** An update of a state already told (another press while unanswered): the how-manyth. */
  update?: number;
};

export type RuleContext = {
  config: Config;
  zone: Zone;
  devices: DeviceIndex;
  /** Where the resident is believed to be after the current input (gateway/home-state/). */
  home: HomeModel;
  /** The bedroom: the bed sensor's room, or the room named bedroom. */
  bedroom: string | null;
  /** Her routine as learned from her own history (gateway/routine/), or null before any. */
  routine: Routine | null;
};

export type Step<S> = { state: S; emits: AlertEmit[]; wakeAt: number | null };

export type Rule<S> = Versioned<S> & {
  key: string;
  init(now: number, ctx: RuleContext): S;
  reduce(state: S, input: RuleInput, now: number, ctx: RuleContext): Step<S>;
};
