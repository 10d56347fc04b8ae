/**
 * The hypothesis matrices of lmerTest's single-model anova (R/anova_contrasts.R, R/contrast_utils.R), one L per
 * term, each rows × p over X's columns:
 * - type I: rows of the transposed unit lower factor of XᵀX (Doolittle), sequential;
 * - type II: for terms contained in no other, the identity rows of the term's columns; otherwise the term's rows
 *   of the Doolittle factor of XᵀX with the columns of the term and of the terms containing it moved last;
 * - type III: the full-dummy ("over-parametrised") columns of every term expressed in X's columns
 *   (ginv(X)·rdX), each term's columns made orthogonal to those of the terms containing it (higher order first),
 *   then the rows named as X's columns. Independent of the coding for treatment contrasts (spruce's only coding).
 * Small models (one column or one term) use type I, as lmerTest.
 */
import type { Design } from "../../design/types.js";
import { ModelError } from "../../errors.js";
import { containment, type FixedTerm, fixedTerms } from "./terms.js";

export type AnovaType = 1 | 2 | 3;

export interface TermHypothesis {
  term: string;
  /** rows × p, row-major. */
  L: Float64Array;
  rows: number;
}

/** lmerTest's doolittle(): x = LU with unit lower L; entries below eps (absolute) set to 0. Returns L. */
export function doolittle(x: Float64Array, n: number, eps = 1e-6): Float64Array {
  const L = new Float64Array(n * n);
  const U = new Float64Array(n * n);
  for (let i = 0; i < n; i++) L[i * n + i] = 1;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let u = x[i * n + j] as number;
      for (let k = 0; k < i; k++) u -= (L[i * n + k] as number) * (U[k * n + j] as number);
      U[i * n + j] = u;
    }
    for (let j = i + 1; j < n; j++) {
      let l = x[j * n + i] as number;
      for (let k = 0; k < i; k++) l -= (L[j * n + k] as number) * (U[k * n + i] as number);
      L[j * n + i] = Math.abs(U[i * n + i] as number) < eps ? 0 : l / (U[i * n + i] as number);
    }
  }
  for (let i = 0; i < n * n; i++) if (Math.abs(L[i] as number) < eps) L[i] = 0;
  return L;
}

/** R's zapsmall(x, digits = 7): round to 7 significant digits of the largest magnitude. */
export function zapsmall(x: Float64Array, digits = 7): Float64Array {
  let mx = 0;
  for (const v of x) if (Number.isFinite(v)) mx = Math.max(mx, Math.abs(v));
  if (!(mx > 0)) return x;
  const d = Math.max(0, digits - Math.ceil(Math.log10(mx)));
  const f = 10 ** d;
  return x.map((v) => Math.round(v * f) / f + 0);
}

function crossprodColumns(columns: Float64Array[], n: number): Float64Array {
  const p = columns.length;
  const out = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b <= a; b++) {
      const ca = columns[a] as Float64Array;
      const cb = columns[b] as Float64Array;
      let s = 0;
      for (let i = 0; i < n; i++) s += (ca[i] as number) * (cb[i] as number);
      out[a * p + b] = s;
      out[b * p + a] = s;
    }
  return out;
}

function xColumns(design: Design): Float64Array[] {
  const { n, X } = design;
  return design.fixedNames.map((_, j) => X.subarray(j * n, (j + 1) * n));
}

function rowsOf(M: Float64Array, p: number, rows: number[], colOrder?: number[]): TermHypothesis["L"] {
  const out = new Float64Array(rows.length * p);
  rows.forEach((r, i) => {
    for (let j = 0; j < p; j++)
      out[i * p + j] = M[r * p + (colOrder ? (colOrder[j] as number) : j)] as number;
  });
  return out;
}

function typeOne(design: Design, terms: FixedTerm[]): TermHypothesis[] {
  const p = design.fixedNames.length;
  const Lt =
    p === 1
      ? Float64Array.of(1)
      : transposeSquare(doolittle(crossprodColumns(xColumns(design), design.n), p), p);
  return terms.map((t) => ({ term: t.label, L: rowsOf(Lt, p, t.columns), rows: t.columns.length }));
}

