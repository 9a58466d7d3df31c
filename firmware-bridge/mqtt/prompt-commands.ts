// What each MQTT device is sent to ask the resident "are you OK?", how often it is asked again, and
// what stops it: a table by source and output, from each firmware's documented commands. Pure:
// a row in, a topic and payloads out. The topic comes from config (its ACL check needs it too).
import { type MqttOutput, promptTopic, shellyRelay } from '../../config/prompt-outputs.ts';

export type PromptCommand = {
  topic: string;
  /** Sent when the prompt starts, and again every `everyMs` while it lasts. */
  start: string;
  everyMs: number;
  /** Sent once when it ends: answered, raised to carers, past its bound, or the gateway stopping. */
  end: string;
};

/** A siren sounds in bursts of this many seconds, one every ASK_AGAIN_MS: asked, not alarmed. */
export const SIREN_BURST_S = 10;
const ASK_AGAIN_MS = 30_000;
/** The Zigbee Identify "breathe" effect lasts about 15 s: sent again as it ends, the bulb keeps on. */
const BREATHE_MS = 15_000;

const json = (v: unknown) => JSON.stringify(v);

type Z2mOutput = Extract<MqttOutput, { source: 'zigbee2mqtt' }>;

/** Zigbee2MQTT: `<topic>/set` with the keys of the device's exposes. */
const ZIGBEE2MQTT: Readonly<Record<Z2mOutput['output'], (row: Z2mOutput) => Omit<PromptCommand, 'topic'>>> = {
  // The warning expose of an IAS warning device (Heiman, Develco, Frient...). Each burst ends by
  // itself after `duration`, so a lost stop costs one burst, never a siren left sounding.
  siren: (row) => ({
    start: json({
      warning: { mode: 'emergency', level: row.level ?? 'medium', strobe: true, duration: SIREN_BURST_S },
    }),
    everyMs: ASK_AGAIN_MS,
    end: json({ warning: { mode: 'stop' } }),
  }),
  // Tuya-style sound devices (NEO NAS-AB02B2 and the like) expose an `alarm` switch that plays
  // the melody set on the device; asked again, a short melody rings again.
  chime: () => ({ start: json({ alarm: true }), everyMs: ASK_AGAIN_MS, end: json({ alarm: false }) }),
  // The light's Identify effect (Zigbee2MQTT's `effect`): it leaves the light's own on/off and
  // colour alone, so stopping it puts the bulb back as it was.
  bulb: () => ({
    start: json({ effect: 'breathe' }),
    everyMs: BREATHE_MS,
    end: json({ effect: 'stop_effect' }),
  }),
  // A plug or switch with a lamp or a sounder on it: on while she is asked. Said again in case
  // the first was lost or the plug restarted; the same state twice changes nothing.
  relay: () => ({ start: json({ state: 'ON' }), everyMs: ASK_AGAIN_MS, end: json({ state: 'OFF' }) }),
};

/** The command set of one row. */
export function promptCommand(row: MqttOutput): PromptCommand {
  const topic = promptTopic(row);
  switch (row.source) {
    case 'zigbee2mqtt':
      return { topic, ...ZIGBEE2MQTT[row.output](row) };
    case 'tasmota':
      return { topic, start: 'ON', everyMs: ASK_AGAIN_MS, end: 'OFF' };
    case 'shelly': {
      const relay = shellyRelay(row.component) ?? { gen1: false, index: 0 };
      if (relay.gen1) return { topic, start: 'on', everyMs: ASK_AGAIN_MS, end: 'off' };
      // Gen2+ answers an RPC on <src>/rpc: a src under the device's own prefix keeps that answer
      // inside what its broker user may publish (a publish outside it closes the connection).
      const call = (on: boolean) =>
        json({
          id: 1,
          src: `${row.topic}/hearth`,
          method: 'Switch.Set',
          params: { id: relay.index, on },
        });
      return { topic, start: call(true), everyMs: ASK_AGAIN_MS, end: call(false) };
    }
  }
}
