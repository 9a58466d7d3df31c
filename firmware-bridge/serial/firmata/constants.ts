// Firmata 2.x on the wire: MIDI-style messages, command bytes with the top bit set, data bytes
// without it, so a reader can always find the next message after noise.

export const CMD = {
  /** 0x90 | port: a whole 8-pin port's levels, 7-bit LSB then MSB. */
  DIGITAL_MESSAGE: 0x90,
  /** 0xE0 | channel: a 14-bit analog value, LSB then MSB. */
  ANALOG_MESSAGE: 0xe0,
  /** 0xC0 | channel: enable (1) or disable (0) reporting of an analog channel. */
  REPORT_ANALOG: 0xc0,
  /** 0xD0 | port: enable (1) or disable (0) reporting of a digital port. */
  REPORT_DIGITAL: 0xd0,
  START_SYSEX: 0xf0,
  SET_PIN_MODE: 0xf4,
  /** Protocol 2.5 and later: one pin's level, without writing its whole port. */
  SET_DIGITAL_PIN_VALUE: 0xf5,
  END_SYSEX: 0xf7,
  /** Host -> board alone, a query; board -> host with major and minor. */
  REPORT_VERSION: 0xf9,
  SYSTEM_RESET: 0xff,
} as const;

export const SYSEX = {
  ANALOG_MAPPING_QUERY: 0x69,
  ANALOG_MAPPING_RESPONSE: 0x6a,
  CAPABILITY_QUERY: 0x6b,
  CAPABILITY_RESPONSE: 0x6c,
  STRING_DATA: 0x71,
  REPORT_FIRMWARE: 0x79,
} as const;

export const MODE = {
  INPUT: 0x00,
  OUTPUT: 0x01,
  ANALOG: 0x02,
  PWM: 0x03,
  SERVO: 0x04,
  I2C: 0x06,
  /** Protocol 2.5 and later; older boards take INPUT and a HIGH write instead. */
  INPUT_PULLUP: 0x0b,
} as const;

export const MODE_NAMES: Readonly<Record<number, string>> = {
  0: 'INPUT',
  1: 'OUTPUT',
  2: 'ANALOG',
  3: 'PWM',
  4: 'SERVO',
  5: 'SHIFT',
  6: 'I2C',
  7: 'ONEWIRE',
  8: 'STEPPER',
  9: 'ENCODER',
  10: 'SERIAL',
  11: 'INPUT_PULLUP',
};

/** Ends one pin's list in a capability response; in an analog mapping: "not an analog pin". */
export const NONE = 0x7f;
