/**
 * Variance components from θ and σ: lme4's `VarCorr()` and `as.data.frame(VarCorr(m))`.
 *
 * Each term's relative covariance factor is its p×p lower-triangular template T (θ column by column), so the
 * covariance of that term's random effects is σ² T Tᵀ.
 */
import { varCorrGroupNames } from "../design/describe.js";
import { thetaTemplates } from "../design/theta.js";
import type { RandomTerm } from "../design/types.js";

/** One row of lme4's `as.data.frame(VarCorr(m))`. */
export interface VarCorrRow {
  grp: string;
  var1: string | null;
  var2: string | null;
  vcov: number;
  /** Standard deviation for variance rows, correlation for covariance rows. */
  sdcor: number;
}

/** One term's block of `VarCorr(m)`: names, covariance matrix (row-major), standard deviations, correlations. */
export interface VarCorrBlock {
  /** lme4's name for the block ("Subject", or "Subject.1" for a second term on Subject). */
  name: string;
  /** The grouping factor. */
  group: string;
  columns: string[];
  /** p×p covariance σ² T Tᵀ, row-major. */
  covariance: Float64Array;
  stddev: Float64Array;
  /** p×p correlation matrix, row-major (NaN where a standard deviation is 0, as lme4). */
  correlation: Float64Array;
}

export function varCorrBlocks(
  terms: Pick<RandomTerm, "group" | "columns">[],
  theta: ArrayLike<number>,
  sigma: number,
): VarCorrBlock[] {
  const names = varCorrGroupNames({ terms: terms as RandomTerm[] });
  const templates = thetaTemplates(
    terms.map((t) => ({ p: t.columns.length })),
    theta,
  );
  return terms.map((t, ti) => {
    const p = t.columns.length;
    const T = templates[ti] as Float64Array;
    const covariance = new Float64Array(p * p);
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++) {
        let s = 0;
        for (let k = 0; k <= Math.min(i, j); k++) s += (T[i * p + k] as number) * (T[j * p + k] as number);
        covariance[i * p + j] = sigma * sigma * s;
      }
    const stddev = Float64Array.from({ length: p }, (_, i) => Math.sqrt(covariance[i * p + i] as number));
    const correlation = new Float64Array(p * p);
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++)
        correlation[i * p + j] =
          i === j ? 1 : (covariance[i * p + j] as number) / ((stddev[i] as number) * (stddev[j] as number));
    return { name: names[ti] as string, group: t.group, columns: t.columns, covariance, stddev, correlation };
  });
}

/**
 * Rows as lme4's `as.data.frame(VarCorr(m))`: per block the variances (var2 null), then the covariances in
 * lme4's order ((1,2), (1,3), …, (2,3), …), then one Residual row.
 */
export function varCorrRows(
  terms: Pick<RandomTerm, "group" | "columns">[],
  theta: ArrayLike<number>,
  sigma: number,
): VarCorrRow[] {
  const rows: VarCorrRow[] = [];
  for (const b of varCorrBlocks(terms, theta, sigma)) {
    const p = b.columns.length;
    for (let i = 0; i < p; i++)
      rows.push({
        grp: b.name,
        var1: b.columns[i] as string,
        var2: null,
        vcov: b.covariance[i * p + i] as number,
        sdcor: b.stddev[i] as number,
      });
    for (let i = 0; i < p; i++)
      for (let j = i + 1; j < p; j++)
        rows.push({
          grp: b.name,
          var1: b.columns[i] as string,
          var2: b.columns[j] as string,
          vcov: b.covariance[i * p + j] as number,
          sdcor: b.correlation[i * p + j] as number,
        });
  }
  rows.push({ grp: "Residual", var1: null, var2: null, vcov: sigma * sigma, sdcor: sigma });
  return rows;
}
