// The judgement figures of `npm run bench`: every labelled home in the reference data (../shared
// beside the checkout) replayed with the reference home's rules, with every sensor and with motion
// alone: false alerts per resident-month and the time to detect simulated collapses. A clone
// without ../shared says plainly that these were skipped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate } from '../../gateway/evaluate/evaluate.ts';
import { homeConfig, linesFor, loadLabelledHome, REFERENCE_HOME } from '../../gateway/evaluate/home.ts';
import { evaluationFigures, evaluationText } from '../../gateway/evaluate/report.ts';

export const SHARED_HOMES = fileURLToPath(new URL('../../../shared/data/homes/', import.meta.url));

/** As the figures are quoted: a care team acknowledging after 15 minutes, a week of warm-up. */
export const JUDGEMENT = {
  ackAfterMs: 15 * 60_000,
  answerAfterMs: 60_000,
  warmupDays: 7,
  collapses: 20,
  seed: 1,
};

export function measureJudgement(
  report: (text: string) => void,
  o: { quick?: boolean } = {},
): Record<string, number> {
  if (!existsSync(SHARED_HOMES)) {
    report(
      `SKIPPED: the judgement figures need the reference homes in ${SHARED_HOMES} (beside a CI checkout)`,
    );
    return { judgement_homes_count: 0 };
  }
  const template = readFileSync(REFERENCE_HOME, 'utf8');
  const figures: Record<string, number> = {};
  const homes = readdirSync(SHARED_HOMES, { withFileTypes: true }).filter((d) => d.isDirectory());
  for (const dir of homes) {
    const home = loadLabelledHome(join(SHARED_HOMES, dir.name));
    for (const sensors of ['all', 'motion'] as const) {
      const config = homeConfig(home, template, sensors);
      const e = evaluate({
        ...JUDGEMENT,
        ...(o.quick ? { collapses: 5 } : {}),
        config,
        lines: linesFor(home, config),
        labels: home.labels,
      });
      const title = `${home.name} (${sensors === 'all' ? 'every sensor' : 'motion only'})`;
      report(
        evaluationText(title, e, {
          warmupDays: JUDGEMENT.warmupDays,
          ackAfterMin: 15,
          answerAfterMin: 1,
          sensors,
        }),
      );
      Object.assign(figures, evaluationFigures(`judgement_${home.name.replace(/-/g, '_')}_${sensors}`, e));
    }
  }
  figures.judgement_homes_count = homes.length;
  return figures;
}
