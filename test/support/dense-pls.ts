/**
 * A plain dense penalised-least-squares engine: the test oracle for the blocked wasm engine.
 *
 * Everything is built as full dense matrices (Z is n×q, Λ is q×q) and factored with a textbook Cholesky, so each
 * line can be checked against docs/architecture.md ("The profiled deviance", "The gradient") by eye. It costs O((q+p)³) per call, which is fine for the small
 * conformance models, and it stays independent of the production engine: it shares only the types, never code.
 */
import type { DesignBuffers } from "../../src/design/types.js";
import type { PlsEngine, PlsSolution } from "../../src/fit/engine.js";

/** Row-major dense matrix. */
interface Mat {
  rows: number;
  cols: number;
  a: Float64Array;
}

function mat(rows: number, cols: number): Mat {
  return { rows, cols, a: new Float64Array(rows * cols) };
}

function get(m: Mat, i: number, j: number): number {
  return m.a[i * m.cols + j] as number;
}

function set(m: Mat, i: number, j: number, v: number): void {
  m.a[i * m.cols + j] = v;
}

function mul(x: Mat, y: Mat): Mat {
  if (x.cols !== y.rows) throw new Error("dense-pls: shape mismatch in mul");
  const out = mat(x.rows, y.cols);
  for (let i = 0; i < x.rows; i++)
    for (let k = 0; k < x.cols; k++) {
      const xik = get(x, i, k);
      if (xik === 0) continue;
      for (let j = 0; j < y.cols; j++) out.a[i * out.cols + j] += xik * get(y, k, j);
    }
  return out;
}

function transpose(x: Mat): Mat {
  const out = mat(x.cols, x.rows);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) set(out, j, i, get(x, i, j));
  return out;
}

function sub(x: Mat, y: Mat): Mat {
  const out = mat(x.rows, x.cols);
  for (let i = 0; i < x.a.length; i++) out.a[i] = (x.a[i] as number) - (y.a[i] as number);
  return out;
}

/** Lower-triangular L with L Lᵀ = A (A symmetric positive definite). Throws when A is not. */
function cholesky(A: Mat): Mat {
  const n = A.rows;
  const L = mat(n, n);
  for (let j = 0; j < n; j++) {
    let d = get(A, j, j);
    for (let k = 0; k < j; k++) d -= get(L, j, k) ** 2;
    if (!(d > 0)) throw new Error(`dense-pls: matrix not positive definite at pivot ${j} (${d})`);
    const ljj = Math.sqrt(d);
    set(L, j, j, ljj);
    for (let i = j + 1; i < n; i++) {
      let s = get(A, i, j);
      for (let k = 0; k < j; k++) s -= get(L, i, k) * get(L, j, k);
      set(L, i, j, s / ljj);
    }
  }
  return L;
}

/** Inverse of a symmetric positive definite matrix through its Cholesky factor (column by column solves). */
function spdInverse(A: Mat): Mat {
  const n = A.rows;
  const L = cholesky(A);
  const inv = mat(n, n);
  const x = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    // L z = e_c
    for (let i = 0; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= get(L, i, k) * (x[k] as number);
      x[i] = s / get(L, i, i);
    }
    // Lᵀ x = z
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i] as number;
      for (let k = i + 1; k < n; k++) s -= get(L, k, i) * (x[k] as number);
      x[i] = s / get(L, i, i);
    }
    for (let i = 0; i < n; i++) set(inv, i, c, x[i] as number);
  }
  return inv;
}

/** Position of θ_i in Λ: term, row and column of the template (lme4's column-wise lower triangle). */
interface ThetaSlot {
  term: number;
  row: number;
  col: number;
}

