/**
 * The size of the per-level table of pattern positions (docs/architecture.md, "The sparse trailing block"): for
 * each level g of term 1, where on the sparse factor's pattern each pair of its random trailing rows sits (R_g's
 * random prefix; the pair b ≤ a at a(a+1)/2 + b). Term 1's elimination at every evaluation and the gradient's
 * per-level products read it instead of searching the pattern for every pair (assembly/pls/pattern.ts, pairPos): on
 * star the search was 15% of a fit. The engine sizes the table here and the kernels fill it once
 * (assembly/pls/pattern.ts, plsLevelPairs); null when it would pass MAX_LEVEL_PAIRS entries (a level meeting
 * hundreds of random rows), and the kernels then search.
 */
import type { BlockedLayout } from "../blocked-layout.js";

/** Largest table kept (32 MB of i32). */
export const MAX_LEVEL_PAIRS = 1 << 23;

/** Entries of the table for this layout (Σ over levels of m(m + 1)/2, m its random rows), or null past the cap. */
export function levelPairCount(layout: BlockedLayout): number | null {
  const { l1, rowStart, rowIdx, qRest } = layout;
  let total = 0;
  for (let g = 0; g < l1; g++) {
    let m = 0;
    while (rowStart[g]! + m < rowStart[g + 1]! && rowIdx[rowStart[g]! + m]! < qRest) m++;
    total += (m * (m + 1)) / 2;
    if (total > MAX_LEVEL_PAIRS) return null;
  }
  return total;
}
