// `hearth demo`: a simulated resident's day and night in time-lapse, on embedded defaults.

import { EXIT } from '../../core/process.ts';
import { runDemo } from './run.ts';

export type DemoFlags = {
  speed: string;
  days: string;
  seed: string;
  json?: boolean;
  color: boolean;
  console?: boolean;
};

export async function demoCommand(f: DemoFlags): Promise<number> {
  const speed = f.speed === 'max' ? 'max' : Number(f.speed);
  const days = Number(f.days);
  const seed = Number(f.seed);
  if (speed !== 'max' && !(speed > 0))
    return refuse(
      `--speed ${f.speed}: a number of simulated seconds per second (1800 = an hour every 2 s), or max`,
    );
  if (!Number.isInteger(days) || days < 1 || days > 14)
    return refuse(`--days ${f.days}: a whole number of days from 1 to 14`);
  if (!Number.isInteger(seed)) return refuse(`--seed ${f.seed}: a whole number`);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const color = f.color && !f.json && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  try {
    if (!f.json)
      process.stdout.write(
        `Hearth demo: a day and a night of a resident living alone, in time-lapse${speed === 'max' ? '' : ` (${Math.round(speed / 60)} simulated minutes a second)`}.\nCtrl-C stops it.\n\n`,
      );
    return await runDemo(
      { speed, days, seed, json: Boolean(f.json), color, signal: abort.signal, console: f.console },
      (s) => process.stdout.write(s),
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function refuse(message: string): number {
  process.stderr.write(`hearth demo: ${message}\n`);
  return EXIT.badInput;
}
