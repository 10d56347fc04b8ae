/**
 * Whether one model is nested in another, which a likelihood-ratio test (anova, the parametric bootstrap) needs:
 * - fixed effects: every column of X₀ lies in the column space of X₁ (rank [X₁ X₀] = rank X₁, decided with lme4's
 *   rank rule, ../design/rank.ts);
 * - random effects: every term of the smaller model is covered by a term of the larger one on the same grouping
 *   factor (same levels, same observations) whose columns span the smaller term's columns, so that the smaller
 *   model's covariance is the larger one's with some parameters fixed.
 * The test is on the designs themselves, so `time` in one model and `I(time^2)` in the other are told apart even
 * though both are single columns.
 */
import { keepFullRank } from "../design/rank.js";
import type { Design, RandomTerm } from "../design/types.js";
import { ModelError } from "../errors.js";

/** The reason `small` is not nested in `large`, or null when it is. */
export function notNestedReason(small: Design, large: Design): string | null {
  const fixed = outsideSpan(columnsOf(large.X, large.n), columnsOf(small.X, small.n));
  if (fixed.length > 0)
    return (
      `the fixed effects of '${small.formula}' are not within those of '${large.formula}' ` +
      `(${fixed.map((j) => small.fixedNames[j]).join(", ")} not in the column space of the larger model)`
    );
  for (const t0 of small.terms) {
    const candidates = large.terms.filter((t1) => sameGrouping(t0, t1));
    if (candidates.length === 0)
      return (
        `the random effects of '${small.formula}' are not within those of '${large.formula}' ` +
        `(no term of the larger model has the grouping factor ${t0.group})`
      );
    const covered = candidates.some((t1) => termCovers(t1, t0));
    if (!covered)
      return (
        `the random effects of '${small.formula}' are not within those of '${large.formula}' ` +
        `(the term (${t0.columns.join(" + ")} | ${t0.group}) is not covered by a term of the larger model on ${t0.group})`
      );
  }
  return null;
}

/** Throw a ModelError naming the reason unless `small` is nested in `large`. */
export function checkNested(small: Design, large: Design, what: string): void {
  const reason = notNestedReason(small, large);
  if (reason)
    throw new ModelError(
      `${what}: the models are not nested, so a likelihood-ratio test does not apply: ${reason}`,
    );
}

/** Whether x and y hold the same numbers (NaN never equals: such columns go to the rank decision). */
function sameValues(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A column that is 0 or a copy of one of `base`'s columns: in the span of `base` without any rank decision. */
function plainlyInSpan(base: Float64Array[], c: Float64Array): boolean {
  return c.every((v) => v === 0) || base.some((b) => sameValues(b, c));
}

/** Indices of the `extra` columns that are not in the span of `base`. */
function outsideSpan(base: Float64Array[], extra: Float64Array[]): number[] {
  // The common case (the smaller model's columns are columns of the larger one) needs no rank decision: with
  // exact copies keepFullRank would find the copies aliased, and take the slow Householder path to say so (a
  // copy's orthogonal part is 0, far below its DOUBT threshold). Measured: ~10 ms of Sitka's bootstrap set-up.
  if (extra.every((c) => plainlyInSpan(base, c))) return [];
  const keep = keepFullRank([...base, ...extra]);
  const out: number[] = [];
  extra.forEach((c, j) => {
    // A zero column is in every span; keepFullRank drops it too.
    if (keep[base.length + j] && c.some((v) => v !== 0)) out.push(j);
  });
  return out;
}

function columnsOf(X: Float64Array, n: number): Float64Array[] {
  const p = n > 0 ? X.length / n : 0;
  return Array.from({ length: p }, (_, j) => X.subarray(j * n, (j + 1) * n));
}

/**
 * Whether t1's columns span t0's (same grouping): Z_t is block diagonal by level, so the span condition holds for
 * the whole Z iff it holds on the rows of each level.
 */
function termCovers(t1: RandomTerm, t0: RandomTerm): boolean {
  const n = t0.refs.length;
  // Each of t0's columns a column of t1 (the same random part in both models): covered on every level at once.
  const columns1 = columnsOfTerm(t1);
  if (columnsOfTerm(t0).every((c) => plainlyInSpan(columns1, c))) return true;
  const nl = t0.levels.length;
  const rowsOf: number[][] = Array.from({ length: nl }, () => []);
  for (let i = 0; i < n; i++) (rowsOf[t0.refs[i] as number] as number[]).push(i);
  const pick = (t: RandomTerm, rows: number[]): Float64Array[] => {
    const p = t.columns.length;
    return Array.from({ length: p }, (_, j) => Float64Array.from(rows, (i) => t.z[i * p + j] as number));
  };
  return rowsOf.every((rows) => outsideSpan(pick(t1, rows), pick(t0, rows)).length === 0);
}

/** The columns of a term's Z (stored row by row) over all observations. */
function columnsOfTerm(t: RandomTerm): Float64Array[] {
  const p = t.columns.length;
  const n = t.refs.length;
  const out = Array.from({ length: p }, () => new Float64Array(n));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < p; j++) (out[j] as Float64Array)[i] = t.z[i * p + j] as number;
  return out;
}

function sameGrouping(a: RandomTerm, b: RandomTerm): boolean {
  if (a.levels.length !== b.levels.length || a.refs.length !== b.refs.length) return false;
  for (let i = 0; i < a.refs.length; i++) if (a.refs[i] !== b.refs[i]) return false;
  return true;
}

/**
 * How far below 0 an observed likelihood-ratio statistic may fall from rounding and the optimiser's stopping
 * tolerance alone (relative to the deviance); anything lower means a fit missed its optimum.
 */
export function lrtRoundingTolerance(deviance: number): number {
  return 1e-6 * Math.max(1, Math.abs(deviance));
}
