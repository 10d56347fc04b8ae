/**
 * The random-effects-space (Woodbury) computations of src/inference/ddf against the dense n×n formulas:
 * V = σ²(I + ZΛΛᵀZᵀ) formed and inverted, then ZᵀV⁻¹Z, ZᵀV⁻¹X, ZᵀWZ, and pbkrtest's vcovAdj_internal written
 * out as pbkrtest writes it (Σ⁻¹, G_rΣ⁻¹, P, Q, Ktrace, IE2, W, U), on small models (one term with a slope, two
 * nested terms).
 */
import { describe, expect, it } from "vitest";
import type { LinearMixedModel } from "../../../src/fit/model.js";
import { readCsv } from "../../../src/frame/csv.js";
import { kenwardRogerParts } from "../../../src/inference/ddf/kenward-roger.js";
import { marginalCovariance, termTemplates } from "../../../src/inference/ddf/marginal.js";
import { inverseSpd, matMul, solveOrGinv, transpose } from "../../../src/inference/ddf/matrix.js";
import { fixturesDir } from "../../support/fixtures.js";
import { fitModel, fixtureData } from "../fit-models.js";

interface Dense {
  n: number;
  q: number;
  p: number;
  Z: Float64Array; // n×q
  X: Float64Array; // n×p
  Vinv: Float64Array;
  G: Float64Array[]; // n×n each, random parameters then I
  s: number[];
}

function dense(model: LinearMixedModel): Dense {
  const { design } = model;
  const n = design.n;
  const p = model.p;
  let q = 0;
  const offsets = design.terms.map((t) => {
    const o = q;
    q += t.levels.length * t.columns.length;
    return o;
  });
  const Z = new Float64Array(n * q);
  design.terms.forEach((t, ti) => {
    const pt = t.columns.length;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < pt; j++)
        Z[i * q + (offsets[ti] as number) + (t.refs[i] as number) * pt + j] = t.z[i * pt + j] as number;
  });
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) X[i * p + j] = design.X[j * n + i] as number;
  const s2 = model.sigma ** 2;
  const G: Float64Array[] = [];
  const s: number[] = [];
  const templates = termTemplates(model);
  design.terms.forEach((t, ti) => {
    const pt = t.columns.length;
    const T = templates[ti] as Float64Array;
    for (let j = 0; j < pt; j++)
      for (let i = j; i < pt; i++) {
        let tt = 0;
        for (let c = 0; c < pt; c++) tt += (T[i * pt + c] as number) * (T[j * pt + c] as number);
        s.push(s2 * tt);
        const E = new Float64Array(q * q);
        for (let l = 0; l < t.levels.length; l++) {
          const b = (offsets[ti] as number) + l * pt;
          E[(b + i) * q + b + j] = 1;
          E[(b + j) * q + b + i] = 1;
        }
        G.push(matMul(matMul(Z, E, n, q, q), transpose(Z, n, q), n, q, n));
      }
  });
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  G.push(I);
  s.push(s2);
  const V = new Float64Array(n * n);
  G.forEach((g, r) => {
    for (let i = 0; i < n * n; i++) V[i] = (V[i] as number) + (s[r] as number) * (g[i] as number);
  });
  return { n, q, p, Z, X, Vinv: inverseSpd(V, n, "V"), G, s };
}

function expectClose(a: Float64Array, b: Float64Array, tol: number, what: string): void {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < a.length; i++)
    expect(Math.abs((a[i] as number) - (b[i] as number)) / scale, `${what}[${i}]`).toBeLessThan(tol);
}

