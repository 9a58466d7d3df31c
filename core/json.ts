// JSON from outside the process (a sensor, a home, a browser) is bounded before it is walked:
// its size before parsing, its nesting while scanning. JSON.parse copes with 6,000 levels of
// `[`, but whatever walks the result afterwards (JSON.stringify, a logger, a schema) recurses
// and overflows the stack. Pure, never throws.

export type JsonLimits = {
  /** Bytes (UTF-8) at most. */
  maxBytes: number;
  /** Levels of `[` and `{` at most: `{"a":[1]}` is 2. */
  maxDepth: number;
};

export type JsonResult = { ok: true; value: unknown } | { ok: false; reason: string };

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of `text`, or Infinity as soon as it passes `limit` (strings skipped). */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return Number.POSITIVE_INFINITY;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return deepest;
}

/** Parses JSON within limits; a refusal names what was wrong. */
export function parseJson(input: Buffer | string, limits: JsonLimits): JsonResult {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (bytes > limits.maxBytes)
    return { ok: false, reason: `payload of ${bytes} bytes is over the ${limits.maxBytes}-byte limit` };
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (jsonDepth(text, limits.maxDepth) > limits.maxDepth)
    return { ok: false, reason: `payload nested deeper than ${limits.maxDepth} levels` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, reason: `payload is not JSON (${(e as Error).message})` };
  }
}

/**
 * Text that any store and any log line can hold: no NUL (PostgreSQL's text refuses it), no other
 * C0 control but tab and newline, no lone surrogate (it has no UTF-8), at most `max` characters.
 */
export function safeText(s: string, max: number): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return (
    cut
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
  );
}
