// Device rows for devices that publish to the gateway's own broker (DESIGN.md section 8): each
// row says where the device publishes and, where the payload alone cannot say it, what it senses.
import { z } from 'zod';
import { common, payloadKind } from './device-fields.ts';
import { topicName } from './values.ts';

/**
 * A text naming part of an MQTT topic: what it is and an example in the error a technician
 * reads, so a wrong value is explained in the device's own terms.
 */
const topicPart = (what: string, example: string, pattern: RegExp, rule: string) =>
  z
    .string({ error: `expected ${what}, e.g. ${example}` })
    .regex(pattern, { error: `not ${what}; ${rule}, e.g. ${example}` });

/** What a Zigbee2MQTT device can be when it plays the prompt (firmware-bridge/mqtt/prompt-commands.ts). */
export const ZIGBEE_OUTPUTS = ['siren', 'chime', 'bulb', 'relay'] as const;
/** Zigbee2MQTT's warning levels, quietest first. */
export const SIREN_LEVELS = ['low', 'medium', 'high', 'very_high'] as const;

/** A relay is all a Shelly or Tasmota device can be as an output: a sounder or lamp wired to it. */
const relayOutput = (device: string) =>
  z
    .literal('relay', { error: `a ${device} device plays the prompt as a relay: output: relay` })
    .optional()
    .describe(
      'With role: prompt, the relay is switched on while the resident is asked "are you OK?" and off when she answers: wire a sounder or a lamp to it.',
    );

/** One or more topic levels: no empty level, no spaces, no wildcards. */
const LEVELS = /^[^\s/+#]+(\/[^\s/+#]+)*$/;
/** Exactly one topic level. */
const LEVEL = /^[^\s/+#]+$/;

export const zigbee2mqtt = z
  .strictObject({
    ...common,
    source: z.literal('zigbee2mqtt'),
    topic: topicName.describe("The device's Zigbee2MQTT topic, e.g. zigbee2mqtt/hall_motion."),
    kind: payloadKind
      .optional()
      .describe(
        "Only the readings of this kind are taken, and the battery; a presence row takes a fall radar's falls too. By default every known key.",
      ),
    output: z
      .enum(ZIGBEE_OUTPUTS, { error: `unknown output; allowed: ${ZIGBEE_OUTPUTS.join(', ')}` })
      .optional()
      .describe(
        'With role: prompt, how the device asks the resident "are you OK?": siren (its warning, in short bursts), ' +
          'chime (a sound device with an `alarm` switch), bulb (its blink effect), relay (a plug or switch turned on). ' +
          'The gateway publishes to <topic>/set on the local broker.',
      ),
    level: z
      .enum(SIREN_LEVELS, { error: `unknown level; allowed: ${SIREN_LEVELS.join(', ')}` })
      .optional()
      .describe("A siren's sound level while it prompts (Zigbee2MQTT's warning level); medium by default."),
  })
  .describe('A Zigbee device published by Zigbee2MQTT to the local broker.');

export const esphome = z
  .strictObject({
    ...common,
    source: z.literal('esphome'),
    node: topicPart(
      "the ESPHome node's MQTT topic prefix",
      'kitchen-node',
      LEVELS,
      'topic levels separated by /, without spaces, + or #',
    ).describe(
      "The node's MQTT topic prefix: `mqtt: topic_prefix` in its YAML, by default the node name, e.g. kitchen-node.",
    ),
    sensor: topicPart(
      "the entity's object id as it appears in its MQTT topic",
      'pir',
      /^[a-z0-9_-]+$/,
      'lower-case letters, digits, _ and - (ESPHome makes it from the name: "Hall PIR" -> hall_pir)',
    ).describe(
      "The entity's object id, as in <node>/binary_sensor/<sensor>/state or <node>/sensor/<sensor>/state, e.g. pir.",
    ),
    kind: payloadKind.describe(
      'What the entity senses. motion, presence, contact, bed, chair, fall, water_leak: a binary_sensor ' +
        '(ON = detected/occupied/open/a fall); temperature, humidity, battery, heart_rate, steps, rssi: a sensor ' +
        '(a number); button: a binary_sensor (ON = a press) or an event entity; fall also: a text_sensor ' +
        'saying Real, Suspected or None (the Seeed MR24FDB1 component).',
    ),
  })
  .describe('One entity of an ESPHome node that publishes to the local broker over MQTT.');

export const tasmota = z
  .strictObject({
    ...common,
    source: z.literal('tasmota'),
    topic: topicPart(
      "the device's Tasmota Topic (%topic%)",
      'tasmota_5C8A1B',
      LEVEL,
      'one topic level, without /, spaces, + or #',
    ).describe(
      "The device's Topic (%topic%, `Topic` in its console), e.g. tasmota_5C8A1B; the default FullTopic %prefix%/%topic%/ is assumed.",
    ),
    sensor: topicPart(
      'a key of the Tasmota SENSOR or RESULT message, or POWER<n>',
      'AM2301',
      /^\S+$/,
      'no spaces',
    )
      .optional()
      .describe(
        'Which part of the device: a sensor object in tele/<topic>/SENSOR (AM2301, DS18B20, SI7021...), ' +
          'Switch<n> (its ON/OFF state), Button<n> (its presses, with SetOption73 1), or POWER<n> for a ' +
          'relay other than the first. By default every sensor object, and POWER for an ON/OFF kind.',
      ),
    kind: payloadKind
      .optional()
      .describe(
        'What it senses. An ON/OFF kind (motion, contact, bed...) reads the relay or switch: ON = true; ' +
          'by default the readings of every known sensor key (temperature, humidity, battery).',
      ),
    output: relayOutput('Tasmota'),
  })
  .describe('A device running Tasmota that publishes to the local broker.');

export const shelly = z
  .strictObject({
    ...common,
    source: z.literal('shelly'),
    topic: topicPart(
      "the Shelly's MQTT topic prefix",
      'shellyplusht-08b61fcb7f0c',
      LEVELS,
      'topic levels separated by /, without spaces, + or #',
    ).describe(
      "The device's MQTT topic prefix (by default its id, e.g. shellyplusht-08b61fcb7f0c); it publishes to <prefix>/events/rpc.",
    ),
    component: topicPart(
      'a Shelly component such as temperature:0 or input:1',
      'input:0',
      /^[a-z][a-z0-9_]*(:\d+)?$/,
      'a component type, a colon and its number',
    )
      .optional()
      .describe(
        'Only this component: temperature:0, humidity:0, flood:0, input:N, switch:N... Needed for an ' +
          'ON/OFF kind (an input wired to a reed switch or PIR, or a switch), which it reads as true = on. ' +
          'For output: relay, the switch it drives (switch:0 by default), or relay:N on a Gen1 device ' +
          '(topic shellies/<id>), which Hearth drives but does not read.',
      ),
    kind: payloadKind
      .optional()
      .describe(
        'Only the readings of this kind are taken (and battery, rssi); by default every known component ' +
          '(temperature, humidity, battery, water_leak, rssi, and presses of inputs as button).',
      ),
    output: relayOutput('Shelly'),
  })
  .describe(
    'A Shelly Gen2/Gen3 device (RPC notifications over MQTT) publishing to the local broker, or a Gen1 relay driven as a prompt output.',
  );