function transposeSquare(M: Float64Array, n: number): Float64Array {
  const T = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) T[j * n + i] = M[i * n + j] as number;
  return T;
}

function typeTwo(design: Design, terms: FixedTerm[]): TermHypothesis[] {
  const p = design.fixedNames.length;
  const contained = containment(terms);
  const cols = xColumns(design);
  return terms.map((t, j) => {
    const containers = contained[j] as number[];
    if (containers.length === 0) {
      const L = new Float64Array(t.columns.length * p);
      t.columns.forEach((c, i) => {
        L[i * p + c] = 1;
      });
      return { term: t.label, L, rows: t.columns.length };
    }
    const moved = new Set([...t.columns, ...containers.flatMap((u) => (terms[u] as FixedTerm).columns)]);
    const order = [
      ...Array.from({ length: p }, (_, c) => c).filter((c) => !moved.has(c)),
      ...[...moved].sort((a, b) => a - b),
    ];
    const Lc = transposeSquare(
      doolittle(
        crossprodColumns(
          order.map((c) => cols[c] as Float64Array),
          design.n,
        ),
        p,
      ),
      p,
    );
    // Rows of the term (in the new order), columns back in X's order.
    const rows = order.flatMap((c, i) => (t.columns.includes(c) ? [i] : []));
    const back = Array.from({ length: p }, (_, c) => order.indexOf(c));
    return { term: t.label, L: rowsOf(Lc, p, rows, back), rows: rows.length };
  });
}

/** Householder QR of X (n×p, columns) and the least-squares solution C = X⁺R for columns R: p × k row-major. */
function leastSquares(cols: Float64Array[], n: number, rhs: Float64Array[]): Float64Array {
  const p = cols.length;
  const A = cols.map((c) => Float64Array.from(c));
  const B = rhs.map((c) => Float64Array.from(c));
  const diag = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const a = A[j] as Float64Array;
    let norm = 0;
    for (let i = j; i < n; i++) norm += (a[i] as number) ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) throw new ModelError("the fixed-effects matrix is rank deficient");
    const alpha = (a[j] as number) > 0 ? -norm : norm;
    const v = new Float64Array(n);
    for (let i = j; i < n; i++) v[i] = a[i] as number;
    v[j] = (v[j] as number) - alpha;
    let vv = 0;
    for (let i = j; i < n; i++) vv += (v[i] as number) ** 2;
    const reflect = (x: Float64Array) => {
      let s = 0;
      for (let i = j; i < n; i++) s += (v[i] as number) * (x[i] as number);
      const f = (2 * s) / vv;
      for (let i = j; i < n; i++) x[i] = (x[i] as number) - f * (v[i] as number);
    };
    for (let c = j + 1; c < p; c++) reflect(A[c] as Float64Array);
    for (const b of B) reflect(b);
    diag[j] = alpha;
  }
  const k = rhs.length;
  const C = new Float64Array(p * k);
  B.forEach((b, col) => {
    for (let i = p - 1; i >= 0; i--) {
      let s = b[i] as number;
      for (let c = i + 1; c < p; c++) s -= ((A[c] as Float64Array)[i] as number) * (C[c * k + col] as number);
      C[i * k + col] = s / (diag[i] as number);
    }
  });
  return C;
}

