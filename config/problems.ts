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

export const pathText = (path: Path): string => (path.length ? path.join('.') : '(file)');

export function formatProblem(file: string, p: Problem): string {
  const where = p.line > 0 ? `${file}:${p.line}:${p.col}` : file;
  const tag = p.severity === 'warning' ? 'warning: ' : '';
  return `${where}  ${pathText(p.path)}  ${tag}${p.message}`;
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
