/**
 * t and F tests of contrasts of the fixed effects with Satterthwaite's or Kenward–Roger's denominator degrees of
 * freedom: lmerTest's contest1D and contestMD (R/contest.R), the parts computed once per model.
 */
import { fUpper, tTwoSided } from "../../distributions/beta.js";
import { ModelError } from "../../errors.js";
import { type KenwardRogerParts, kenwardRogerParts, kenwardRogerTest, matrixRank } from "./kenward-roger.js";
import { matMul, symmetricEigen } from "./matrix.js";
import type { DdfMethod, DdfModel } from "./model.js";
import { type SatterthwaiteParts, satterthwaiteDf, satterthwaiteParts } from "./satterthwaite.js";

/** One t test: lmerTest's contest1D row. */
export interface TTest {
  estimate: number;
  se: number;
  df: number;
  t: number;
  p: number;
}

/** One F test: lmerTest's contestMD row (and a row of its anova table). */
export interface FTest {
  SumSq: number;
  MeanSq: number;
  NumDF: number;
  DenDF: number;
  F: number;
  p: number;
}

export interface ContrastTests {
  readonly method: DdfMethod;
  /** t test of l·β = 0 (l of length p). */
  t(l: ArrayLike<number>): TTest;
  /** Joint F test of Lβ = 0 (L: rows of length p). */
  F(L: readonly ArrayLike<number>[]): FTest;
}

/** lmerTest's get_Fstat_ddf: the df of a sum of q independent F(1, ν_m) statistics. */
export function combinedDdf(nu: number[], tol = 1e-8): number {
  if (nu.length === 1) return nu[0] as number;
  if (nu.every((v, i) => i === 0 || Math.abs(v - (nu[i - 1] as number)) < tol))
    return nu.reduce((s, v) => s + v, 0) / nu.length;
  if (nu.some((v) => v <= 2)) return 2;
  const E = nu.reduce((s, v) => s + v / (v - 2), 0);
  return (2 * E) / (E - nu.length);
}

function checkRows(L: readonly ArrayLike<number>[], p: number): Float64Array {
  L.forEach((row, i) => {
    if (row.length !== p)
      throw new ModelError(
        `contrast row ${i + 1} has ${row.length} coefficients; the model has ${p} fixed effects`,
      );
    for (let j = 0; j < p; j++)
      if (!Number.isFinite(row[j] as number))
        throw new ModelError(`contrast row ${i + 1}, coefficient ${j + 1} is not a finite number`);
    if (Array.from(row).every((v) => v === 0)) throw new ModelError(`contrast row ${i + 1} is all zero`);
  });
  return Float64Array.from(L.flatMap((row) => Array.from(row)));
}

function fRow(F: number, ndf: number, ddf: number, sigma: number, scale = 1): FTest {
  const MS = F * sigma * sigma;
  const Fv = F * scale;
  return { SumSq: MS * ndf, MeanSq: MS, NumDF: ndf, DenDF: ddf, F: Fv, p: fUpper(Fv, ndf, ddf) };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
};

export function contrastTests(model: DdfModel, method: DdfMethod): ContrastTests {
  const p = model.design.fixedNames.length;
  const beta = model.solution.beta;
  const sigma = model.solution.sigma;
  if (method === "Kenward-Roger") {
    const parts: KenwardRogerParts = kenwardRogerParts(model);
    const t = (l: ArrayLike<number>): TTest => {
      const row = checkRows([l], p);
      const kr = kenwardRogerTest(parts, row, 1, beta, 1);
      let variance = 0;
      for (let i = 0; i < p; i++)
        for (let j = 0; j < p; j++)
          variance += (row[i] as number) * (parts.vcovAdj[i * p + j] as number) * (row[j] as number);
      const estimate = dot(row, beta);
      const se = Math.sqrt(variance);
      const tv = estimate / se;
      return { estimate, se, df: kr.ddf, t: tv, p: tTwoSided(tv, kr.ddf) };
    };
    const F = (L: readonly ArrayLike<number>[]): FTest => {
      if (L.length === 0) throw new ModelError("an F test needs at least one contrast row");
      const flat = checkRows(L, p);
      const rank = matrixRank(flat, L.length, p);
      const kr = kenwardRogerTest(parts, flat, L.length, beta, rank);
      return fRow(kr.FstatU, kr.ndf, kr.ddf, sigma, kr.scaling);
    };
    return { method, t, F };
  }
  const parts: SatterthwaiteParts = satterthwaiteParts(model);
  const t = (l: ArrayLike<number>): TTest => {
    const row = checkRows([l], p);
    const { variance, df } = satterthwaiteDf(parts, row);
    const estimate = dot(row, beta);
    const se = Math.sqrt(variance);
    const tv = estimate / se;
    return { estimate, se, df, t: tv, p: tTwoSided(tv, df) };
  };
  const F = (L: readonly ArrayLike<number>[]): FTest => {
    if (L.length === 0) throw new ModelError("an F test needs at least one contrast row");
    const flat = checkRows(L, p);
    const rows = L.length;
    if (rows === 1) {
      const r = t(flat);
      return fRow(r.t * r.t, 1, r.df, sigma);
    }
    // lmerTest's contestMD: rotate L to the eigenvectors of Var(Lβ̂); F is the mean of the q squared t's, its
    // df combines their Satterthwaite df.
    const LPhi = matMul(flat, parts.vcovBeta, rows, p, p);
    const VL = new Float64Array(rows * rows);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < rows; j++)
        VL[i * rows + j] = dot(LPhi.subarray(i * p, (i + 1) * p), flat.subarray(j * p, (j + 1) * p));
    const e = symmetricEigen(VL, rows);
    const tol = Math.max(Math.sqrt(Number.EPSILON) * (e.values[0] as number), 0);
    const q = Array.from(e.values).filter((d) => d > tol).length;
    if (q === 0) throw new ModelError("the contrast matrix has rank 0");
    const PtL: Float64Array[] = [];
    for (let m = 0; m < q; m++) {
      const row = new Float64Array(p);
      for (let i = 0; i < rows; i++) {
        const w = e.vectors[i * rows + m] as number;
        for (let j = 0; j < p; j++) row[j] = (row[j] as number) + w * (flat[i * p + j] as number);
      }
      PtL.push(row);
    }
    if (q === 1) {
      const r = t(PtL[0] as Float64Array);
      return fRow(r.t * r.t, 1, r.df, sigma);
    }
    let sumT2 = 0;
    const nu: number[] = [];
    PtL.forEach((row, m) => {
      const d = e.values[m] as number;
      sumT2 += dot(row, beta) ** 2 / d;
      const g = parts.jacobian.map((J) => {
        let s = 0;
        for (let i = 0; i < p; i++)
          for (let j = 0; j < p; j++) s += (row[i] as number) * (J[i * p + j] as number) * (row[j] as number);
        return s;
      });
      let denom = 0;
      for (let a = 0; a < parts.m; a++)
        for (let b = 0; b < parts.m; b++)
          denom += (g[a] as number) * (parts.vcovVarpar[a * parts.m + b] as number) * (g[b] as number);
      nu.push((2 * d * d) / denom);
    });
    return fRow(sumT2 / q, q, combinedDdf(nu), sigma);
  };
  return { method, t, F };
}
