import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepth, parseJson, safeText } from './json.ts';

describe('bounded JSON', () => {
  it('refuses nesting past the limit before parsing, and says so', () => {
    const deep = `{"temperature":${'['.repeat(6000)}${']'.repeat(6000)}}`;
    const r = parseJson(deep, { maxBytes: 64 * 1024, maxDepth: 32 });
    expect(r).toEqual({ ok: false, reason: 'payload nested deeper than 32 levels' });
  });

  it('counts brackets inside strings as text', () => {
    expect(jsonDepth('{"a":"[[[[{{{{\\"[["}', 2)).toBe(1);
  });

  it('refuses a payload over the size limit by its size', () => {
    const r = parseJson(Buffer.alloc(2000, 0x20), { maxBytes: 1000, maxDepth: 8 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/2000 bytes is over the 1000-byte limit/);
  });

  it('parses what is within the limits, and never throws on any string', () => {
    expect(parseJson('{"a":[1,{"b":2}]}', { maxBytes: 100, maxDepth: 3 })).toEqual({
      ok: true,
      value: { a: [1, { b: 2 }] },
    });
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseJson(s, { maxBytes: 1000, maxDepth: 4 });
      }),
    );
  });

  it('makes any string storable: no NUL, no control, no lone surrogate, bounded', () => {
    expect(safeText('a\u0000b\u0007c\td\ne', 100)).toBe('a\ufffdb\ufffdc\td\ne');
    expect(safeText('x\ud800y', 100)).toBe('x\ufffdy');
    expect(safeText('😀', 100)).toBe('😀');
    expect(safeText('abcdef', 3)).toBe('abc…');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const t = safeText(s, 50);
        expect(t.includes('\u0000')).toBe(false);
        expect(Buffer.from(t, 'utf8').toString('utf8')).toBe(t);
      }),
    );
  });
});
