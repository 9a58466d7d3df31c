// A problem found in a provisioning file, and how it is printed:
// `FILE:LINE:COL  path.to.key  what is wrong; what is allowed`.
import { closest, distance } from 'fastest-levenshtein';

export type Path = (string | number)[];
export type Severity = 'error' | 'warning';

export type Problem = {
  severity: Severity;
  path: Path;
  message: string;
  /** 1-based; 0 when the problem concerns the file as a whole. */
  line: number;
  col: number;
  /** Point at the key itself rather than its value (unknown or misspelt keys). */
  atKey?: boolean;
};

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escapeChar = (c: string) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * One problem, one line, whatever a key or a value of the file holds: control characters are
 * written as escapes, so that a key "x\nhome.yaml:1:1 ..." cannot add a line to the output or to
 * the journal of a refused reload.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, escapeChar);

/** A key with whitespace or quotes is quoted, so that the path is one word of the line. */
const segmentText = (k: string | number): string =>
  typeof k === 'number' || /^[^\s"\\]+$/.test(k) ? String(k) : JSON.stringify(k).replace(/\s/g, escapeChar);

export const pathText = (path: Path): string => (path.length ? path.map(segmentText).join('.') : '(file)');

export function formatProblem(file: string, p: Problem): string {
  const where = p.line > 0 ? `${file}:${p.line}:${p.col}` : file;
  const tag = p.severity === 'warning' ? 'warning: ' : '';
  return `${where}  ${oneLine(pathText(p.path))}  ${tag}${oneLine(p.message)}`;
}

/** A value as a message quotes it, cut past 80 characters: a 400 KB value is one line of a screen. */
export function quoted(v: unknown): string {
  const json = JSON.stringify(v) ?? String(v);
  if (json.length <= 80) return json;
  return typeof v === 'string'
    ? `${JSON.stringify(v.slice(0, 60)).slice(0, -1)}…" (${v.length} characters)`
    : `${json.slice(0, 60)}…`;
}

/** " (did you mean "x"?)" when a candidate is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const best = closest(word, candidates as string[]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(word.toLowerCase(), best.toLowerCase()) <= limit ? ` (did you mean "${best}"?)` : '';
}

export const listOf = (items: readonly string[], max = 12): string =>
  items.length > max ? `${items.slice(0, max).join(', ')}, ...` : items.join(', ');
