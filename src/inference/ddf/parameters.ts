/**
 * The variance parameters, in the two parametrisations the methods use.
 *
 * - s (pbkrtest's): V = Σ_r s_r G_r + σ²·I, where for term t and element (i, j) of its covariance matrix
 *   Σ_t = σ²T_tT_tᵀ, s_r = (Σ_t)_ij and G_r = Z_t (I ⊗ E_ij) Z_tᵀ with E_ij the symmetric indicator of (i, j).
 *   The residual parameter σ² comes last. V is linear in s.
 * - varpar (lmerTest's): (θ, σ). s is quadratic in it: s_r = σ²(TTᵀ)_ij, s_res = σ².
 *
 * G_r = Z E_r Zᵀ with E_r a q×q matrix with one or two ones per level: it is stored as its list of (row, column)
 * positions. The residual parameter's G = I is not of that form; every formula used is linear in each G, so it is
 * handled through the identity I = (V − Σ_r s_r G_r)/σ²: quantities are computed for the random parameters and
 * for V itself (where they simplify: WVW = W, tr(WV) = n − p), then mapped by `residualMap`.
 */
import type { MarginalCovariance } from "./marginal.js";
import { termTemplates } from "./marginal.js";
import type { DdfModel } from "./model.js";

export interface CovarianceParameters {
  /** Number of random parameters (= length of θ, same order); the residual is index k. */
  k: number;
  /** s: the k random values then σ². */
  s: Float64Array;
  /** Positions (row, column pairs, flattened) of the ones of E_r in the random-effects space. */
  positions: Int32Array[];
  /** ∂s/∂varpar, (k+1)×(k+1) row-major: row = s index, column = varpar index (θ then σ). */
  jacobian: Float64Array;
  /** ∂²s_r/∂varpar², k+1 matrices of (k+1)×(k+1). */
  hessians: Float64Array[];
  /**
   * Maps quantities indexed by (random parameters, V) to (random parameters, σ²): the residual's value is
   * Σ_b map[b] · value_b with map = (−s_1/σ², …, −s_k/σ², 1/σ²).
   */
  residualMap: Float64Array;
}

export function covarianceParameters(model: DdfModel, mc: MarginalCovariance): CovarianceParameters {
  const { design, solution } = model;
  const sigma = solution.sigma;
  const s2 = sigma * sigma;
  const k = solution.theta.length;
  const m = k + 1;
  const s = new Float64Array(m);
  const positions: Int32Array[] = [];
  const jacobian = new Float64Array(m * m);
  const hessians = Array.from({ length: m }, () => new Float64Array(m * m));
  const templates = termTemplates(model);
  let first = 0;
  design.terms.forEach((t, ti) => {
    const pt = t.columns.length;
    const T = templates[ti] as Float64Array;
    const L = t.levels.length;
    const off = mc.offsets[ti] as number;
    // θ index of template entry (a, b), a ≥ b: column by column.
    const thetaIndex = new Int32Array(pt * pt).fill(-1);
    let r = first;
    for (let b = 0; b < pt; b++) for (let a = b; a < pt; a++) thetaIndex[a * pt + b] = r++;
    for (let j = 0; j < pt; j++)
      for (let i = j; i < pt; i++) {
        const idx = thetaIndex[i * pt + j] as number;
        let tt = 0;
        for (let c = 0; c < pt; c++) tt += (T[i * pt + c] as number) * (T[j * pt + c] as number);
        s[idx] = s2 * tt;
        const pos = new Int32Array(i === j ? 2 * L : 4 * L);
        for (let l = 0; l < L; l++) {
          const ri = off + l * pt + i;
          const rj = off + l * pt + j;
          if (i === j) {
            pos[2 * l] = ri;
            pos[2 * l + 1] = ri;
          } else {
            pos[4 * l] = ri;
            pos[4 * l + 1] = rj;
            pos[4 * l + 2] = rj;
            pos[4 * l + 3] = ri;
          }
        }
        positions[idx] = pos;
        // s = σ² Σ_c T_ic T_jc: ∂/∂T_ab = σ²(δ_ia T_jb + δ_ja T_ib); ∂/∂σ = 2σ(TTᵀ)_ij.
        const H = hessians[idx] as Float64Array;
        for (let bb = 0; bb < pt; bb++)
          for (let a = bb; a < pt; a++) {
            const col = thetaIndex[a * pt + bb] as number;
            const d = (a === i ? (T[j * pt + bb] as number) : 0) + (a === j ? (T[i * pt + bb] as number) : 0);
            jacobian[idx * m + col] = s2 * d;
            H[col * m + k] = 2 * sigma * d;
            H[k * m + col] = 2 * sigma * d;
            // ∂²/∂T_ab∂T_cd = σ²(δ_ia δ_jc + δ_ja δ_ic) δ_bd.
            for (let c = bb; c < pt; c++) {
              const col2 = thetaIndex[c * pt + bb] as number;
              const d2 = (a === i && c === j ? 1 : 0) + (a === j && c === i ? 1 : 0);
              if (d2 !== 0) H[col * m + col2] = (H[col * m + col2] as number) + s2 * d2;
            }
          }
        jacobian[idx * m + k] = 2 * sigma * tt;
        H[k * m + k] = 2 * tt;
      }
    first = r;
  });
  s[k] = s2;
  jacobian[k * m + k] = 2 * sigma;
  (hessians[k] as Float64Array)[k * m + k] = 2;
  const residualMap = new Float64Array(m);
  for (let r = 0; r < k; r++) residualMap[r] = -(s[r] as number) / s2;
  residualMap[k] = 1 / s2;
  return { k, s, positions, jacobian, hessians, residualMap };
}

