// The drivers that only play the home's outputs, no Readings: the prompt on devices of the local
// broker (a Zigbee siren, chime, bulb or relay, a Shelly or Tasmota relay) and the speaker. Like
// the serial boards' output rows, each hears the patterns of driverOutputs (outputs.ts).
import { isMqttOutput, type MqttOutput, rulePrompts } from '../../config/prompt-outputs.ts';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { Driver } from '../../firmware-bridge/driver.ts';
import { MqttPromptOutputs } from '../../firmware-bridge/mqtt/prompt-outputs.ts';
import { SpeakerOutput } from '../../firmware-bridge/speaker/speaker.ts';
import type { LocalBroker } from '../broker/broker.ts';

/**
 * No output asks past the prompt's own length and a minute: the pre-alert is raised (and the
 * prompt ended) by then, so this bound only ever catches an end that never came.
 */
export const promptBound = (config: Config): number =>
  Math.max(60_000, ...rulePrompts(config).map((p) => p.ms)) + 60_000;

export function buildOutputDrivers(d: {
  config: Config;
  clock: Clock;
  log: Logger;
  broker: Pick<LocalBroker, 'publish'>;
}): Driver[] {
  const { config, broker } = d;
  const boundMs = promptBound(config);
  const drivers: Driver[] = [];
  const rows = config.devices.filter((r): r is MqttOutput => isMqttOutput(r) && r.role === 'prompt');
  const publish = (topic: string, payload: string) => broker.publish(topic, payload, { qos: 0 });
  if (rows.length) drivers.push(new MqttPromptOutputs(rows, publish, d, { boundMs }));
  if (config.speaker) drivers.push(new SpeakerOutput(config.speaker, d, { boundMs }));
  return drivers;
}
