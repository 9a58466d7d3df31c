// How the demo shows itself: a timeline with colour where the terminal has it and a progress bar
// for the simulated day, or one JSON object per event (--json) for machines and tests.

export type DemoEvent =
  | { kind: 'scene'; at: string; text: string }
  | {
      kind: 'alert';
      at: string;
      rule: string;
      state: string;
      severity: string;
      reason: string;
      local: boolean;
    }
  | { kind: 'ack'; at: string; alert_id: string }
  | { kind: 'summary'; at: string; date: string; summary: Record<string, unknown> };

const ESC = '\u001b[';
const paint = (on: boolean, code: string, s: string) => (on ? `${ESC}${code}m${s}${ESC}0m` : s);
const STATE_COLOUR: Record<string, string> = {
  'pre-alert': '33',
  cancelled: '32',
  raised: '31',
  escalated: '1;31',
  acknowledged: '36',
  resolved: '32',
};

/** The fridge clause, when the home has a fridge sensor that said anything that day. */
function fridge(kitchen: unknown): string {
  const n = (kitchen as { fridge_opened?: number | null } | undefined)?.fridge_opened;
  return typeof n === 'number' ? `, fridge opened ${n} time${n === 1 ? '' : 's'}` : '';
}

export class DemoConsole {
  #lastBar = '';

  constructor(
    private readonly o: { json: boolean; color: boolean; tty: boolean; write: (s: string) => void },
  ) {}

  event(e: DemoEvent): void {
    if (this.o.json) {
      this.o.write(`${JSON.stringify(e)}\n`);
      return;
    }
    this.#clearBar();
    const c = this.o.color;
    const when = paint(c, '2', e.at);
    if (e.kind === 'scene') this.o.write(`${when}  ${paint(c, '1', '▸')} ${e.text}\n`);
    else if (e.kind === 'alert') {
      const state = paint(c, STATE_COLOUR[e.state] ?? '0', e.state.padEnd(12));
      const where = e.local ? paint(c, '2', '(in the home)') : paint(c, '2', '(to the trust)');
      this.o.write(`${when}  ${state} ${e.rule.padEnd(18)} ${e.reason} ${where}\n`);
    } else if (e.kind === 'ack')
      this.o.write(`${when}  ${paint(c, '36', 'monitoring centre')} acknowledges ${e.alert_id}\n`);
    else this.o.write(renderSummary(e.date, e.summary, c));
  }

  progress(fraction: number, label: string): void {
    if (this.o.json || !this.o.tty) return;
    const width = 30;
    const done = Math.round(Math.min(1, fraction) * width);
    this.#lastBar = `[${'█'.repeat(done)}${'░'.repeat(width - done)}] ${label}`;
    this.o.write(`\r${this.#lastBar}`);
  }

  done(): void {
    this.#clearBar();
  }

  #clearBar(): void {
    if (this.#lastBar) this.o.write(`\r${' '.repeat(this.#lastBar.length)}\r`);
    this.#lastBar = '';
  }
}

const BLOCKS = ' ▁▂▃▄▅▆▇█';

/** 24 numbers -> a row of Unicode blocks, tallest for the busiest hour. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(1, ...values);
  return values.map((v) => BLOCKS[Math.round((v / max) * (BLOCKS.length - 1))] ?? ' ').join('');
}

function renderSummary(date: string, s: Record<string, unknown>, c: boolean): string {
  const sleep = (s.sleep ?? {}) as Record<string, unknown>;
  const activity = (s.activity ?? {}) as Record<string, unknown>;
  const perHour = (activity.per_hour ?? []) as number[];
  const hm = (iso: unknown) => (typeof iso === 'string' ? iso.slice(11, 16) : '—');
  const lines = [
    '',
    paint(c, '1', `Daily summary for ${date}`),
    `  night      bed ${hm(sleep.bedtime)}, up ${hm(sleep.wake)}, in bed ${sleep.time_in_bed_min ?? '—'} min, out of bed ${
      (sleep.out_of_bed as { count?: number } | undefined)?.count ?? '—'
    } times, bathroom visits ${sleep.bathroom_visits ?? '—'} (source: ${sleep.source ?? '—'})`,
    `  activity   ${sparkline(perHour)}  signs of life by hour, 00–23`,
    `             first ${hm(activity.first)}, last ${hm(activity.last)}${fridge(activity.kitchen)}`,
    ...((activity.temperature ?? []) as { room: string; min: number; max: number }[]).map(
      (t) => `  ${t.room.padEnd(10)} ${t.min.toFixed(1)}–${t.max.toFixed(1)} °C`,
    ),
    `  alerts     ${
      ((activity.alerts ?? []) as { rule: string; state: string; count: number }[])
        .filter((a) => a.state === 'raised' || a.state === 'pre-alert')
        .map((a) => `${a.rule} ${a.state} ×${a.count}`)
        .join(', ') || 'none'
    }`,
  ];
  const notable = (s.notable ?? []) as { text: string }[];
  for (const n of notable) lines.push(`  notable    ${n.text}`);
  return `${lines.join('\n')}\n\n`;
}
