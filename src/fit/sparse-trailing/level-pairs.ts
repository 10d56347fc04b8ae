/**
 * The per-level table of pattern positions (docs/architecture.md, "The sparse trailing block"): for each level g
 * of term 1, where on the sparse factor's pattern each pair of its random trailing rows sits (R_g's random prefix;
 * the pair b ≤ a at a(a+1)/2 + b). Term 1's elimination at every evaluation and the gradient's per-level products
 * read it instead of searching the pattern for every pair (assembly/pls/pattern.ts, pairPos): on star the search
 * was 15% of a fit. Made once per engine; null when it would pass MAX_LEVEL_PAIRS entries (a level meeting hundreds
 * of random rows), and the kernels then search.
 */
import type { BlockedLayout } from "../blocked-layout.js";
import type { SparseTrailingPlan } from "./plan.js";

/** Largest table kept (32 MB of i32). */
export const MAX_LEVEL_PAIRS = 1 << 23;

export interface LevelPairs {
  /** Start of each level's pairs in `pos` (length l1 + 1). */
  start: Int32Array;
  pos: Int32Array;
}

export function levelPairs(layout: BlockedLayout, plan: SparseTrailingPlan): LevelPairs | null {
  const { l1, rowStart, rowIdx, qRest } = layout;
  const start = new Int32Array(l1 + 1);
  let total = 0;
  for (let g = 0; g < l1; g++) {
    start[g] = total;
    const mr = randomPrefix(layout, g);
    total += (mr * (mr + 1)) / 2;
    if (total > MAX_LEVEL_PAIRS) return null;
  }
  start[l1] = total;
  const pos = new Int32Array(total);
  for (let g = 0; g < l1; g++) {
    const r0 = rowStart[g]!;
    const mr = randomPrefix(layout, g);
    let k = start[g]!;
    for (let a = 0; a < mr; a++)
      for (let b = 0; b <= a; b++) pos[k++] = patternPosition(plan, qRest, rowIdx[r0 + a]!, rowIdx[r0 + b]!);
  }
  return { start, pos };
}

/** The number of random trailing rows at the start of R_g. */
function randomPrefix(layout: BlockedLayout, g: number): number {
  const { rowStart, rowIdx, qRest } = layout;
  let m = 0;
  while (rowStart[g]! + m < rowStart[g + 1]! && rowIdx[rowStart[g]! + m]! < qRest) m++;
  return m;
}

/**
 * Position on the plan's pattern of the entry {i, j} (original trailing rows): assembly/pls/pattern.ts's
 * patternPos. Throws if the entry is not on the pattern.
 */
export function patternPosition(plan: SparseTrailingPlan, qRest: number, i: number, j: number): number {
  const nd = plan.n;
  const a = plan.inv[i]!;
  const b = plan.inv[j]!;
  // Row fi ≥ column fj (not a destructuring swap, which allocates: this runs once per pair of every level).
  const fi = Math.max(a, b);
  const fj = Math.min(a, b);
  // The diagonal comes first in its column.
  if (fi === fj) return plan.colPtr[fj]!;
  const end = plan.colPtr[fj + 1]!;
  if (fi >= qRest) return end - (nd - fi);
  let lo = plan.colPtr[fj]!;
  let hi = end - (nd - qRest);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const r = plan.rowIdx[mid]!;
    if (r === fi) return mid;
    if (r < fi) lo = mid + 1;
    else hi = mid;
  }
  throw new Error(`rows ${i} and ${j} do not meet on the sparse pattern`);
}
