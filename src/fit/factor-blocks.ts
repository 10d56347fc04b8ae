/**
 * Random-effects terms on one grouping factor, taken as one block by the kernels (docs/architecture.md, "Terms on
 * one grouping factor"). `(x || g)` is lme4's two terms (1|g) + (0+x|g), and `(1|g) + (0+x|g)` written out is the
 * same: kept apart, one of them is eliminated level by level and the other's ℓ rows join the trailing block,
 * which then has the order of the number of levels (5,000 subjects: a 5,000×5,000 block, 0.6 GiB, for what is a
 * 2×2 block per subject). As one block with the columns side by side and a block-diagonal template,
 *
 *     T = [T_a 0; 0 T_b]   (the zeros fixed, not parameters),
 *
 * Λ and Z are those of the separate terms with their columns permuted, so the criterion, its gradient and the
 * solution are the same (MixedModels.jl does the same for `zerocorr`). The kernels read θ through a map from each
 * template entry to its index in θ (`thetaIndex`, −1 for a fixed zero), so θ stays lme4's, in lme4's order.
 */
import { lowerIndex, templateSize } from "../design/theta.js";
import type { DesignBuffers } from "../design/types.js";

type Term = DesignBuffers["terms"][number];

/** The design terms of each block (design order), blocks ordered by their first term: terms with equal level lists. */
export function sameFactorGroups(terms: readonly Term[]): number[][] {
  const groups: number[][] = [];
  const leader: number[] = [];
  terms.forEach((t, i) => {
    const k = leader.findIndex((l) => sameLevels(terms[l]!, t));
    if (k < 0) {
      leader.push(i);
      groups.push([i]);
    } else groups[k]!.push(i);
  });
  return groups;
}

/** Whether two terms put every observation at the same level (the same grouping factor, or one relabelled). */
function sameLevels(a: Term, b: Term): boolean {
  if (a.nlevels !== b.nlevels || a.refs.length !== b.refs.length) return false;
  for (let i = 0; i < a.refs.length; i++) if (a.refs[i] !== b.refs[i]) return false;
  return true;
}

export interface FactorBlocks {
  /** The terms as the kernels see them: one per block, its members' columns side by side (z row-major, n × p). */
  terms: Term[];
  /** The design terms of each block, in design order. */
  members: number[][];
  /** For each design term: its block and the offset of its columns inside the block. */
  blockOf: Int32Array;
  columnOffset: Int32Array;
  /**
   * For every entry of every block's template (p×p column-major, blocks in order, at the templates' offsets):
   * the index of the θ it holds, or −1 (above the diagonal, or between two members: a fixed zero).
   */
  thetaIndex: Int32Array;
  /** Length of θ: Σ p_t(p_t + 1)/2 over the design terms. */
  nTheta: number;
}

/** The blocks of `terms`: without two terms on one factor, the terms themselves (and θ's map the identity order). */
export function factorBlocks(terms: readonly Term[]): FactorBlocks {
  const members = sameFactorGroups(terms);
  const n = terms[0]?.refs.length ?? 0;
  // θ offset of each design term (lme4's order, ../design/theta.ts: term by term, each lower triangle by columns).
  const thetaOffset: number[] = [];
  let nTheta = 0;
  for (const t of terms) {
    thetaOffset.push(nTheta);
    nTheta += templateSize(t.p);
  }
  const blockOf = new Int32Array(terms.length);
  const columnOffset = new Int32Array(terms.length);
  const blocks: Term[] = [];
  const index: number[] = [];
  members.forEach((m, k) => {
    const p = m.reduce((s, i) => s + terms[i]!.p, 0);
    const map = new Int32Array(p * p).fill(-1);
    let z: Float64Array;
    if (m.length === 1) z = terms[m[0]!]!.z;
    else {
      z = new Float64Array(n * p);
      let c0 = 0;
      for (const i of m) {
        const t = terms[i]!;
        for (let r = 0; r < n; r++) for (let j = 0; j < t.p; j++) z[r * p + c0 + j] = t.z[r * t.p + j]!;
        c0 += t.p;
      }
    }
    let c0 = 0;
    for (const i of m) {
      const pt = terms[i]!.p;
      blockOf[i] = k;
      columnOffset[i] = c0;
      for (let col = 0; col < pt; col++)
        for (let row = col; row < pt; row++)
          map[c0 + row + (c0 + col) * p] = thetaOffset[i]! + lowerIndex(pt, row, col);
      c0 += pt;
    }
    for (const v of map) index.push(v);
    blocks.push({ nlevels: terms[m[0]!]!.nlevels, p, refs: terms[m[0]!]!.refs, z });
  });
  return { terms: blocks, members, blockOf, columnOffset, thetaIndex: Int32Array.from(index), nTheta };
}