/** Maps a vector over (random, V) to (random, σ²). */
export function mapVector(cp: CovarianceParameters, v: Float64Array): Float64Array {
  const out = Float64Array.from(v);
  let r = 0;
  for (let b = 0; b <= cp.k; b++) r += (cp.residualMap[b] as number) * (v[b] as number);
  out[cp.k] = r;
  return out;
}

/** Maps a symmetric (k+1)×(k+1) matrix over (random, V) to (random, σ²): Kᵀ S K. */
export function mapMatrix(cp: CovarianceParameters, S: Float64Array): Float64Array {
  const m = cp.k + 1;
  const rows = new Float64Array(m * m);
  // Column k first (S K), then row k (Kᵀ (S K)).
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) rows[a * m + b] = S[a * m + b] as number;
    let r = 0;
    for (let b = 0; b < m; b++) r += (S[a * m + b] as number) * (cp.residualMap[b] as number);
    rows[a * m + cp.k] = r;
  }
  const out = Float64Array.from(rows);
  for (let b = 0; b < m; b++) {
    let r = 0;
    for (let a = 0; a < m; a++) r += (cp.residualMap[a] as number) * (rows[a * m + b] as number);
    out[cp.k * m + b] = r;
  }
  return out;
}

/** Maps a list of k+1 matrices (same shape) over (random, V) to (random, σ²). */
export function mapList(cp: CovarianceParameters, list: Float64Array[]): Float64Array[] {
  const out = list.slice();
  const res = new Float64Array((list[0] as Float64Array).length);
  for (let b = 0; b <= cp.k; b++) {
    const w = cp.residualMap[b] as number;
    const x = list[b] as Float64Array;
    for (let i = 0; i < res.length; i++) res[i] = (res[i] as number) + w * (x[i] as number);
  }
  out[cp.k] = res;
  return out;
}

/** tr(E_r X) = Σ over E_r's ones (a, b) of X[b, a]. */
export function traceE(X: Float64Array, q: number, pos: Int32Array): number {
  let s = 0;
  for (let i = 0; i < pos.length; i += 2) s += X[(pos[i + 1] as number) * q + (pos[i] as number)] as number;
  return s;
}

/** tr(X E_r X E_s) = Σ_{(a,b)∈E_r} Σ_{(c,d)∈E_s} X[b,c]·X[d,a]. */
export function traceEXE(X: Float64Array, q: number, pr: Int32Array, ps: Int32Array): number {
  let s = 0;
  for (let i = 0; i < pr.length; i += 2) {
    const a = pr[i] as number;
    const b = pr[i + 1] as number;
    for (let j = 0; j < ps.length; j += 2)
      s += (X[b * q + (ps[j] as number)] as number) * (X[(ps[j + 1] as number) * q + a] as number);
  }
  return s;
}

/** E_r v (length q). */
export function applyE(pos: Int32Array, v: Float64Array, q: number): Float64Array {
  const out = new Float64Array(q);
  for (let i = 0; i < pos.length; i += 2) out[pos[i] as number] += v[pos[i + 1] as number] as number;
  return out;
}

/** E_r R for R (q×p): only the rows of the term are non-zero. */
export function applyERows(pos: Int32Array, R: Float64Array, q: number, p: number): Float64Array {
  const out = new Float64Array(q * p);
  for (let i = 0; i < pos.length; i += 2) {
    const a = pos[i] as number;
    const b = pos[i + 1] as number;
    for (let j = 0; j < p; j++) out[a * p + j] += R[b * p + j] as number;
  }
  return out;
}