export function createDenseEngine(designBuffers: DesignBuffers): PlsEngine {
  // A shallow copy, so that setResponse can replace y without touching the caller's object.
  const buffers: DesignBuffers = { ...designBuffers };
  const { n, p } = buffers;
  const offsets: number[] = [];
  let q = 0;
  for (const t of buffers.terms) {
    offsets.push(q);
    q += t.nlevels * t.p;
  }
  const slots: ThetaSlot[] = [];
  buffers.terms.forEach((t, term) => {
    for (let col = 0; col < t.p; col++) for (let row = col; row < t.p; row++) slots.push({ term, row, col });
  });

  // Z (n×q) and X (n×p) as dense row-major matrices, as given (raw) and with every row scaled by √wᵢ (the
  // weighted least-squares problem that the prior weights define, src/design/weights.ts).
  const Zraw = mat(n, q);
  buffers.terms.forEach((t, ti) => {
    for (let i = 0; i < n; i++) {
      const level = t.refs[i] as number;
      for (let j = 0; j < t.p; j++)
        set(Zraw, i, (offsets[ti] as number) + level * t.p + j, t.z[i * t.p + j] as number);
    }
  });
  const Xraw = mat(n, p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) set(Xraw, i, j, buffers.X[j * n + i] as number);
  let sqrtW = new Float64Array(n).fill(1);
  let logDetW = 0;
  const scaleRows = (m: Mat): Mat => {
    const out = mat(m.rows, m.cols);
    for (let i = 0; i < m.rows; i++)
      for (let j = 0; j < m.cols; j++) set(out, i, j, get(m, i, j) * sqrtW[i]!);
    return out;
  };
  let Z = Zraw;
  let X = Xraw;
  let y = mat(n, 1);
  const setY = (v: Float64Array) => {
    y = mat(n, 1);
    for (let i = 0; i < n; i++) y.a[i] = v[i]! * sqrtW[i]!;
  };
  const setW = (w: Float64Array | undefined) => {
    sqrtW = w ? w.map(Math.sqrt) : new Float64Array(n).fill(1);
    logDetW = w ? w.reduce((s, v) => (v > 0 ? s + Math.log(v) : s), 0) : 0;
    Z = scaleRows(Zraw);
    X = scaleRows(Xraw);
    setY(buffers.y);
  };
  setW(buffers.weights);

  function lambda(theta: Float64Array): Mat {
    if (theta.length !== slots.length)
      throw new Error(`dense-pls: θ has length ${theta.length}, expected ${slots.length}`);
    const L = mat(q, q);
    slots.forEach((s, k) => {
      const t = buffers.terms[s.term] as DesignBuffers["terms"][number];
      for (let level = 0; level < t.nlevels; level++) {
        const base = (offsets[s.term] as number) + level * t.p;
        set(L, base + s.row, base + s.col, theta[k] as number);
      }
    });
    return L;
  }

  /** D_k = ∂Λ/∂θ_k as the list of (row, col) positions holding a 1. */
  function dLambdaPositions(k: number): [number, number][] {
    const s = slots[k] as ThetaSlot;
    const t = buffers.terms[s.term] as DesignBuffers["terms"][number];
    const out: [number, number][] = [];
    for (let level = 0; level < t.nlevels; level++) {
      const base = (offsets[s.term] as number) + level * t.p;
      out.push([base + s.row, base + s.col]);
    }
    return out;
  }

  /** Everything about one θ: the factor of the augmented system and the quantities derived from it. */
  function evaluate(theta: Float64Array, reml: boolean) {
    const Lam = lambda(theta);
    const A = mul(Z, Lam); // ZΛ, n×q
    const m = q + p + 1;
    // The augmented cross-product matrix [ZΛ X y]ᵀ[ZΛ X y] with I added to the ZΛ block.
    const W = mat(n, m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < q; j++) set(W, i, j, get(A, i, j));
      for (let j = 0; j < p; j++) set(W, i, q + j, get(X, i, j));
      set(W, i, q + p, get(y, i, 0));
    }
    const big = mul(transpose(W), W);
    for (let j = 0; j < q; j++) set(big, j, j, get(big, j, j) + 1);
    const L = cholesky(big);
    let logDetM = 0;
    for (let j = 0; j < q; j++) logDetM += 2 * Math.log(get(L, j, j));
    let logDetS = 0;
    for (let j = q; j < q + p; j++) logDetS += 2 * Math.log(get(L, j, j));
    const r = get(L, m - 1, m - 1);
    const pwrss = r * r;
    const objective =
      (reml
        ? logDetM + logDetS + (n - p) * (1 + Math.log((2 * Math.PI * pwrss) / (n - p)))
        : logDetM + n * (1 + Math.log((2 * Math.PI * pwrss) / n))) - logDetW;
    // [u; β] solves L11ᵀ x = l_y where l_y is the last row of L without r.
    const sol = new Float64Array(q + p);
    for (let i = q + p - 1; i >= 0; i--) {
      let s = get(L, m - 1, i);
      for (let k = i + 1; k < q + p; k++) s -= get(L, k, i) * (sol[k] as number);
      sol[i] = s / get(L, i, i);
    }
    const u = sol.slice(0, q);
    const beta = sol.slice(q);
    const b = new Float64Array(q);
    for (let i = 0; i < q; i++) {
      let s = 0;
      for (let j = 0; j < q; j++) s += get(Lam, i, j) * (u[j] as number);
      b[i] = s;
    }
    const sigma = Math.sqrt(pwrss / (reml ? n - p : n));
    return { Lam, A, L, logDetM, logDetS, pwrss, objective, u, beta, b, sigma };
  }

  /** M = ΛᵀZᵀZΛ + I as a dense matrix. */
  function mMatrix(A: Mat): Mat {
    const M = mul(transpose(A), A);
    for (let j = 0; j < q; j++) set(M, j, j, get(M, j, j) + 1);
    return M;
  }

  /** S = XᵀX − XᵀZΛ M⁻¹ ΛᵀZᵀX. */
  function sMatrix(A: Mat, Minv: Mat): Mat {
    const AtX = mul(transpose(A), X);
    return sub(mul(transpose(X), X), mul(transpose(AtX), mul(Minv, AtX)));
  }

  const engine: PlsEngine = {
    buffers,
    nTheta: slots.length,
    setResponse(newY: Float64Array) {
      if (newY.length !== n) throw new Error(`dense-pls: response has length ${newY.length}, expected ${n}`);
      buffers.y = newY;
      setY(newY);
    },
    setWeights(w: Float64Array) {
      if (w.length !== n) throw new Error(`dense-pls: weights have length ${w.length}, expected ${n}`);
      buffers.weights = w;
      setW(w);
    },
    objective(theta, reml) {
      return evaluate(theta, reml).objective;
    },
    gradient(theta, reml, grad) {
      // docs/architecture.md, "The gradient", every matrix dense.
      const e = evaluate(theta, reml);
      const M = mMatrix(e.A);
      const Minv = spdInverse(M);
      const ZtZ = mul(transpose(Z), Z);
      // Residual ê = y − Xβ̂ − ZΛû and Zᵀê.
      const fit = mul(X, { rows: p, cols: 1, a: e.beta });
      const zfit = mul(e.A, { rows: q, cols: 1, a: e.u });
      const resid = mat(n, 1);
      for (let i = 0; i < n; i++) set(resid, i, 0, get(y, i, 0) - get(fit, i, 0) - get(zfit, i, 0));
      const Zte = mul(transpose(Z), resid);
      // G = M⁻¹ ΛᵀZᵀZ, so ∂log|M|/∂θ_k = 2 tr(G D_k) = 2 Σ_{(r,c) ∈ D_k} G[c, r].
      const G = mul(Minv, mul(transpose(e.Lam), ZtZ));
      // H = R S⁻¹ Cᵀ with R = M⁻¹ΛᵀZᵀX and C = ZᵀX − ZᵀZΛR, so ∂log|S|/∂θ_k = −2 Σ_{(r,c) ∈ D_k} H[c, r].
      let H: Mat | undefined;
      if (reml && p > 0) {
        const ZtX = mul(transpose(Z), X);
        const R = mul(Minv, mul(transpose(e.Lam), ZtX));
        const C = sub(ZtX, mul(ZtZ, mul(e.Lam, R)));
        const Sinv = spdInverse(sMatrix(e.A, Minv));
        H = mul(R, mul(Sinv, transpose(C)));
      }
      const dof = reml ? n - p : n;
      for (let k = 0; k < slots.length; k++) {
        let dLogM = 0;
        let dLogS = 0;
        let dR2 = 0;
        for (const [r, c] of dLambdaPositions(k)) {
          dLogM += 2 * get(G, c, r);
          if (H) dLogS -= 2 * get(H, c, r);
          dR2 -= 2 * get(Zte, r, 0) * (e.u[c] as number);
        }
        grad[k] = dLogM + dLogS + (dof / e.pwrss) * dR2;
      }
      return e.objective;
    },
    solve(theta, reml): PlsSolution {
      const e = evaluate(theta, reml);
      const Minv = spdInverse(mMatrix(e.A));
      const Sinv = p > 0 ? spdInverse(sMatrix(e.A, Minv)) : mat(0, 0);
      const vcovBeta = new Float64Array(p * p);
      for (let i = 0; i < p * p; i++) vcovBeta[i] = e.sigma * e.sigma * (Sinv.a[i] as number);
      return {
        theta: Float64Array.from(theta),
        reml,
        objective: e.objective,
        beta: e.beta,
        u: e.u,
        b: e.b,
        pwrss: e.pwrss,
        sigma: e.sigma,
        logDetM: e.logDetM,
        logDetS: e.logDetS,
        vcovBeta,
      };
    },
    condVar(theta, reml) {
      // σ̂² Λ M⁻¹ Λᵀ, then cut out each level's diagonal block.
      const e = evaluate(theta, reml);
      const Minv = spdInverse(mMatrix(e.A));
      const V = mul(e.Lam, mul(Minv, transpose(e.Lam)));
      const s2 = e.sigma * e.sigma;
      return buffers.terms.map((t, ti) => {
        const out = new Float64Array(t.nlevels * t.p * t.p);
        for (let level = 0; level < t.nlevels; level++) {
          const base = (offsets[ti] as number) + level * t.p;
          for (let i = 0; i < t.p; i++)
            for (let j = 0; j < t.p; j++)
              out[level * t.p * t.p + i * t.p + j] = s2 * get(V, base + i, base + j);
        }
        return out;
      });
    },
    dispose() {},
  };
  return engine;
}
