// From a topic to the device rows it concerns. Every message on the local broker passes through
// here, so exact topics (all the mappers give today) are one Map lookup; only filters with
// wildcards, if a mapper ever gives one, are matched one by one.
import type { Device } from '../../config/schema.ts';
import { topicMatches } from '../../core/topic.ts';
import type { Mapper, MapResult, MqttRow, MqttSource } from './mapper.ts';

export type Route = { readonly row: MqttRow; readonly mapper: Mapper };

export type Router = {
  /** Every topic filter to subscribe to, each once, in the rows' order. */
  readonly filters: readonly string[];
  /** The rows a message on `topic` concerns, each with its mapper; empty when none does. */
  routes(topic: string): readonly Route[];
  /**
   * One message through the mapper of every row it concerns. A topic no row concerns gives an
   * empty result (`routes(topic)` tells it apart); a problem several rows found is listed once.
   */
  map(topic: string, payload: Buffer, now: number): MapResult;
};

const NONE: readonly Route[] = [];

export function buildRouter(rows: readonly Device[], mappers: Readonly<Record<MqttSource, Mapper>>): Router {
  const exact = new Map<string, Route[]>();
  const wild: { filter: string; routes: Route[] }[] = [];
  const filters: string[] = [];
  const isMqtt = (d: Device): d is MqttRow => Object.hasOwn(mappers, d.source);
  for (const row of rows) {
    if (!isMqtt(row)) continue;
    const mapper = mappers[row.source];
    for (const filter of new Set(mapper.filters(row))) {
      const isWild = filter.includes('+') || filter.includes('#');
      const list = isWild ? wild.find((w) => w.filter === filter)?.routes : exact.get(filter);
      if (list) list.push({ row, mapper });
      else {
        filters.push(filter);
        if (isWild) wild.push({ filter, routes: [{ row, mapper }] });
        else exact.set(filter, [{ row, mapper }]);
      }
    }
  }

  const routes = (topic: string): readonly Route[] => {
    const direct = exact.get(topic);
    if (wild.length === 0) return direct ?? NONE;
    const more = wild.filter((w) => topicMatches(w.filter, topic)).flatMap((w) => w.routes);
    return more.length === 0 ? (direct ?? NONE) : [...new Set([...(direct ?? []), ...more])];
  };

  return {
    filters,
    routes,
    map(topic, payload, now) {
      const found = routes(topic);
      if (found.length === 1 && found[0]) return mapOne(found[0], topic, payload, now);
      const readings: MapResult['readings'] = [];
      const problems = new Set<string>();
      for (const route of found) {
        const r = mapOne(route, topic, payload, now);
        readings.push(...r.readings);
        for (const p of r.problems) problems.add(p);
      }
      return { readings, problems: [...problems] };
    },
  };
}

/** One row's mapper on one message. A mapper that throws (a bug) costs that row this message only. */
function mapOne({ row, mapper }: Route, topic: string, payload: Buffer, now: number): MapResult {
  try {
    return mapper.map(row, topic, payload, now);
  } catch (err) {
    return {
      readings: [],
      problems: [`${topic}: ${row.id}: the ${row.source} mapper failed: ${String(err)}`],
    };
  }
}