function check(name: string, get: () => Promise<LinearMixedModel>) {
  describe(name, () => {
    it("ZᵀV⁻¹Z, ZᵀV⁻¹X, ZᵀWZ and Φ equal the dense n×n products", async () => {
      const model = await get();
      const d = dense(model);
      const mc = marginalCovariance(model);
      const { n, q, p, Z, X, Vinv } = d;
      const Zt = transpose(Z, n, q);
      const VZ = matMul(Vinv, Z, n, n, q);
      const VX = matMul(Vinv, X, n, n, p);
      expectClose(mc.A, matMul(Zt, VZ, q, n, q), 1e-9, "A");
      expectClose(mc.B, matMul(Zt, VX, q, n, p), 1e-9, "B");
      const Phi = inverseSpd(matMul(transpose(X, n, p), VX, p, n, p), p, "XᵀV⁻¹X");
      expectClose(mc.Phi, Phi, 1e-9, "Phi");
      expectClose(mc.Phi, model.solution.vcovBeta, 1e-7, "Phi vs the engine's vcov");
      // W = V⁻¹ − V⁻¹XΦXᵀV⁻¹.
      const W = Float64Array.from(Vinv);
      const corr = matMul(matMul(VX, Phi, n, p, p), transpose(VX, n, p), n, p, n);
      for (let i = 0; i < n * n; i++) W[i] = (W[i] as number) - (corr[i] as number);
      expectClose(mc.At, matMul(Zt, matMul(W, Z, n, n, q), q, n, q), 1e-9, "ZᵀWZ");
      // Wy = e/σ²: ZᵀWy.
      const Wy = matMul(W, model.design.y, n, n, 1);
      expectClose(mc.ue, matMul(Zt, Wy, q, n, 1), 1e-7, "ZᵀWy");
    });

    it("vcovAdj and W equal pbkrtest's dense algorithm", async () => {
      const model = await get();
      const d = dense(model);
      const { n, p, X, Vinv: SigmaInv, G } = d;
      const m = G.length;
      const Phi = model.solution.vcovBeta;
      const TT = matMul(SigmaInv, X, n, n, p);
      const HH = G.map((g) => matMul(g, SigmaInv, n, n, n));
      const OO = HH.map((h) => matMul(h, X, n, n, p));
      const PP = OO.map((o) => matMul(transpose(o, n, p), TT, p, n, p).map((v) => -v));
      const QQ = (r: number, s: number) =>
        matMul(
          matMul(transpose(OO[r] as Float64Array, n, p), SigmaInv, p, n, n),
          OO[s] as Float64Array,
          p,
          n,
          p,
        );
      const IE2 = new Float64Array(m * m);
      for (let r = 0; r < m; r++)
        for (let s = r; s < m; s++) {
          const Hr = HH[r] as Float64Array;
          const Hs = HH[s] as Float64Array;
          let ktrace = 0;
          for (let i = 0; i < n; i++)
            for (let j = 0; j < n; j++) ktrace += (Hr[j * n + i] as number) * (Hs[i * n + j] as number);
          const Q = QQ(r, s);
          let phiQ = 0;
          for (let i = 0; i < p * p; i++) phiQ += (Phi[i] as number) * (Q[i] as number);
          const a = matMul(Phi, PP[r] as Float64Array, p, p, p);
          const b = matMul(PP[s] as Float64Array, Phi, p, p, p);
          let pp = 0;
          for (let i = 0; i < p; i++)
            for (let j = 0; j < p; j++) pp += (a[i * p + j] as number) * (b[i * p + j] as number);
          IE2[r * m + s] = ktrace - 2 * phiQ + pp;
          IE2[s * m + r] = IE2[r * m + s] as number;
        }
      const WW = solveOrGinv(IE2, m).map((v) => 2 * v);
      const UU = new Float64Array(p * p);
      for (let r = 0; r < m; r++)
        for (let s = 0; s < m; s++) {
          const Q = r <= s ? QQ(r, s) : transpose(QQ(s, r), p, p);
          const PPhiP = matMul(matMul(PP[r] as Float64Array, Phi, p, p, p), PP[s] as Float64Array, p, p, p);
          for (let i = 0; i < p * p; i++)
            UU[i] = (UU[i] as number) + (WW[r * m + s] as number) * ((Q[i] as number) - (PPhiP[i] as number));
        }
      const PhiA = matMul(matMul(Phi, UU, p, p, p), Phi, p, p, p).map((v, i) => (Phi[i] as number) + 2 * v);
      const kr = kenwardRogerParts(model);
      expectClose(kr.W, WW, 1e-7, "W");
      expectClose(kr.vcovAdj, PhiA, 1e-7, "vcovAdj");
      kr.P.forEach((P, r) => {
        expectClose(P, PP[r] as Float64Array, 1e-7, `P${r}`);
      });
    });
  });
}

check("sleepstudy (Days|Subject)", () =>
  fitModel("Reaction ~ Days + (Days|Subject)", fixtureData("sleepstudy"), true),
);
check("oats, nested (1|B/V)", () =>
  fitModel("Y ~ N + V + (1|B/V)", readCsv(`${fixturesDir}/crossed/data/oats.csv`), true),
);
