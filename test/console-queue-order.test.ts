// The queue puts first what nobody has taken: an urgent alert waiting unanswered above a warning,
// and both above an urgent alert someone has acknowledged or is on their way to, whatever their ages.
import { describe, expect, it } from 'vitest';
import type { OpenAlert, OpenHubAlert } from '../cloud-relay/hub/console/data.ts';
import { answered, lateness, orderQueue } from '../cloud-relay/hub/console/pages/queue.ts';

const T0 = Date.parse('2026-03-02T02:00:00Z');
const MIN = 60_000;

/** An open alert with only what the queue reads. */
function open(id: string, severity: string, receivedMinAgo: number, o: Partial<OpenAlert> = {}): OpenAlert {
  return {
    alert_id: id,
    gateway: `gw-${id}`,
    severity,
    state: 'raised',
    first_received_at: T0 - receivedMinAgo * MIN,
    first_at: new Date(T0 - receivedMinAgo * MIN).toISOString(),
    ack_pending: false,
    claims: [],
    ...o,
  } as OpenAlert;
}

describe('the queue order', () => {
  it('puts the unanswered first, by severity then age, and the answered below them', () => {
    const acked = open('acked', 'urgent', 30, { state: 'acknowledged' });
    const claimed = open('claimed', 'urgent', 25, {
      claims: [{ staff: 'olive', at: T0 - 20 * MIN }] as OpenAlert['claims'],
    });
    const pending = open('pending', 'urgent', 20, { ack_pending: true });
    const urgentNew = open('urgent-new', 'urgent', 1);
    const urgentOld = open('urgent-old', 'urgent', 5);
    const warning = open('warning', 'warning', 40);
    const silent = {
      key: 'silent',
      severity: 'urgent',
      raised_at: T0 - 3 * MIN,
      resident: null,
    } as OpenHubAlert;
    const order = orderQueue([acked, claimed, warning, urgentNew, pending, urgentOld], [silent]).map((i) =>
      i.kind === 'home' ? i.a.alert_id : i.a.key,
    );
    expect(order).toEqual(['urgent-old', 'silent', 'urgent-new', 'warning', 'acked', 'claimed', 'pending']);
    expect(answered({ kind: 'home', a: warning, since: 0 })).toBe(false);
    expect(answered({ kind: 'home', a: claimed, since: 0 })).toBe(true);
  });

  it('says how late an alert nobody has taken is, at the answer-time targets of 60 s and 180 s', () => {
    expect([0, 59_999, 60_000, 179_999, 180_000, 3_600_000].map((w) => lateness(w))).toEqual([
      0, 0, 1, 1, 2, 2,
    ]);
  });

  it("judges by the hub file's targets when it sets them (console.answer_targets)", () => {
    expect([29_999, 30_000, 119_999, 120_000].map((w) => lateness(w, [30_000, 120_000]))).toEqual([
      0, 1, 1, 2,
    ]);
  });

  it('puts a hub alert someone acknowledged or is handling below the untaken ones', () => {
    const hub = (key: string, extra: Partial<OpenHubAlert>) =>
      ({
        key,
        severity: 'urgent',
        raised_at: T0 - 10 * MIN,
        resident: null,
        ack_at: null,
        claims: [],
        ...extra,
      }) as OpenHubAlert;
    const warning = open('warning', 'warning', 1);
    const order = orderQueue(
      [warning],
      [
        hub('acked', { ack_at: T0, ack_by: 'olive' }),
        hub('handled', { claims: [{ staff: 'olive', at: T0, kind: 'handling' }] }),
        hub('untaken', {}),
      ],
    ).map((i) => (i.kind === 'home' ? i.a.alert_id : i.a.key));
    expect(order).toEqual(['untaken', 'warning', 'acked', 'handled']);
  });
});
