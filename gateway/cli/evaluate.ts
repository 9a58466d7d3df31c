// `hearth evaluate`: a home's rules against a recorded home. Either a provisioning file and its
// events (`--config`, `--input`, and `--labels` in the reference data's activities.json format), or
// a labelled home folder (`--home DIR`: devices.json, events.jsonl, activities.json) replayed with
// the rules of a template provisioning file (the reference home by default).
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { parseDuration } from '../../config/values.ts';
import { EXIT } from '../../core/process.ts';
import { evaluate } from '../evaluate/evaluate.ts';
import {
  homeConfig,
  type Label,
  linesFor,
  loadLabelledHome,
  REFERENCE_HOME,
  type Sensors,
} from '../evaluate/home.ts';
import { evaluationText } from '../evaluate/report.ts';
import { problemsText } from './check-config.ts';

export type EvaluateCommandOptions = {
  config?: string;
  input?: string;
  labels?: string;
  home?: string;
  template?: string;
  sensors?: string;
  ackAfter: string;
  answerAfter: string;
  warmup: string;
  collapses: string;
  seed: string;
  json?: boolean;
  alerts?: boolean;
};

type Loaded = {
  title: string;
  config: Config;
  lines: string[];
  labels: Label[] | null;
  /** A labelled home's sensors, which the targets depend on. */
  sensors?: Sensors;
};

function load(o: EvaluateCommandOptions): Loaded | string {
  if (o.home) {
    const sensors = (o.sensors ?? 'all') as Sensors;
    if (sensors !== 'all' && sensors !== 'motion') return `--sensors ${o.sensors}: expected all or motion`;
    const home = loadLabelledHome(o.home);
    const config = homeConfig(home, readFileSync(o.template ?? REFERENCE_HOME, 'utf8'), sensors);
    return {
      title: `${home.name} (${sensors === 'all' ? 'every sensor' : 'motion only'})`,
      config,
      lines: linesFor(home, config),
      labels: home.labels,
      sensors,
    };
  }
  if (!o.config || !o.input) return 'give --home DIR, or --config FILE and --input EVENTS.jsonl';
  const { config, problems } = loadConfig(o.config, { strictRefs: false });
  if (!config) return problemsText(o.config, problems);
  const lines = readFileSync(o.input, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const labels = o.labels
    ? (JSON.parse(readFileSync(o.labels, 'utf8')) as { start: string; end: string; activity: string }[]).map(
        (l) => ({
          start: Date.parse(l.start),
          end: Date.parse(l.end),
          activity: l.activity,
        }),
      )
    : null;
  return { title: config.gateway.id, config, lines, labels };
}

export function evaluateCommand(o: EvaluateCommandOptions, write: (text: string) => void): number {
  const ackAfterMs = parseDuration(o.ackAfter);
  const answerAfterMs = o.answerAfter === 'never' ? null : parseDuration(o.answerAfter);
  const warmupMs = parseDuration(o.warmup);
  const collapses = Number(o.collapses);
  const seed = Number(o.seed);
  const bad = (why: string) => {
    process.stderr.write(`hearth evaluate: ${why}\n`);
    return EXIT.badInput;
  };
  if (ackAfterMs === undefined) return bad(`--ack-after ${o.ackAfter}: not a duration such as 15m`);
  if (answerAfterMs === undefined)
    return bad(`--answer-after ${o.answerAfter}: a duration such as 1m, or never`);
  if (warmupMs === undefined) return bad(`--warmup ${o.warmup}: not a duration such as 7d`);
  if (!Number.isInteger(collapses) || collapses < 0) return bad(`--collapses ${o.collapses}: a whole number`);
  if (!Number.isInteger(seed)) return bad(`--seed ${o.seed}: a whole number`);
  let loaded: Loaded | string;
  try {
    loaded = load(o);
  } catch (e) {
    return bad((e as Error).message);
  }
  if (typeof loaded === 'string') return bad(loaded);
  const warmupDays = warmupMs / 86_400_000;
  const { sensors, ...input } = loaded;
  const e = evaluate({ ...input, ackAfterMs, answerAfterMs, warmupDays, collapses, seed });
  write(
    o.json
      ? JSON.stringify({ home: loaded.title, ...e })
      : evaluationText(loaded.title, e, {
          warmupDays,
          ackAfterMin: ackAfterMs / 60_000,
          answerAfterMin: answerAfterMs === null ? null : answerAfterMs / 60_000,
          ...(sensors ? { sensors } : {}),
          list: o.alerts === true,
        }),
  );
  return EXIT.ok;
}
