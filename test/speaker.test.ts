// The speaker: the real espeak-ng synthesising the words into a WAV file (no sound card needed), a
// stand-in program for when and how often it is run (on a simulated clock the test moves), a
// missing espeak-ng said once, a failing one named, and the arguments and complaints as values.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Speaker, speaker } from '../config/speaker.ts';
import { SimClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { complaint, espeakArgs } from '../firmware-bridge/speaker/espeak.ts';
import { MISSING, SpeakerOutput } from '../firmware-bridge/speaker/speaker.ts';
import { tempDir } from './helpers/tmp.ts';
import { requireTool } from './helpers/tools.ts';
import { until } from './helpers/until.ts';

const WORDS = 'Are you OK? Press the button if you are.';
const cfg = (more: Partial<Speaker> = {}): Speaker => ({ ...speaker.parse({}), ...more });

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

/** A speaker on a simulated clock, its log lines collected. */
function rig(c: Speaker, program?: string, boundMs = 11 * 60_000) {
  const clock = new SimClock(Date.UTC(2026, 2, 2, 13, 0));
  const lines: { level: number; msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const log = createLogger({ level: 'debug', destination, pretty: false });
  const out = new SpeakerOutput(c, { clock, log }, { boundMs, program });
  stops.push(() => out.stop());
  const said = () => lines.filter((l) => l.msg.startsWith('speaker: said')).length;
  return { clock, out, lines, said, text: () => lines.map((l) => l.msg).join('\n') };
}

/** A stand-in for espeak-ng: a real program that notes each run's arguments, one line each. */
function standIn(body = 'printf "%s\\n" "$*" >> "$(dirname "$0")/runs.txt"') {
  const dir = tempDir();
  const program = join(dir, 'say');
  writeFileSync(program, `#!/bin/sh\n${body}\n`);
  chmodSync(program, 0o755);
  const runs = () => {
    try {
      return readFileSync(join(dir, 'runs.txt'), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  return { program, runs };
}

describe('the real espeak-ng', () => {
  beforeAll(() => {
    requireTool('espeak-ng', 'espeak-ng');
  });

  it('synthesises the words into a WAV file, says so in the log, and says them again while she is asked', async () => {
    const wav = join(tempDir(), 'prompt.wav');
    const { clock, out, said, text } = rig(cfg({ wav }));
    out.output({ pattern: 'prompt' });
    await until('the words said', () => said() === 1);
    expect(text()).toContain(`speaker: said "${WORDS}"`);
    const bytes = readFileSync(wav);
    expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
    expect(bytes.subarray(8, 12).toString()).toBe('WAVE');
    // 16-bit mono at 22,050 Hz: the sentence is seconds of sound, not an empty file.
    expect(bytes.length).toBeGreaterThan(44 + 2 * 22_050);
    const first = statSync(wav).mtimeMs;
    clock.advance(30_000);
    await until('the words said again', () => said() === 2);
    expect(statSync(wav).mtimeMs).toBeGreaterThanOrEqual(first);
    out.output({ pattern: 'prompt-end' });
    clock.advance(10 * 60_000);
    expect(out.counters).toEqual({ started: 2, said: 2 });
  });

  it('names what went wrong when espeak-ng refuses (a voice it does not have), and carries on', async () => {
    const { out, lines } = rig(cfg({ voice: 'xx-nowhere', wav: join(tempDir(), 'p.wav') }));
    out.output({ pattern: 'prompt' });
    await until('the failure logged', () => lines.some((l) => l.msg.startsWith('speaker: espeak-ng failed')));
    expect(lines.find((l) => l.msg.startsWith('speaker: espeak-ng failed'))?.msg).toBe(
      'speaker: espeak-ng failed (exit 1): Error: The specified espeak-ng voice does not exist.',
    );
  });
});

describe('when and how often it speaks', () => {
  it('says it at once, then every `every` while she is asked; stops when she answers', async () => {
    const { program, runs } = standIn();
    const { clock, out, said } = rig(cfg({ every: 20_000 }), program);
    out.output({ pattern: 'prompt' });
    await until('first', () => said() === 1);
    clock.advance(20_000);
    await until('second', () => said() === 2);
    clock.advance(20_000);
    await until('third', () => said() === 3);
    out.output({ pattern: 'prompt-end' });
    clock.advance(10 * 60_000);
    expect(out.counters.started).toBe(3);
    expect(runs()).toEqual(Array(3).fill(`-s 140 -a 100 -- ${WORDS}`));
  });

  it('is silent again past its bound, when no end came', async () => {
    const { program } = standIn();
    const { clock, out, said, text } = rig(cfg({ every: 30_000 }), program, 70_000);
    out.output({ pattern: 'prompt' });
    for (let n = 1; n <= 3; n++) {
      await until(`saying ${n}`, () => said() === n);
      clock.advance(30_000);
    }
    clock.advance(10 * 60_000);
    expect(out.counters.started).toBe(3);
    expect(text()).toContain('speaker: the prompt outlasted its bound; no longer saying it');
  });

  it('stops mid-sentence when she answers, and does not start another over one still speaking', async () => {
    const { program, runs } = standIn('printf "%s\\n" started >> "$(dirname "$0")/runs.txt"; exec sleep 30');
    const { clock, out, text } = rig(cfg({ every: 5_000 }), program);
    out.output({ pattern: 'prompt' });
    await until('speaking', () => runs().length === 1);
    clock.advance(5_000);
    expect(out.counters.started).toBe(1);
    out.output({ pattern: 'prompt-end' });
    await out.stop();
    expect(text()).toContain('speaker: stopped mid-sentence; the prompt ended');
    expect(text()).not.toContain('speaker: said');
  });
});

describe('without espeak-ng', () => {
  it('says once what to install, stays silent, and tries again at the next prompt without saying it again', async () => {
    const missing = join(tempDir(), 'espeak-ng');
    const { clock, out, lines } = rig(cfg({ every: 5_000 }), missing);
    const told = () => lines.filter((l) => l.msg === MISSING);
    out.output({ pattern: 'prompt' });
    await until('told', () => told().length === 1);
    clock.advance(60_000);
    out.output({ pattern: 'prompt-end' });
    out.output({ pattern: 'prompt' });
    await until('tried again', () => out.counters.started === 2);
    await out.stop();
    expect(told()).toHaveLength(1);
    expect(told()[0]?.level).toBe(40);
    expect(MISSING).toBe(
      'speaker: espeak-ng not found; install it with apt-get install espeak-ng; the prompt is silent on the speaker',
    );
  });
});

describe('the arguments and the complaints, as values', () => {
  it('puts the words last, after --, so words that look like an option are said', () => {
    expect(
      espeakArgs(
        cfg({ words: '-w /etc/passwd', voice: 'en-gb', device: 'plughw:1,0', wav: '/var/lib/hearth/p.wav' }),
      ),
    ).toEqual([
      '-v',
      'en-gb',
      '-s',
      '140',
      '-a',
      '100',
      '-d',
      'plughw:1,0',
      '-w',
      '/var/lib/hearth/p.wav',
      '--',
      '-w /etc/passwd',
    ]);
  });

  it("picks ALSA's line about the sound card out of what espeak-ng writes without one", () => {
    const stderr = `ALSA lib confmisc.c:855:(parse_card) cannot find card '0'
ALSA lib conf.c:5180:(_snd_config_evaluate) function snd_func_card_inum returned error: No such file or directory
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default
error: No such file or directory
`;
    expect(complaint(stderr)).toBe("ALSA lib confmisc.c:855:(parse_card) cannot find card '0'");
    expect(complaint('')).toBeUndefined();
    expect(complaint('Error: The specified espeak-ng voice does not exist.\n')).toBe(
      'Error: The specified espeak-ng voice does not exist.',
    );
  });
});
