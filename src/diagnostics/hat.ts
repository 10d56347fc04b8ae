/**
 * Leverages of a linear mixed model: the diagonal of H where ŷ = Xβ̂ + ZΛû = H y (lme4's hatvalues.merMod).
 *
 * With W = [ZΛ, X] and the PLS matrix A = WᵀW + diag(I_q, 0) = L Lᵀ, H = W A⁻¹ Wᵀ, so h_i = ‖L⁻¹ w_i‖². lme4 splits
 * L⁻¹ w_i into a random-effects part c_L = L_Z⁻¹ ΛᵀZᵀ e_i and a fixed part c_R = R_X⁻ᵀ (x_i − R_ZXᵀ c_L); we do the
 * same. L_Z (the factor of M = ΛᵀZᵀZΛ + I) is block diagonal over the connected components of the random effects
 * (levels linked through shared observations), so each component is factored on its own: one block per group for a
 * single or nested grouping, one block for crossed factors. No n×n matrix is formed.
 *
 * Prior weights (src/design/weights.ts) scale row i of W by √wᵢ: every cross-product gains the factor wᵢ and
 * h_i = wᵢ ‖L⁻¹ w_i‖², so a zero-weight row has leverage 0 (lme4's hatvalues of a weighted fit).
 */

import { termShapes, thetaTemplates } from "../design/theta.js";
import { ModelError } from "../errors.js";
import { choleskyOrThrow, forwardSolveInPlace } from "../linalg/cholesky.js";
import { maxOf } from "../util/extremes.js";
import type { FittedLmm } from "./model.js";

/**
 * Work (flops) beyond which the dense per-component computation is refused with a clear message rather than
 * running for minutes: a factor of m³/3 per component plus a triangular solve of m²/2 per observation.
 */
const MAX_WORK = 2e10;