/** Residuals of the columns of Y (m × cy, row-major) after least squares on the columns of Xs (m × cx). */
function residualsOn(Y: number[][], Xs: number[][]): number[][] {
  // Orthonormal basis of span(Xs) by modified Gram–Schmidt, twice; columns that are (numerically) in the span of
  // earlier ones are dropped, as lm.fit's pivoting QR (tolerance 1e-7) drops them.
  const basis: number[][] = [];
  for (const x of Xs) {
    const v = x.slice();
    const norm0 = Math.hypot(...v);
    for (let pass = 0; pass < 2; pass++)
      for (const b of basis) {
        let d = 0;
        for (let i = 0; i < v.length; i++) d += (v[i] as number) * (b[i] as number);
        for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) - d * (b[i] as number);
      }
    const norm = Math.hypot(...v);
    if (norm0 === 0 || norm <= 1e-7 * norm0) continue;
    basis.push(v.map((e) => e / norm));
  }
  return Y.map((y) => {
    const r = y.slice();
    for (let pass = 0; pass < 2; pass++)
      for (const b of basis) {
        let d = 0;
        for (let i = 0; i < r.length; i++) d += (r[i] as number) * (b[i] as number);
        for (let i = 0; i < r.length; i++) r[i] = (r[i] as number) - d * (b[i] as number);
      }
    return r;
  });
}

function typeThree(design: Design, ft: ReturnType<typeof fixedTerms>): TermHypothesis[] {
  const p = design.fixedNames.length;
  const n = design.n;
  const terms = ft.terms;
  // rdX: intercept, then each term's full-dummy columns.
  const rdNames: string[] = [];
  const rdCols: Float64Array[] = [];
  if (ft.intercept) {
    rdNames.push("(Intercept)");
    rdCols.push(new Float64Array(n).fill(1));
  }
  terms.forEach((_, j) => {
    const m = ft.fullDummy(j);
    rdNames.push(...m.names);
    rdCols.push(...m.columns);
  });
  const C = leastSquares(xColumns(design), n, rdCols); // p × nrd
  const nrd = rdCols.length;
  // L0: nrd × p (rows: full-dummy parameters), zapsmall as R; held as columns (one per X column) of length nrd.
  const z = zapsmall(C);
  const Lcols: number[][] = Array.from({ length: p }, (_, j) =>
    Array.from({ length: nrd }, (_, r) => z[j * nrd + r] as number),
  );
  const contained = containment(terms);
  const order = terms
    .map((_, j) => j)
    .sort((a, b) => (terms[b] as FixedTerm).order - (terms[a] as FixedTerm).order || a - b);
  for (const j of order) {
    const containers = contained[j] as number[];
    if (containers.length === 0) continue;
    const t = terms[j] as FixedTerm;
    const xs = containers.flatMap((u) => (terms[u] as FixedTerm).columns.map((c) => Lcols[c] as number[]));
    const res = residualsOn(
      t.columns.map((c) => Lcols[c] as number[]),
      xs,
    );
    const flat = zapsmall(Float64Array.from(res.flat()));
    t.columns.forEach((c, i) => {
      Lcols[c] = Array.from(flat.subarray(i * nrd, (i + 1) * nrd));
    });
  }
  // Keep the rows named as X's columns.
  const rowIndex = design.fixedNames.map((name) => {
    const r = rdNames.indexOf(name);
    if (r < 0)
      throw new ModelError(
        `type III hypotheses: the column '${name}' is not one of the terms' full-dummy columns`,
      );
    return r;
  });
  return terms.map((t) => {
    const rows: number[][] = t.columns.map((c) => rowIndex.map((r) => (Lcols[c] as number[])[r] as number));
    const kept = rows.filter((row) => row.reduce((s, v) => s + Math.abs(v), 0) > 1e-8);
    return { term: t.label, L: Float64Array.from(kept.flat()), rows: kept.length };
  });
}

/** One hypothesis matrix per fixed-effects term (R's term labels, in formula order), as lmerTest's anova builds. */
export function termHypotheses(design: Design, type: AnovaType): TermHypothesis[] {
  const ft = fixedTerms(design);
  const p = design.fixedNames.length;
  if (p === 0) return [];
  if (p === 1 && ft.intercept) return [];
  const small = p <= 1 || ft.terms.length <= 1;
  if (type === 1 || small) return typeOne(design, ft.terms);
  if (type === 2) return typeTwo(design, ft.terms);
  return typeThree(design, ft);
}
