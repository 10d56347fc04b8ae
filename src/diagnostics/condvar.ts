/**
 * Conditional variances of the random effects, grouped by grouping factor as lme4's ranef(condVar = TRUE):
 * for each factor, its term columns and one p×p matrix per level. Several terms on the same factor
 * (`(x||g)`) are put side by side as a block-diagonal matrix (the engine gives each term's own block).
 */
import type { Design } from "../design/types.js";
import type { FittedLmm } from "./model.js";

export interface RanefCondVar {
  group: string;
  levels: string[];
  terms: string[];
  /** One p×p matrix (rows of numbers) per level, in level order. */
  condVar: number[][][];
}

export function ranefCondVar(model: FittedLmm): RanefCondVar[] {
  const blocks = model.engine.condVar(Float64Array.from(model.theta), model.REML);
  return groupTerms(model.design).map(({ group, termIndices }) => {
    const first = model.design.terms[termIndices[0] as number];
    const levels = first ? first.levels : [];
    const columns = termIndices.flatMap((ti) => model.design.terms[ti]?.columns ?? []);
    const P = columns.length;
    const condVar = levels.map((_, level) => {
      const m = Array.from({ length: P }, () => new Array<number>(P).fill(0));
      let at = 0;
      for (const ti of termIndices) {
        const pt = model.design.terms[ti]?.columns.length ?? 0;
        const block = blocks[ti] as Float64Array;
        for (let i = 0; i < pt; i++)
          for (let j = 0; j < pt; j++)
            (m[at + i] as number[])[at + j] = block[level * pt * pt + i * pt + j] as number;
        at += pt;
      }
      return m;
    });
    return { group, levels, terms: columns, condVar };
  });
}

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
