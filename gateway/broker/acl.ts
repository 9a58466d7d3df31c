// Who may publish and subscribe to what on the local broker: pure decisions over the ACL table
// of the provisioning file, with MQTT wildcard semantics (+ one level, # the rest; topics that
// start with $ are not matched by a wildcard in the first level).

import { filterCovers, topicMatches } from '../../core/topic.ts';

export type AclUser = { name: string; publish: readonly string[]; subscribe: readonly string[] };

export type Decision = { ok: true } | { ok: false; reason: string };

export function canPublish(user: AclUser | undefined, topic: string): Decision {
  if (!user) return { ok: false, reason: 'not signed in' };
  if (topic.startsWith('$'))
    return { ok: false, reason: `${topic}: topics starting with $ are the broker's` };
  if (user.publish.some((f) => topicMatches(f, topic))) return { ok: true };
  return { ok: false, reason: `${user.name} may not publish to ${topic}` };
}

export function canSubscribe(user: AclUser | undefined, filter: string): Decision {
  if (!user) return { ok: false, reason: 'not signed in' };
  if (user.subscribe.some((a) => filterCovers(a, filter))) return { ok: true };
  return { ok: false, reason: `${user.name} may not subscribe to ${filter}` };
}

/**
 * Why a topic name or filter is not one MQTT 3.1.1 allows, or undefined: it forbids U+0000
 * (MQTT-1.5.3-2) and ill-formed UTF-8 (MQTT-1.5.3-1). The packet parser decodes ill-formed UTF-8
 * as U+FFFD, so that is what is looked for; a topic with a real U+FFFD in it is refused with them.
 */
export function topicProblem(topic: string): string | undefined {
  if (topic.includes('\u0000')) return 'a topic with U+0000 (NUL) in it';
  if (topic.includes('\ufffd')) return 'a topic that is not valid UTF-8';
  return undefined;
}
