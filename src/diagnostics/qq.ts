/**
 * Normal QQ coordinates: sorted values against the normal quantiles of R's plotting positions (qqnorm), plus the
 * reference line through the first and third quartiles (qqline).
 */

import { termOffsets, termShapes } from "../design/theta.js";
import { qnorm } from "../distributions/normal.js";
import { groupTerms } from "../fit/ranef-groups.js";
import { type FittedLmm, modelSolution } from "./model.js";
import { residuals } from "./residuals.js";

/**
 * R's `ppoints(n)`: plotting positions (i − a)/(n + 1 − 2a), a = 3/8 for n ≤ 10 and 1/2 otherwise, so that QQ
 * plots here place their points where R's `qqnorm` does.
 */
export function ppoints(n: number): Float64Array {
  const a = n <= 10 ? 3 / 8 : 1 / 2;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (i + 1 - a) / (n + 1 - 2 * a);
  return out;
}

export interface QQCoordinates {
  /** Theoretical normal quantiles, increasing. */
  theoretical: Float64Array;
  /** The values sorted increasingly. */
  sample: Float64Array;
  /** Reference line sample = intercept + slope · theoretical through the quartiles (R's qqline). */
  line: { intercept: number; slope: number };
}

export function qqCoordinates(values: ArrayLike<number>): QQCoordinates {
  const sample = Float64Array.from(values).sort();
  const theoretical = ppoints(sample.length).map(qnorm);
  const q1 = quantile7(sample, 0.25);
  const q3 = quantile7(sample, 0.75);
  const z1 = qnorm(0.25);
  const z3 = qnorm(0.75);
  const slope = (q3 - q1) / (z3 - z1);
  return { theoretical, sample, line: { intercept: q1 - slope * z1, slope } };
}

/** R's default (type 7) quantile of sorted data. */
function quantile7(sorted: Float64Array, prob: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** QQ coordinates of the scaled residuals. */
export function residualQQ(model: FittedLmm): QQCoordinates {
  return qqCoordinates(residuals(model, { scaled: true }));
}

export interface RanefQQ extends QQCoordinates {
  group: string;
  term: string;
  /** Level of each sorted value. */
  levels: string[];
}

/** One QQ panel per random-effect column (term column × grouping factor), on the conditional modes b̂. */
export function ranefQQ(model: FittedLmm): RanefQQ[] {
  const { design } = model;
  const b = modelSolution(model).b;
  const offsets = termOffsets(termShapes(design));
  const out: RanefQQ[] = [];
  for (const { group, termIndices } of groupTerms(design))
    for (const ti of termIndices) {
      const t = design.terms[ti];
      if (!t) continue;
      const pt = t.columns.length;
      t.columns.forEach((column, j) => {
        const vals = t.levels.map((level, l) => ({
          level,
          v: b[(offsets[ti] as number) + l * pt + j] as number,
        }));
        vals.sort((x, y) => x.v - y.v);
        const qq = qqCoordinates(vals.map((x) => x.v));
        out.push({ group, term: column, levels: vals.map((x) => x.level), ...qq });
      });
    }
  return out;
}
