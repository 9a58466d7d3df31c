// A long list in parts of at most `size`: what one SQL statement takes of a batch's rows, well
// inside the database's limit on parameters. Pure.
export function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