export function hatvalues(model: FittedLmm): Float64Array {
  const { design } = model;
  const { n, X } = design;
  const p = design.fixedNames.length;
  const wt = design.weights;
  const T = thetaTemplates(termShapes(design), model.theta);
  const terms = design.terms;

  // Index of each (term, level) node and of its first column in u.
  const nodeStart: number[] = [];
  const colStart: number[] = [];
  let nodes = 0;
  let q = 0;
  for (const t of terms) {
    nodeStart.push(nodes);
    colStart.push(q);
    nodes += t.levels.length;
    q += t.levels.length * t.columns.length;
  }

  // Union-find over nodes: the levels an observation touches belong to one block of M.
  const parent = Int32Array.from({ length: nodes }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x] as number] as number;
      x = parent[x] as number;
    }
    return x;
  };
  for (let i = 0; i < n; i++) {
    const a = find((nodeStart[0] as number) + (terms[0]?.refs[i] as number));
    for (let t = 1; t < terms.length; t++) {
      const b = find((nodeStart[t] as number) + (terms[t]?.refs[i] as number));
      if (a !== b) parent[b] = a;
    }
  }

  // Local column numbering within each component.
  const compOf = new Int32Array(nodes);
  const compIndex = new Map<number, number>();
  const compSize: number[] = [];
  const localStart = new Int32Array(nodes);
  terms.forEach((t, ti) => {
    for (let l = 0; l < t.levels.length; l++) {
      const node = (nodeStart[ti] as number) + l;
      const root = find(node);
      let c = compIndex.get(root);
      if (c === undefined) {
        c = compSize.length;
        compIndex.set(root, c);
        compSize.push(0);
      }
      compOf[node] = c;
      localStart[node] = compSize[c] as number;
      compSize[c] = (compSize[c] as number) + t.columns.length;
    }
  });
  const ncomp = compSize.length;
  const obsPerComp = new Float64Array(ncomp);
  for (let i = 0; i < n; i++) {
    const t0 = terms[0];
    if (t0) obsPerComp[compOf[(nodeStart[0] as number) + (t0.refs[i] as number)] as number] += 1;
  }
  let work = 0;
  compSize.forEach((m, c) => {
    work += m ** 3 / 3 + ((obsPerComp[c] as number) * m * m) / 2;
  });
  if (work > MAX_WORK)
    throw new ModelError(
      `hatvalues: the random effects form a connected block of ${maxOf(compSize)} columns (crossed factors); ` +
        "the leverages of a model this size are not supported",
    );

  // Observation i's row of ZΛ, restricted to its component: (column index, value) pairs.
  const obsComp = new Int32Array(n);
  const rowOf = (i: number): { idx: number[]; val: number[] } => {
    const idx: number[] = [];
    const val: number[] = [];
    terms.forEach((t, ti) => {
      const pt = t.columns.length;
      const Tt = T[ti] as Float64Array;
      const node = (nodeStart[ti] as number) + (t.refs[i] as number);
      const start = localStart[node] as number;
      for (let k = 0; k < pt; k++) {
        // (ZΛ)_{i,k} = Σ_j z_ij T[j,k] (T lower triangular: j ≥ k).
        let s = 0;
        for (let j = k; j < pt; j++) s += (t.z[i * pt + j] as number) * (Tt[j * pt + k] as number);
        idx.push(start + k);
        val.push(s);
      }
    });
    return { idx, val };
  };

  // M_c = Σ w w ᵀ + I and C_c = Σ w xᵀ per component.
  const M = compSize.map((m) => new Float64Array(m * m));
  const C = compSize.map((m) => new Float64Array(m * p));
  const rows: { idx: number[]; val: number[] }[] = [];
  for (let i = 0; i < n; i++) {
    const c = compOf[(nodeStart[0] as number) + (terms[0]?.refs[i] as number)] as number;
    obsComp[i] = c;
    const r = rowOf(i);
    rows.push(r);
    const m = compSize[c] as number;
    const Mc = M[c] as Float64Array;
    const Cc = C[c] as Float64Array;
    const wi = wt ? (wt[i] as number) : 1;
    for (let a = 0; a < r.idx.length; a++) {
      const ia = r.idx[a] as number;
      const va = (r.val[a] as number) * wi;
      for (let b = 0; b < r.idx.length; b++) Mc[ia * m + (r.idx[b] as number)] += va * (r.val[b] as number);
      for (let j = 0; j < p; j++) Cc[ia * p + j] += va * (X[j * n + i] as number);
    }
  }
  // S = XᵀX − Σ_c R_ZXᵀ R_ZX with R_ZX = L_c⁻¹ C_c.
  const S = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < n; i++)
        s += (X[a * n + i] as number) * (wt ? (wt[i] as number) : 1) * (X[b * n + i] as number);
      S[a * p + b] = s;
    }
  const RZX: Float64Array[] = [];
  for (let c = 0; c < ncomp; c++) {
    const m = compSize[c] as number;
    const Mc = M[c] as Float64Array;
    for (let k = 0; k < m; k++) Mc[k * m + k] += 1;
    choleskyOrThrow(Mc, m, "hatvalues");
    const R = new Float64Array(m * p);
    const col = new Float64Array(m);
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < m; k++) col[k] = (C[c] as Float64Array)[k * p + j] as number;
      forwardSolveInPlace(Mc, m, col);
      for (let k = 0; k < m; k++) R[k * p + j] = col[k] as number;
    }
    RZX.push(R);
    for (let a = 0; a < p; a++)
      for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let k = 0; k < m; k++) s += (R[k * p + a] as number) * (R[k * p + b] as number);
        S[a * p + b] -= s;
      }
  }
  for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) S[a * p + b] = S[b * p + a] as number;
  if (p > 0) choleskyOrThrow(S, p, "hatvalues (fixed effects)");

  const h = new Float64Array(n);
  const cr = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const c = obsComp[i] as number;
    const m = compSize[c] as number;
    const cl = new Float64Array(m);
    const r = rows[i] as { idx: number[]; val: number[] };
    r.idx.forEach((ia, a) => {
      cl[ia] = (cl[ia] as number) + (r.val[a] as number);
    });
    forwardSolveInPlace(M[c] as Float64Array, m, cl);
    let hz = 0;
    for (let k = 0; k < m; k++) hz += (cl[k] as number) ** 2;
    const R = RZX[c] as Float64Array;
    for (let j = 0; j < p; j++) {
      let s = X[j * n + i] as number;
      for (let k = 0; k < m; k++) s -= (R[k * p + j] as number) * (cl[k] as number);
      cr[j] = s;
    }
    forwardSolveInPlace(S, p, cr);
    let hx = 0;
    for (let j = 0; j < p; j++) hx += (cr[j] as number) ** 2;
    h[i] = (hz + hx) * (wt ? (wt[i] as number) : 1);
  }
  return h;
}
