/**
 * Random-effect terms gathered by grouping factor, as lme4 presents ranef() and its condVar: terms on the same
 * factor (`(x||g)`) side by side in term order, factors in the order of their first term.
 */
import type { Design } from "../design/types.js";

/** Terms by grouping factor, factors in order of first appearance among the design's terms (lme4's order). */
export function groupTerms(design: Design): { group: string; termIndices: number[] }[] {
  const out: { group: string; termIndices: number[] }[] = [];
  design.terms.forEach((t, i) => {
    const g = out.find((o) => o.group === t.group);
    if (g) g.termIndices.push(i);
    else out.push({ group: t.group, termIndices: [i] });
  });
  return out;
}

/**
 * One factor's conditional covariance per level: the P×P matrix (P = the columns of its terms together) that is
 * block diagonal across its terms. `blocks[ti]` is the engine's condVar for term ti: one pt×pt block per level,
 * row-major, level after level.
 */
export function groupCondVar(
  design: Design,
  termIndices: number[],
  blocks: Float64Array[],
  levels: number,
): number[][][] {
  let P = 0;
  for (const ti of termIndices) P += design.terms[ti]?.columns.length ?? 0;
  return Array.from({ length: levels }, (_, level) => {
    const m = Array.from({ length: P }, () => new Array<number>(P).fill(0));
    let at = 0;
    for (const ti of termIndices) {
      const pt = design.terms[ti]?.columns.length ?? 0;
      const block = blocks[ti] as Float64Array;
      for (let i = 0; i < pt; i++)
        for (let j = 0; j < pt; j++)
          (m[at + i] as number[])[at + j] = block[level * pt * pt + i * pt + j] as number;
      at += pt;
    }
    return m;
  });
}
