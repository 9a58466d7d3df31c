// How the speaker's settings become espeak-ng's arguments, and what its complaints mean. Pure.
// The words go last, after `--`, so whatever they say is said, never read as an option.
import type { Speaker } from '../../config/speaker.ts';

export const ESPEAK = 'espeak-ng';

export function espeakArgs(s: Speaker): string[] {
  return [
    ...(s.voice ? ['-v', s.voice] : []),
    '-s',
    String(s.speed),
    '-a',
    String(s.volume),
    ...(s.device ? ['-d', s.device] : []),
    ...(s.wav ? ['-w', s.wav] : []),
    '--',
    s.words,
  ];
}

/** Signs in espeak-ng's stderr that the sound card, not the words, was the trouble. */
const NO_SOUND = /Unknown PCM|cannot find card|No such device|audio device|Device or resource busy/i;

/**
 * What espeak-ng wrote on stderr, as one short line for the log: the line that names the sound
 * card's trouble when there is one (ALSA writes a dozen lines and ends with a bare "error:"), else
 * the last; undefined when it wrote nothing.
 */
export function complaint(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.find((l) => NO_SOUND.test(l)) ?? lines.at(-1);
  if (line === undefined) return undefined;
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** Whether a complaint is about the sound card (the words were made, but nobody heard them). */
export const noSoundCard = (line: string): boolean => NO_SOUND.test(line);
