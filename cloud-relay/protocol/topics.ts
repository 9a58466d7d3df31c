// The topics of version 1 (DESIGN.md section 5) and their inverse: `topics` makes them,
// `parseTopic` reads any of them back into its kind, gateway and leaf. Both walk one table, so
// that what one end writes the other reads. Pure, and parseTopic never throws.

const V1 = 'hearth/v1';
const LOCAL = 'hearth/local';

/**
 * After hearth/v1/{gw}/: the fixed topics of each home. All are written by the home but
 * `receipt`: the hub's word that it has stored the home's alerts, summaries and nights (by id),
 * which the home reads and keeps each of them until it hears.
 */
const HOME_LEAVES = {
  alert: 'alert',
  summary: 'summary',
  summaryFhir: 'summary/fhir',
  night: 'night',
  status: 'status',
  heartbeat: 'heartbeat',
  commandResult: 'cmd-result',
  receipt: 'receipt',
} as const;
/** hearth/v1/{gw}/cmd/{name}: the trust's commands, which the gateway subscribes to. */
const COMMAND = 'cmd';

/** After hearth/local/: the fixed topics of the home's own broker, never relayed. */
const LOCAL_LEAVES = {
  localAlert: 'alert',
  localStatus: 'status',
  /** A tool on the Pi (hearth status) publishes here for a fresh status rather than one a minute old. */
  localStatusRequest: 'status/request',
  /** A tool on the Pi (hearth mode) asks for a care mode here, as the trust's `mode` command does. */
  localModeRequest: 'mode/request',
  /** The answer to each such request, by its id. */
  localModeResult: 'mode/result',
} as const;
/** hearth/local/reading/{device}: each accepted Reading. */
const READING = 'reading';

export type HomeTopicKind = keyof typeof HOME_LEAVES;
export type LocalTopicKind = keyof typeof LOCAL_LEAVES;

const home = (leaf: string) => (gw: string) => `${V1}/${gw}/${leaf}`;

export const topics = {
  alert: home(HOME_LEAVES.alert),
  summary: home(HOME_LEAVES.summary),
  summaryFhir: home(HOME_LEAVES.summaryFhir),
  night: home(HOME_LEAVES.night),
  status: home(HOME_LEAVES.status),
  heartbeat: home(HOME_LEAVES.heartbeat),
  command: (gw: string, name: string) => `${V1}/${gw}/${COMMAND}/${name}`,
  commandResult: home(HOME_LEAVES.commandResult),
  receipt: home(HOME_LEAVES.receipt),
  localAlert: `${LOCAL}/${LOCAL_LEAVES.localAlert}`,
  localStatus: `${LOCAL}/${LOCAL_LEAVES.localStatus}`,
  localStatusRequest: `${LOCAL}/${LOCAL_LEAVES.localStatusRequest}`,
  localModeRequest: `${LOCAL}/${LOCAL_LEAVES.localModeRequest}`,
  localModeResult: `${LOCAL}/${LOCAL_LEAVES.localModeResult}`,
  localReading: (device: string) => `${LOCAL}/${READING}/${device}`,
} as const;

export type TopicKind = keyof typeof topics;

/**
 * What a topic is: its kind (the name of its maker in `topics`), the gateway it belongs to (none
 * for a local topic), its leaf (what follows hearth/v1/{gw}/ or hearth/local/), and the command
 * or device it names; or why it is none of them.
 */
export type ParsedTopic =
  | { ok: true; kind: HomeTopicKind; gateway: string; leaf: string }
  | { ok: true; kind: 'command'; gateway: string; leaf: string; command: string }
  | { ok: true; kind: LocalTopicKind; gateway: null; leaf: string }
  | { ok: true; kind: 'localReading'; gateway: null; leaf: string; device: string }
  | { ok: false; reason: string };

const byLeaf = <K extends string>(table: Record<K, string>) =>
  new Map(Object.entries<string>(table).map(([kind, leaf]) => [leaf, kind as K]));
const HOME_BY_LEAF = byLeaf(HOME_LEAVES);
const LOCAL_BY_LEAF = byLeaf(LOCAL_LEAVES);

const refuse = (reason: string): ParsedTopic => ({ ok: false, reason });

/**
 * A level no topic name can have: empty (which no topic here has), or holding a wildcard (MQTT
 * keeps them to filters) or NUL (which MQTT forbids).
 */
const badLevel = (l: string) => l === '' || l.includes('+') || l.includes('#') || l.includes('\u0000');

/** The inverse of `topics`: `parseTopic(topics.alert(gw))` is `{ kind: 'alert', gateway: gw }`. */
export function parseTopic(topic: string): ParsedTopic {
  if (typeof topic !== 'string') return refuse('a topic is a string');
  const levels = topic.split('/');
  const bad = levels.findIndex(badLevel);
  if (bad >= 0) return refuse(`level ${bad + 1} is empty or holds a wildcard or NUL`);
  const [root, space, ...rest] = levels;
  if (root === 'hearth' && space === 'v1') return homeTopic(rest);
  if (root === 'hearth' && space === 'local') return localTopic(rest);
  return refuse('not under hearth/v1/ or hearth/local/');
}

function homeTopic([gateway, ...leaves]: string[]): ParsedTopic {
  const leaf = leaves.join('/');
  if (gateway === undefined || leaves.length === 0) return refuse('no gateway and leaf after hearth/v1/');
  const [first, command] = leaves;
  if (first === COMMAND && command !== undefined && leaves.length === 2)
    return { ok: true, kind: 'command', gateway, leaf, command };
  const kind = HOME_BY_LEAF.get(leaf);
  return kind ? { ok: true, kind, gateway, leaf } : refuse('no such topic of a home');
}

function localTopic(leaves: string[]): ParsedTopic {
  const leaf = leaves.join('/');
  const [first, device] = leaves;
  if (first === READING && device !== undefined && leaves.length === 2)
    return { ok: true, kind: 'localReading', gateway: null, leaf, device };
  const kind = LOCAL_BY_LEAF.get(leaf);
  return kind ? { ok: true, kind, gateway: null, leaf } : refuse('no such local topic');
}
