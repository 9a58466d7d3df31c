// What in a home can ask the resident "are you OK?" while a prompt lasts: a Firmata buzzer, an MQTT
// device with `output:` (a Zigbee siren, chime, bulb or relay, a Shelly or Tasmota relay), the
// speaker; the topic each MQTT output is driven on; and the checks that go with them. Pure.
import { filterCovers, topicMatches } from '../core/topic.ts';
import { ON_OFF_KINDS } from './check-mqtt.ts';
import type { Path } from './problems.ts';
import type { Config, Device } from './schema.ts';
import { formatDuration } from './values.ts';

export type MqttOutput = Extract<Device, { source: 'zigbee2mqtt' | 'tasmota' | 'shelly' }> & {
  output: NonNullable<Extract<Device, { source: 'zigbee2mqtt' }>['output']>;
};

export const isMqttOutput = (d: Device): d is MqttOutput => 'output' in d && d.output !== undefined;

/** Rows the gateway plays the prompt on. A JSON-lines output is accepted, but no driver plays it yet. */
export const isPromptOutput = (d: Device): boolean =>
  d.role === 'prompt' && (isMqttOutput(d) || (d.source === 'firmata' && d.kind === 'output'));

/** Whatever asks the resident during a prompt, in words: "hall-siren (siren)", "speaker". */
export function promptOutputs(c: Pick<Config, 'devices' | 'speaker'>): string[] {
  const rows = c.devices
    .filter(isPromptOutput)
    .map((d) => `${d.id} (${isMqttOutput(d) ? d.output : `${d.source} output`})`);
  return c.speaker ? [...rows, 'speaker'] : rows;
}

const GEN1 = /^relay:(\d+)$/;

/** The relay a Shelly row drives: switch:N on Gen2 and later (RPC), relay:N on Gen1. */
export function shellyRelay(component: string | undefined): { gen1: boolean; index: number } | undefined {
  const c = component ?? 'switch:0';
  const m = /^(switch|relay):(\d+)$/.exec(c);
  return m ? { gen1: m[1] === 'relay', index: Number(m[2]) } : undefined;
}

/** The topic the gateway publishes a row's prompt to, on the local broker. */
export function promptTopic(d: MqttOutput): string {
  switch (d.source) {
    case 'zigbee2mqtt':
      return `${d.topic}/set`;
    case 'tasmota':
      // With the default FullTopic %prefix%/%topic%/, as the readings assume.
      return `cmnd/${d.topic}/${d.sensor ?? 'POWER'}`;
    case 'shelly': {
      const relay = shellyRelay(d.component) ?? { gen1: false, index: 0 };
      return relay.gen1 ? `${d.topic}/relay/${relay.index}/command` : `${d.topic}/rpc`;
    }
  }
}

/** What the device subscribes to, to hear its commands: the filter its broker user needs. */
function listenFilter(d: MqttOutput): string {
  switch (d.source) {
    case 'zigbee2mqtt':
      // Zigbee2MQTT subscribes to the whole of its base topic.
      return `${d.topic.split('/')[0]}/#`;
    case 'tasmota':
      return `cmnd/${d.topic}/#`;
    case 'shelly':
      return `${d.topic}/#`;
  }
}

type Report = (path: Path, message: string) => void;

/** The checks of one MQTT output row; `at` is its path in the file. */
function outputRowProblems(d: MqttOutput, at: Path, err: Report): void {
  if (d.role !== 'prompt')
    err(
      [...at, 'role'],
      `output: ${d.output} plays the prompt ("are you OK?"); give the row role: prompt${d.role ? ` (not ${d.role})` : ''}`,
    );
  // The device's own state read back as a sign of life would answer the prompt it is playing.
  if (d.source !== 'zigbee2mqtt' && d.kind && ON_OFF_KINDS.includes(d.kind))
    err(
      [...at, 'kind'],
      `an output row cannot read ${d.kind}: its own relay switching on would look like movement and answer the prompt; put that sensor in a row of its own`,
    );
  if (d.source === 'tasmota' && d.sensor !== undefined && !/^POWER\d*$/.test(d.sensor))
    err(
      [...at, 'sensor'],
      `a Tasmota relay output is POWER or POWER<n> (the relay it switches), not ${d.sensor}`,
    );
  if (d.source === 'shelly' && !shellyRelay(d.component))
    err(
      [...at, 'component'],
      `a Shelly relay output is the switch it drives, switch:0 (or relay:0 on a Gen1 device), not ${d.component}`,
    );
}

