/**
 * The marginal covariance V = σ²(I + ZΛΛᵀZᵀ) of a fitted model, seen only through the random-effects space.
 *
 * Every quantity the Satterthwaite and Kenward–Roger methods need has the form CᵀV⁻¹D or CᵀWD with C, D among Z,
 * X and the residuals, where W = V⁻¹ − V⁻¹XΦXᵀV⁻¹ is the REML projection and Φ = (XᵀV⁻¹X)⁻¹. Woodbury's identity
 * V⁻¹ = (I − ZΛM⁻¹ΛᵀZᵀ)/σ², M = ΛᵀZᵀZΛ + I, turns these into q×q and q×p products of ZᵀZ, ZᵀX and XᵀX: no n×n
 * matrix is formed (test/inference/ddf/ddf-dense-oracle.test.ts checks the results against the dense n×n formulas).
 * Cost: one dense q×q Cholesky factor and a few q×q products, O(q³); fine up to q of a few thousand.
 *
 * W·y = e/σ², e the residuals y − Xβ̂ − Zb̂, because (I − ZΛM⁻¹ΛᵀZᵀ)(y − Xβ̂) = y − Xβ̂ − ZΛû.
 */
import { ModelError } from "../../errors.js";
import { choleskyLower, gram, inverseSpd, matMul, matTMul, solveLowerRows } from "./matrix.js";
import type { DdfModel } from "./model.js";

/** Largest q handled: five dense q×q matrices (~1 GB at 5000) and O(q³) work (a minute or more at 5000). */
export const MAX_RANDOM_EFFECTS = 5000;

export interface MarginalCovariance {
  n: number;
  p: number;
  q: number;
  sigma: number;
  /** Offset of each term's random effects in the q-space (term by term, level-major). */
  offsets: number[];
  /** ZᵀV⁻¹Z, q×q. */
  A: Float64Array;
  /** ZᵀV⁻¹X, q×p. */
  B: Float64Array;
  /** ZᵀWZ = A − BΦBᵀ, q×q. */
  At: Float64Array;
  /** Φ = (XᵀV⁻¹X)⁻¹ = vcov(β̂), p×p. */
  Phi: Float64Array;
  /** XᵀV⁻¹X, p×p. */
  PhiInv: Float64Array;
  /** ZᵀWy = Zᵀe/σ², length q. */
  ue: Float64Array;
  /** yᵀWy = r²/σ² (r² the penalised residual sum of squares). */
  yWy: number;
}

/** The template T_t of each term (p_t×p_t lower triangular, row-major) from θ (lower triangle column by column). */
export function termTemplates(model: DdfModel): Float64Array[] {
  const theta = model.solution.theta;
  let k = 0;
  return model.design.terms.map((t) => {
    const p = t.columns.length;
    const T = new Float64Array(p * p);
    for (let j = 0; j < p; j++) for (let i = j; i < p; i++) T[i * p + j] = theta[k++] as number;
    return T;
  });
}

