/**
 * Conditional variances of the random effects, grouped by grouping factor as lme4's ranef(condVar = TRUE):
 * for each factor, its term columns and one p×p matrix per level. Several terms on the same factor
 * (`(x||g)`) are put side by side as a block-diagonal matrix (the engine gives each term's own block).
 */
import { groupCondVar, groupTerms } from "../fit/ranef-groups.js";
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
    const condVar = groupCondVar(model.design, termIndices, blocks, levels.length);
    return { group, levels, terms: columns, condVar };
  });
}
