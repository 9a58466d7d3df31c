// The demo resident's day and night, as data: what each simulated sensor publishes and when.
// One day runs from 23:30 (in bed) to the next 23:30; the scene notes are what the console says.
// Pure: the seed moves each step by a few minutes, so every run differs a little but tells the
// same story.
import { seededRandom } from '../../core/random.ts';

export type Step = {
  /** Minutes after the day's start (23:30 the evening before). */
  at: number;
  /** The Zigbee2MQTT device topic suffix and its JSON payload; absent for a scene note alone. */
  device?: string;
  payload?: Record<string, unknown>;
  /** A JSON-lines board's sensor and the value it prints, played on a serial port. */
  serial?: { sensor: string; value: boolean };
  /** Over the air: a pendant press, its battery report, the wrist tag going out of range or back. */
  ble?: { press: true } | { battery: number } | { tagHome: boolean };
  /** Kept at its minute: the story depends on its order. */
  exact?: true;
  /** What is happening, for the timeline. */
  scene?: string;
};

/** "07:10" on the day -> minutes after the day's start at 23:30 the evening before. */
const t = (hhmm: string, nextDay = false): number => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return 30 + h * 60 + m + (nextDay ? 1440 : 0);
};
const motion = (room: string) => ({ device: `${room}_motion`, payload: { occupancy: true } });
const bed = (inBed: boolean) => ({ device: 'bed_pad', payload: { occupancy: inBed } });
const temp = (c: number) => ({ device: 'lounge_temp', payload: { temperature: c } });
const armchair = (seated: boolean) => ({
  serial: { sensor: 'armchair', value: seated },
  exact: true as const,
});
// Zigbee2MQTT's contact: false is an open door.
const door = (open: boolean) => ({ device: 'front_door', payload: { contact: !open }, exact: true as const });
// A Zigbee mmWave radar: Zigbee2MQTT republishes its whole state, presence included, with every
// attribute change, so `presence: true` arrives again and again while someone lies there.
const radar = (present: boolean) => ({ device: 'bathroom_radar', payload: { presence: present } });
const tag = (home: boolean) => ({ ble: { tagHome: home }, exact: true as const });

export const DAY_MINUTES = 1440;