export function marginalCovariance(model: DdfModel): MarginalCovariance {
  const { design, solution } = model;
  const n = design.n;
  const p = design.fixedNames.length;
  const sigma = solution.sigma;
  const s2 = sigma * sigma;
  const offsets: number[] = [];
  let q = 0;
  for (const t of design.terms) {
    offsets.push(q);
    q += t.levels.length * t.columns.length;
  }
  if (q > MAX_RANDOM_EFFECTS)
    throw new ModelError(
      `degrees of freedom need dense ${q}×${q} matrices of the random effects (O(q³) work); ` +
        `this build supports up to ${MAX_RANDOM_EFFECTS} random effects`,
    );
  const e = model.residuals();
  // ZᵀZ, ZᵀX, Zᵀe from the rows' non-zeros (each row has Σ p_t of them).
  const G = new Float64Array(q * q);
  const ZX = new Float64Array(q * p);
  const Ze = new Float64Array(q);
  const nz = design.terms.reduce((s, t) => s + t.columns.length, 0);
  const cols = new Int32Array(nz);
  const vals = new Float64Array(nz);
  const X = design.X;
  for (let i = 0; i < n; i++) {
    let k = 0;
    design.terms.forEach((t, ti) => {
      const pt = t.columns.length;
      const base = (offsets[ti] as number) + (t.refs[i] as number) * pt;
      for (let j = 0; j < pt; j++) {
        cols[k] = base + j;
        vals[k++] = t.z[i * pt + j] as number;
      }
    });
    for (let a = 0; a < nz; a++) {
      const ca = cols[a] as number;
      const va = vals[a] as number;
      if (va === 0) continue;
      for (let b = 0; b < nz; b++) G[ca * q + (cols[b] as number)] += va * (vals[b] as number);
      for (let j = 0; j < p; j++) ZX[ca * p + j] += va * (X[j * n + i] as number);
      Ze[ca] += va * (e[i] as number);
    }
  }
  const XX = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (X[a * n + i] as number) * (X[b * n + i] as number);
      XX[a * p + b] = s;
      XX[b * p + a] = s;
    }
  const templates = termTemplates(model);
  // ΛᵀR for R with q rows: each level block of rows is replaced by Tᵀ times it.
  const lambdaT = (R: Float64Array, m: number): Float64Array => {
    const out = new Float64Array(q * m);
    design.terms.forEach((t, ti) => {
      const pt = t.columns.length;
      const T = templates[ti] as Float64Array;
      for (let l = 0; l < t.levels.length; l++) {
        const base = (offsets[ti] as number) + l * pt;
        for (let a = 0; a < pt; a++)
          for (let b = a; b < pt; b++) {
            const tba = T[b * pt + a] as number;
            if (tba === 0) continue;
            const src = (base + b) * m;
            const dst = (base + a) * m;
            for (let j = 0; j < m; j++) out[dst + j] += tba * (R[src + j] as number);
          }
      }
    });
    return out;
  };
  const LtG = lambdaT(G, q); // ΛᵀZᵀZ
  const LtZX = lambdaT(ZX, p); // ΛᵀZᵀX
  // M = ΛᵀZᵀZΛ + I = (Λᵀ(ΛᵀZᵀZ)ᵀ)ᵀ; ZᵀZ is symmetric, so ΛᵀZᵀZΛ = Λᵀ(ΛᵀZᵀZ)ᵀ.
  const LtGt = new Float64Array(q * q);
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) LtGt[j * q + i] = LtG[i * q + j] as number;
  const M = lambdaT(LtGt, q);
  for (let i = 0; i < q; i++) M[i * q + i] += 1;
  choleskyLower(M, q, "M = ΛᵀZᵀZΛ + I");
  // With M = LLᵀ: ZᵀZΛM⁻¹ΛᵀZᵀZ = R₁ᵀR₁ for R₁ = L⁻¹ΛᵀZᵀZ, and likewise with R₂ = L⁻¹ΛᵀZᵀX: one triangular
  // solve and symmetric products.
  const R1 = LtG;
  solveLowerRows(M, q, R1, q);
  const R2 = LtZX;
  solveLowerRows(M, q, R2, p);
  const corrA = gram(R1, q, q);
  const corrB = matTMul(R1, R2, q, q, p);
  const corrS = matTMul(R2, R2, q, p, p);
  // A overwrites its correction term (one q×q buffer less).
  const A = corrA;
  for (let i = 0; i < q; i++)
    for (let j = 0; j <= i; j++) {
      const v = ((G[i * q + j] as number) - (corrA[i * q + j] as number)) / s2;
      A[i * q + j] = v;
      A[j * q + i] = v;
    }
  const B = new Float64Array(q * p);
  for (let i = 0; i < q * p; i++) B[i] = ((ZX[i] as number) - (corrB[i] as number)) / s2;
  const PhiInv = new Float64Array(p * p);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++)
      PhiInv[i * p + j] =
        (0.5 * ((XX[i * p + j] as number) - (corrS[i * p + j] as number)) +
          0.5 * ((XX[j * p + i] as number) - (corrS[j * p + i] as number))) /
        s2;
  const Phi = p > 0 ? inverseSpd(PhiInv, p, "XᵀV⁻¹X") : new Float64Array(0);
  const BPhi = matMul(B, Phi, q, p, p);
  const At = new Float64Array(q * q);
  for (let i = 0; i < q; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += (BPhi[i * p + k] as number) * (B[j * p + k] as number);
      const v = (A[i * q + j] as number) - s;
      At[i * q + j] = v;
      At[j * q + i] = v;
    }
  const ue = Ze.map((v) => v / s2);
  return { n, p, q, sigma, offsets, A, B, At, Phi, PhiInv, ue, yWy: solution.pwrss / s2 };
}
