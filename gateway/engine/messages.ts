// AlertEmit (a rule's word) -> the version-1 alert payload (the contract with the trust).
import {
  type AlertMessage,
  alertPayload,
  envelope,
  LOCAL_ONLY_STATES,
  topics,
} from '../../cloud-relay/protocol/messages.ts';
import type { Config } from '../../config/schema.ts';
import type { Zone } from '../../core/zone.ts';
import type { AlertEmit } from '../rules/types.ts';

export type OutMessage = { topic: string; payload: AlertMessage; local: boolean; at: number };

export function alertMessage(e: AlertEmit, config: Config, zone: Zone): OutMessage {
  const local = LOCAL_ONLY_STATES.has(e.state);
  const payload = alertPayload({
    ...envelope({
      type: 'alert',
      // One message per state of an alert: the same id on every retry, distinct across states.
      // An update of a state (another press) is a message of its own: its number goes in the id.
      id: `${e.alertId}:${e.state}${e.update ? `:${e.update}` : ''}`,
      gateway: config.gateway.id,
      resident: config.gateway.resident,
      at: zone.iso(e.at),
    }),
    alert_id: e.alertId,
    rule: e.rule,
    state: e.state,
    severity: e.severity,
    ...(e.device ? { device: e.device } : {}),
    ...(e.room ? { room: e.room } : {}),
    reason: e.reason,
    ...e.facts,
  });
  return { topic: local ? topics.localAlert : topics.alert(config.gateway.id), payload, local, at: e.at };
}
