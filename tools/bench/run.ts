// `npm run bench` (`hearth bench [--json]`): speed and memory figures, as a table or one JSON
// object whose keys name the figure and its unit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/load.ts';
import { RealClock } from '../../core/clock.ts';
import { createLogger } from '../../core/log.ts';
import { startGateway } from '../../gateway/main.ts';
import { measureConsole } from './console-pages.ts';
import { measureDiskWrites } from './disk.ts';
import { measureProcess } from './hearth-process.ts';
import { homeFile } from './home-file.ts';
import { measureHub } from './hub-load.ts';
import { measureIngest } from './ingest.ts';
import { measureJudgement } from './judgement.ts';
import { measureZigbeeIngest } from './local-mqtt.ts';
import { measureRelay } from './relay.ts';
import { measureSummary } from './summary.ts';

const HOME = fileURLToPath(new URL('../../config/examples/home.yaml', import.meta.url));

export type Figures = Record<string, number>;

async function startupFigures(): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  try {
    const t0 = performance.now();
    const { config } = loadConfig(HOME, { strictRefs: false });
    if (!config) throw new Error('config/examples/home.yaml must be valid');
    const t1 = performance.now();
    process.env.HEARTH_Z2M_PASSWORD ??= 'bench-only-password';
    const gw = await startGateway({
      // The reference home as a technician would start it, but with no trust broker to reach.
      config: { ...config, relay: undefined },
      log: createLogger({ level: 'silent' }),
      clock: new RealClock(),
      storePath: join(dir, 'h.db'),
      bluetoothSysfs: dir,
      listen: [{ host: '127.0.0.1', port: 0 }],
    });
    const t2 = performance.now();
    await gw.stop();
    return { config_load_ms: t1 - t0, gateway_start_ms: t2 - t1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `hearth run` on the reference home as its own process, every device absent: its memory. */
async function gatewayProcessFigures(): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  try {
    const home = await homeFile(dir);
    const p = await measureProcess(['run', '--config', home.file], 'gateway running', home.env);
    return {
      gateway_ready_rss_mb: p.readyRssMb,
      gateway_idle_rss_mb: p.idleRssMb,
      gateway_idle_private_mb: p.idlePrivateMb,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runBench(opts: { json: boolean; quick?: boolean }): Promise<Figures> {
  const { config } = loadConfig(HOME, { strictRefs: false });
  if (!config) throw new Error('config/examples/home.yaml must be valid');
  const count = opts.quick ? 5_000 : 50_000;
  const figures: Figures = { ...(await startupFigures()), ...(await gatewayProcessFigures()) };
  const fresh = measureIngest(config, 0, count);
  figures.ingest_readings_per_s = fresh.perSecond;
  figures.reading_cost_1d_history_us = measureIngest(config, 1, count).perReadingUs;
  figures.reading_cost_90d_history_us = measureIngest(config, opts.quick ? 7 : 90, count).perReadingUs;
  figures.summary_cost_1d_history_ms = measureSummary(config, 1, opts.quick ? 3 : 10);
  figures.summary_cost_90d_history_ms = measureSummary(config, opts.quick ? 7 : 90, opts.quick ? 3 : 10);
  figures.z2m_ingest_msgs_per_s = (await measureZigbeeIngest(opts.quick ? 2_000 : 20_000)).perSecond;
  Object.assign(figures, await measureRelay(10_000, opts.quick ? 200 : 1_000));
  Object.assign(figures, measureDiskWrites(config, opts.quick ? 0.25 : 1));
  figures.rss_mb = process.memoryUsage().rss / 1_048_576;
  // Judgement: how often the rules cry wolf on real homes, and how long a collapse goes unseen.
  Object.assign(
    figures,
    measureJudgement((t) => process.stderr.write(`${t}\n`), { quick: opts.quick }),
  );
  // The trust's hub last: its own process and broker, and its memory kept out of rss_mb.
  Object.assign(figures, await measureHub({ quick: opts.quick }));
  Object.assign(figures, await measureConsole({ quick: opts.quick }));
  for (const k of Object.keys(figures)) figures[k] = Math.round((figures[k] as number) * 100) / 100;
  return figures;
}

export function table(f: Figures): string {
  const rows = Object.entries(f).map(([k, v]) => {
    const [, name, unit] = /^(.*?)_(per_s|per_month|ms|us|mb|bytes|pct|min|count)$/.exec(k) ?? [k, k, ''];
    const label =
      {
        per_s: '/s',
        per_month: 'a month',
        ms: 'ms',
        us: 'µs',
        mb: 'MB',
        bytes: 'bytes',
        pct: '%',
        min: 'min',
        count: '',
      }[unit as string] ?? '';
    return `${(name as string).padEnd(44)} ${String(v).padStart(12)}  ${label}`;
  });
  return [`${'figure'.padEnd(44)} ${'value'.padStart(12)}  unit`, ...rows].join('\n');
}
