/**
 * Whether the Cholesky factor of a symmetric pattern, in its natural order, stays within `limit` entries (its
 * lower triangle with the diagonal): the symbolic factorisation by the elimination tree (George and Liu 1981,
 * §5.1), column j's structure being its own entries below the diagonal and those of its children in the tree, less
 * j; the parent of j is the first row of its structure. It stops as soon as the count passes `limit`, so a pattern
 * that fills in costs no more than `limit` entries of work.
 *
 * Why (./blocked-layout.ts): the zero-skipping loops of the dense path are fast only while the factor stays sparse.
 * A random crossing has a sparse pattern (6,000 × 3,000 levels, 40,000 observations: under 5% of the trailing block)
 * whose factor fills in; taken for sparse, its every factorisation ran in plain loops at about a fifth of the tiled
 * kernels' speed (a binomial glmer: 585 s).
 *
 * `higher[j]`: the rows i > j with an entry (i, j), repeats allowed.
 */
export function naturalFillWithin(higher: readonly number[][], limit: number): boolean {
  const q = higher.length;
  let count = q;
  if (count > limit) return false;
  const children: number[][] = Array.from({ length: q }, () => []);
  const structure: (number[] | null)[] = new Array(q).fill(null);
  const mark = new Int32Array(q).fill(-1);
  for (let j = 0; j < q; j++) {
    const s: number[] = [];
    const add = (r: number): void => {
      if (r !== j && mark[r] !== j) {
        mark[r] = j;
        s.push(r);
      }
    };
    for (const r of higher[j]!) add(r);
    for (const c of children[j]!) {
      for (const r of structure[c]!) add(r);
      structure[c] = null;
    }
    count += s.length;
    if (count > limit) return false;
    if (s.length > 0) {
      let parent = s[0]!;
      for (const r of s) if (r < parent) parent = r;
      children[parent]!.push(j);
      structure[j] = s;
    }
  }
  return true;
}
