// The rules of the provisioning file, and the settings of the home model they read. The values a
// file gives are the trust's bounds: a limit learned from the resident's own history is used
// inside them and never beyond (README: Where the resident is, and what is normal for her).
import { z } from 'zod';
import { duration, durationOrOff, durationOrZero, localTime, timeWindow } from './values.ts';

const inactivityWindow = z.strictObject({
  from: localTime,
  to: localTime,
  quiet: durationOrOff.describe(
    'The longest still spell allowed in this window before a prompt (a learned limit may be shorter, never longer); off = none while she is in bed.',
  ),
});

/** Ceilings of stillness by place, within the window's own. */
const places = z
  .strictObject({
    bed: duration.prefault('4h').describe('In bed by day (a nap): the longest still spell before a prompt.'),
    chair: duration
      .prefault('6h')
      .describe('Sitting in a chair (its mat occupied), nothing else moving: a long film is no alarm.'),
    bathroom: duration
      .prefault('1h30m')
      .describe(
        "A presence sensor sees someone in the bathroom, nothing moving; also at night, and never longer than the window's quiet.",
      ),
  })
  .prefault({})
  .describe("Still spells allowed by place, in the day's windows (the bathroom's at night too).");

const learn = z
  .union([
    z.literal('off'),
    z.strictObject({
      floor: duration.prefault('45m').describe('A learned limit is never shorter than this.'),
    }),
  ])
  .prefault({})
  .describe(
    "Limits learned from the resident's own history, inside the configured ones; off: the configured ones only.",
  );

/**
 * Rules whose deadline is a time (not up by 10:00) or a bound (out of bed 30 m) ask her in the
 * minutes before it, so a resident who is fine is asked rather than reported, and a carer still
 * hears at the configured instant, never later.
 */
const askFirst = durationOrZero
  .prefault('10m')
  .describe(
    'Before carers are told, the resident is asked "are you OK?" for this long, ending at the deadline; 0 = none.',
  );

export const rules = z
  .strictObject({
    inactivity: z
      .strictObject({
        windows: z
          .array(inactivityWindow)
          .min(1)
          .describe('Local-time windows and the quiet spell allowed in each.'),
        prompt: durationOrZero
          .prefault('10m')
          .describe('"I\'m OK" window before carers are alerted; 0 = none.'),
        escalate: duration
          .prefault('30m')
          .describe('Raised and not acknowledged for this long -> escalated.'),
        places,
        learn,
      })
      .optional(),
    not_up: z
      .strictObject({
        by: localTime.describe(
          'Still in bed, or nothing outside the bedroom, by this time -> alert (asked first, in the minutes before: prompt); learned from her getting-up times once known.',
        ),
        latest: localTime
          .optional()
          .describe('A learned getting-up time is never later than this; default: three hours after `by`.'),
        prompt: askFirst,
        learn: z.enum(['on', 'off']).default('on').describe('off: always `by`.'),
      })
      .optional(),
    night_out_of_bed: z
      .strictObject({
        window: timeWindow,
        after: duration.describe(
          'Out of bed for this long at night -> alert (asked first, in its last minutes: prompt); a limit learned from her own nights may be shorter, never longer.',
        ),
        device: z.string().optional().describe('The bed sensor; by default every device of kind bed.'),
        prompt: askFirst.describe(
          'Before carers are told, the resident is asked "are you OK?" for this long; 0 = none (a resident who wanders at night and should not be asked).',
        ),
        learn: z
          .enum(['on', 'off'])
          .default('on')
          .describe('off: always `after`, never her own times up in the night.'),
      })
      .optional(),
    front_door_at_night: z
      .strictObject({
        window: timeWindow,
        device: z.string().optional().describe('The door; by default the device with role front-door.'),
      })
      .optional(),
    away: z
      .union([
        z.literal('off'),
        z.strictObject({
          after: duration
            .prefault('12h')
            .describe(
              'Out by the front door for longer than this -> alert (a learned limit may be shorter).',
            ),
          back_by: localTime
            .optional()
            .describe(
              'Out at this local time at night and not back -> urgent alert; default: none (a learned time, from her own late returns, may apply).',
            ),
          learn: z
            .enum(['on', 'off'])
            .default('on')
            .describe('off: `after` and `back_by` only, never her own times out.'),
        }),
      ])
      .prefault({})
      .describe('Out too long: needs a device with role front-door; on by default, `off` to stop it.'),
    fall: z
      .union([z.literal('off'), z.strictObject({})])
      .prefault({})
      .describe('A fall reported by a device (kind: fall) raises an urgent alert at once; on by default.'),
    check_in: z
      .strictObject({
        alert_not_good: z
          .boolean()
          .default(false)
          .describe('A "not good" check-in (a long press) raises an info alert to the care team.'),
      })
      .optional()
      .describe(
        "The resident's daily check-in on a role: check-in button: single = good, double = so-so, long = not good.",
      ),
    help_button: z
      .strictObject({
        devices: z.array(z.string()).optional().describe('By default every device with role help-button.'),
        escalate: duration
          .prefault('15m')
          .describe('A call nobody has acknowledged this long after the first press is escalated.'),
      })
      .optional(),
    cold_home: z
      .strictObject({
        below: z.number().min(-20).max(40).describe('Degrees C.'),
        for: duration,
        rooms: z.array(z.string()).optional().describe('By default every room with a temperature sensor.'),
      })
      .optional(),
    device_silent: z
      .strictObject({
        after: duration.describe('No reading for this long -> info alert; per device: `silent`.'),
      })
      .optional(),
    low_battery: z.strictObject({ below: z.number().min(1).max(100).describe('Percent.') }).optional(),
  })
  .prefault({})
  .describe('Rules; a rule absent from the file is off, but for fall and away, which are on unless `off`.');

export const homeSettings = z
  .strictObject({
    mat_hold: duration
      .prefault('30s')
      .describe('A bed or chair mat counts a change once it has held this long (cheap mats flicker).'),
    away_after: duration
      .prefault('2m')
      .describe('After the front door closes, this long with nothing moving inside: she went out.'),
    tag_grace: duration
      .prefault('10m')
      .describe('A worn tag that fades this long after the door closed still means she left by it.'),
    visitor_for: duration
      .prefault('4h')
      .describe(
        'A press of a button with role visitor-button starts visitor mode for this long (another press ends it; README: Care modes).',
      ),
    learn_days: z
      .number()
      .int()
      .min(3)
      .max(60)
      .default(14)
      .describe('Days of her own history the limits are learned from, every night.'),
    learn_after: z
      .number()
      .int()
      .min(2)
      .max(60)
      .default(7)
      .describe(
        'Days of history needed before a learned limit is used; until then the configured ones apply.',
      ),
  })
  .prefault({})
  .describe('The home model: where the resident is believed to be, and how her routine is learned.');
