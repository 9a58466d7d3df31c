// The speaker on the Pi: the words the prompt says aloud through espeak-ng, how often, and how.
// Every value here ends up as one argument of a program run without a shell, so each is bounded
// and shaped so that none can be read as an option.
import { z } from 'zod';
import { duration } from './values.ts';

export const DEFAULT_WORDS = 'Are you OK? Press the button if you are.';

/** No control characters: a new line or an escape would be said, or worse, read by a terminal. */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

const words = z
  .string({ error: 'expected the words to say, e.g. "Are you OK? Press the button if you are."' })
  .trim()
  .min(1, { error: 'no words; expected what the speaker says, e.g. "Are you OK?"' })
  .max(200, { error: 'at most 200 characters: a short question is heard, a speech is not' })
  .refine((s) => !CONTROL.test(s), { error: 'no control characters (new lines, tabs) in the words' })
  .describe('What the speaker says, at most 200 characters; name the button she answers with.');

const MIN_EVERY = 5_000;
const MAX_EVERY = 10 * 60_000;

export const speaker = z
  .strictObject({
    words: words.default(DEFAULT_WORDS),
    every: duration
      .prefault('30s')
      .refine((ms) => ms >= MIN_EVERY && ms <= MAX_EVERY, { error: 'expected between 5s and 10m' })
      .describe('Said again this often while the prompt lasts (it stops when she answers).'),
    voice: z
      .string({ error: 'expected an espeak-ng voice such as en-gb' })
      .regex(/^[A-Za-z0-9][A-Za-z0-9_+-]{0,39}$/, {
        error: 'not a voice name; expected one of `espeak-ng --voices`, e.g. en-gb or en-gb-x-rp',
      })
      .optional()
      .describe("espeak-ng's voice (-v), e.g. en-gb; its own default when left out."),
    speed: z
      .number({ error: 'expected words per minute, 80-300' })
      .int()
      .min(80)
      .max(300)
      .default(140)
      .describe('Words per minute (-s); espeak-ng says 175, and slower is clearer to an older ear.'),
    volume: z
      .number({ error: 'expected a loudness of 0-200' })
      .int()
      .min(0)
      .max(200)
      .default(100)
      .describe("Loudness, 0-200 (-a); 100 is espeak-ng's own."),
    device: z
      .string({ error: 'expected an ALSA device such as plughw:1,0' })
      .regex(/^[A-Za-z0-9][A-Za-z0-9_:,.=-]{0,63}$/, {
        error: 'not an ALSA device name; expected e.g. plughw:1,0 (aplay -L lists them)',
      })
      .optional()
      .describe(
        'The sound card to play on (-d), e.g. plughw:1,0 for a USB speaker; the default card otherwise.',
      ),
    wav: z
      .string({ error: 'expected a file path ending in .wav' })
      .regex(/^\/[^\0]*\.wav$/, { error: 'expected an absolute path ending in .wav' })
      .optional()
      .describe(
        'Write the speech to this WAV file (-w) instead of playing it: to check the words on a machine without a sound card. Under /var/lib/hearth on the Pi, the only place the service may write.',
      ),
  })
  .describe('A speaker on the Pi that says the prompt aloud (espeak-ng, from Debian).');

export type Speaker = z.infer<typeof speaker>;