/** A row's problems that are not about outputs but follow from them: levels, Gen1 components. */
function nonOutputProblems(d: Device, at: Path, err: Report): void {
  if (d.source === 'zigbee2mqtt' && d.level !== undefined && d.output !== 'siren')
    err([...at, 'level'], 'level is the sound level of a siren: it needs output: siren');
  if (d.source === 'shelly' && d.component && GEN1.test(d.component) && (!d.output || d.kind))
    err(
      [...at, 'component'],
      `${d.component} is a Gen1 Shelly relay: Hearth can drive it as a prompt output (output: relay, role: prompt, no kind) but reads only Gen2 and later devices`,
    );
}

export type PromptCheckContext = {
  indexOf: (at: number) => number;
  /** Rows or the speaker the schema refused: their absence is not to be reported. */
  refused: { devices: boolean; speaker?: boolean };
};

/** Every check of the prompt's outputs, and the warnings of a prompt nobody would hear. */
export function checkPromptOutputs(c: Config, ctx: PromptCheckContext, err: Report, warn: Report): void {
  c.devices.forEach((d, at) => {
    const path = ['devices', ctx.indexOf(at)];
    nonOutputProblems(d, path, err);
    if (!isMqttOutput(d)) return;
    outputRowProblems(d, path, err);
    const topic = promptTopic(d);
    const filter = listenFilter(d);
    // Zigbee2MQTT's one subscription is refused whole unless a user's ACL covers all of it.
    const z2m = d.source === 'zigbee2mqtt';
    const allows = (f: string) => (z2m ? filterCovers(f, filter) : topicMatches(f, topic));
    if (!c.local_broker.users.some((u) => u.subscribe.some(allows)))
      warn(
        [...path, 'output'],
        `the device would never hear the prompt on ${topic}: no local_broker user may subscribe to ${z2m ? `${filter}, which Zigbee2MQTT subscribes to` : 'it'}; add "${filter}" to the subscribe list of the user it signs in as`,
      );
  });

  if (promptOutputs(c).length > 0 || ctx.refused.devices || ctx.refused.speaker) return;
  const jsonl = c.devices.some((d) => d.source === 'jsonl' && d.kind === 'output' && d.role === 'prompt');
  for (const p of rulePrompts(c))
    warn(
      ['rules', p.rule, 'prompt'],
      `${p.what} first asks the resident "are you OK?" for ${formatDuration(p.ms)}, but nothing in the home can ask her: ` +
        'add a device with role: prompt (a firmata output; a zigbee2mqtt siren, chime, bulb or relay, or a shelly or tasmota relay, with output: ...) ' +
        `or a speaker, or set prompt: 0${jsonl ? '; a jsonl output is not played by the gateway' : ''}`,
    );
}

/** The rules that ask the resident before carers are told, and for how long. */
export function rulePrompts(c: Pick<Config, 'rules'>): { rule: string; what: string; ms: number }[] {
  const r = c.rules;
  return [
    {
      rule: 'inactivity',
      what: 'a still spell (in a room, a chair, in bed by day, the bathroom)',
      ms: r.inactivity?.prompt ?? 0,
    },
    { rule: 'not_up', what: "not being up by the morning's time", ms: r.not_up?.prompt ?? 0 },
    { rule: 'night_out_of_bed', what: 'being out of bed at night', ms: r.night_out_of_bed?.prompt ?? 0 },
  ].filter((p) => p.ms > 0);
}
