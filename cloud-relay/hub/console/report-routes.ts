// The care-team report's page: for operators, admins and her own carers, like her resident page;
// every view is audited (who, which resident, which weeks), and a refusal too.
import type { FastifyInstance } from 'fastify';
import { zoneNamed } from '../../../core/zone.ts';
import type { NightMessage, SummaryMessage } from '../../protocol/messages.ts';
import { audit } from '../audit.ts';
import { maySee } from './access.ts';
import type { Console } from './context.ts';
import { nightRows } from './nights.ts';
import { reportBody } from './pages/report.ts';
import { notableChanges, usualOf } from './report-changes.ts';
import { addDays, dayStrips, periodDates, reportDays, weeksOf } from './report-days.ts';
import { alertsBetween, datedBetween } from './report-queries.ts';

/** Local midnight at the start of `date`. */
const midnight = (tz: string, date: string): number => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return zoneNamed(tz).fromLocal(y, m, d, 0);
};

export function reportRoutes(app: FastifyInstance, c: Console): void {
  const { db, d } = c;
  const tz = d.timezone;

  app.get('/residents/:resident/report', async (req, reply) => {
    const g = await c.guard(req, reply);
    if (!g) return reply;
    const { resident } = req.params as { resident: string };
    const weeks = weeksOf((req.query as Record<string, unknown>).weeks);
    if (!maySee(g.staff, resident))
      return c.refuse(req, reply, g.ctx, { action: 'view-report', resident, target: `${weeks} weeks` });
    const now = d.now();
    // The weeks end yesterday: today has no summary before tomorrow morning.
    const last = addDays(zoneNamed(tz).date(now), -1);
    const dates = periodDates(last, weeks);
    const first = dates[0] ?? last;
    const after = addDays(last, 1);
    const [sRows, nRows, alerts] = await Promise.all([
      datedBetween(db, 'summaries', resident, first, after),
      datedBetween(db, 'nights', resident, first, after),
      alertsBetween(db, resident, midnight(tz, first), midnight(tz, after)),
    ]);
    const summaries = sRows.map((r) => JSON.parse(r.json) as SummaryMessage);
    const nights = nightRows(
      summaries,
      nRows.map((r) => JSON.parse(r.json) as NightMessage),
    );
    const all = reportDays([...dates, after], summaries, nights);
    const days = all.slice(0, -1);
    await audit(
      db,
      {
        staff: g.staff.name,
        action: 'view-report',
        resident,
        target: `${weeks} weeks to ${last}`,
        outcome: 'ok',
      },
      now,
    );
    return c.render(req, reply, g.ctx, {
      title: `Report for resident ${resident}`,
      body: reportBody(
        {
          resident,
          weeks,
          days,
          strips: dayStrips(days, all[all.length - 1]),
          changes: notableChanges(days),
          usual: usualOf(days),
          alerts: alerts.alerts,
          cut: alerts.cut,
          by: g.staff.name,
          now,
        },
        tz,
      ),
    });
  });
}