function oneDay(): Step[] {
  const steps: Step[] = [
    { at: 0, ...bed(true), scene: 'Asleep in bed' },
    { at: t('07:10'), ...bed(false), scene: 'Morning: up at 07:10' },
    { at: t('07:12'), ...motion('bathroom') },
    { at: t('07:30'), ...motion('kitchen'), scene: 'Breakfast in the kitchen' },
    { at: t('07:34'), device: 'fridge', payload: { contact: false } },
    { at: t('07:35'), device: 'fridge', payload: { contact: true } },
    { at: t('08:10'), ...motion('lounge') },
    { at: t('08:12'), ...armchair(true) },
    { at: t('09:25'), ...armchair(false) },
    { at: t('09:30'), ...motion('hall') },
    { at: t('10:15'), ...motion('kitchen') },
    { at: t('10:20'), ...door(true), scene: 'Out for a walk to the shop, the wrist tag on' },
    { at: t('10:20'), ...tag(false) },
    { at: t('10:21'), ...door(false) },
    { at: t('11:14'), ...door(true), scene: 'Back home at 11:14' },
    { at: t('11:14'), ...tag(true) },
    { at: t('11:15'), ...door(false) },
    { at: t('11:20'), ...motion('lounge') },
    {
      at: t('11:40'),
      ble: { press: true },
      scene: 'Presses the help pendant: she has dropped her glasses and cannot find them',
    },
    { at: t('11:52'), ...motion('lounge'), scene: 'Finds them under the armchair' },
    { at: t('12:10'), ...motion('kitchen'), scene: 'Lunch' },
    {
      at: t('12:40'),
      ...motion('lounge'),
      scene:
        'An afternoon nap in the armchair: its pad says she is sitting, so three hours still is no alarm',
    },
    { at: t('12:40'), ...armchair(true) },
    { at: t('15:45'), ...armchair(false) },
    { at: t('15:50'), ...motion('kitchen') },
    { at: t('16:20'), ...motion('lounge'), scene: 'Dozes off on the sofa, where no pad sees her' },
    {
      at: t('19:23'),
      device: 'ok_button',
      payload: { action: 'single' },
      scene: 'Woken by the chime: presses "I\'m OK"',
    },
    { at: t('19:30'), ...motion('kitchen') },
    {
      at: t('19:40'),
      ...motion('bathroom'),
      scene: 'Slips in the bathroom and lies still; the radar there sees someone, not moving',
    },
    { at: t('21:40'), ...door(true), scene: 'Her daughter lets herself in, finds her and helps her up' },
    { at: t('21:41'), ...door(false) },
    { at: t('21:41'), ...motion('hall') },
    { at: t('21:43'), ...motion('bathroom') },
    { at: t('21:55'), ...radar(false) },
    { at: t('22:05'), ...bed(true), scene: 'To bed at 22:05' },
    { at: t('02:10', true), ...bed(false), scene: 'Night: a trip to the bathroom' },
    { at: t('02:12', true), ...motion('bathroom') },
    { at: t('02:19', true), ...bed(true) },
    { at: t('03:30', true), ...bed(false), scene: 'Night: up and about for a long time' },
    { at: t('03:36', true), ...motion('lounge') },
    { at: t('04:40', true), ...bed(true), scene: 'Back in bed at 04:40' },
  ];
  for (let m = t('19:40'); m < t('21:43'); m += 2) steps.push({ at: m, ...radar(true), exact: true });
  // The lounge cools through the evening (the heating is off), then warms when it comes back on.
  const evening = [
    18.4, 17.6, 16.8, 16.1, 15.6, 15.2, 14.9, 14.7, 14.6, 14.6, 14.7, 15.4, 16.4, 17.2, 17.8, 18.3, 18.6,
  ];
  for (const [i, c] of evening.entries())
    steps.push({
      at: t('16:00') + i * 20,
      ...temp(c),
      ...(i === 3 ? { scene: 'The lounge is getting cold' } : {}),
    });

  for (const h of [0, 3, 6, 9, 12, 15, 22]) steps.push({ at: h * 60 + 5, ...temp(h < 16 ? 19.2 : 18.5) });
  // Zigbee devices check in now and then with their battery level, as real ones do.
  for (const h of [2, 8, 14, 20])
    for (const device of [
      'hall_motion',
      'kitchen_motion',
      'bathroom_motion',
      'lounge_motion',
      'front_door',
      'fridge',
      'bed_pad',
      'ok_button',
    ])
      steps.push({ at: h * 60 + 1, device, payload: { battery: 87 } });
  // The pendant reports its battery twice a day, encrypted like its presses.
  for (const h of [1, 13]) steps.push({ at: h * 60 + 3, ble: { battery: 92 } });
  return steps;
}

/** `days` days of the script, each step moved by up to ±2 minutes (never across a neighbour). */
export function demoScript(days: number, seed: number): Step[] {
  const rnd = seededRandom(seed);
  const out: Step[] = [];
  for (let d = 0; d < days; d++)
    for (const s of oneDay()) {
      // Scene-setting and exact steps keep their time: the story depends on their order.
      const jitter = s.scene || s.exact ? 0 : Math.round((rnd() - 0.5) * 4);
      out.push({ ...s, at: d * DAY_MINUTES + Math.max(0, s.at + jitter) });
    }
  // The last night ends with a morning too (the next day's script would have begun with it).
  const last = days * DAY_MINUTES;
  out.push(
    { at: last + t('07:05'), ...bed(false), scene: 'Morning: up at 07:05' },
    { at: last + t('07:07'), ...motion('bathroom') },
    { at: last + t('07:25'), ...motion('kitchen') },
  );
  return out.sort((a, b) => a.at - b.at);
}
