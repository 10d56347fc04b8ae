/**
 * Adaptive Gauss–Hermite quadrature for a GLMM with a single scalar random-effects term (lme4's glmerAGQ in
 * src/external.cpp; MixedModels.jl's deviance(m, nAGQ)). With one scalar term the conditional distribution of
 * the random effects factorises over the levels, so the integral is a product of one-dimensional integrals, each
 * centred at the conditional mode uᵢ and scaled by sdᵢ = 1/Lᵢᵢ (Lᵢᵢ² = 1 + θ² Σⱼ wⱼ zⱼ²):
 *
 *   deviance = Σᵢ devc0ᵢ + log|L|² − 2 Σᵢ log Σₖ wₖ exp(zₖ²/2 − (devcᵢ(uᵢ + zₖ sdᵢ) − devc0ᵢ)/2),
 *
 * devcᵢ(u) = u² + Σ_{j in level i} deviance residualⱼ. As lme4, this uses deviance residuals, so it leaves out
 * the saturated model's log-likelihood (lme4 issues #161, #567): the logLik of an nAGQ > 1 fit is on that scale.
 */
import type { GlmmData, PirlsState } from "./pirls.js";

/**
 * Gauss–Hermite rule for the standard normal density: nodes z and weights w with Σ w f(z) ≈ ∫ f(z) φ(z) dz
 * (lme4's GHrule). Newton's method on the orthonormal Hermite polynomials (Numerical Recipes' gauher), then
 * rescaled from e^{−x²} to φ.
 */
export function gaussHermite(n: number): { z: Float64Array; w: Float64Array } {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  const PIM4 = Math.PI ** -0.25;
  const m = Math.floor((n + 1) / 2);
  let z = 0;
  for (let i = 1; i <= m; i++) {
    if (i === 1) z = Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** -0.16667;
    else if (i === 2) z -= (1.14 * n ** 0.426) / z;
    else if (i === 3) z = 1.86 * z - 0.86 * (x[0] as number);
    else if (i === 4) z = 1.91 * z - 0.91 * (x[1] as number);
    else z = 2 * z - (x[i - 3] as number);
    let pp = 0;
    for (let it = 0; it < 100; it++) {
      let p1 = PIM4;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    x[i - 1] = z;
    x[n - i] = -z;
    w[i - 1] = 2 / (pp * pp);
    w[n - i] = w[i - 1] as number;
  }
  const sqrtPi = Math.sqrt(Math.PI);
  const zs = Float64Array.from(x, (v) => (Math.abs(v) < 1e-13 ? 0 : v * Math.SQRT2));
  // Nodes in increasing order.
  zs.reverse();
  const ws = Float64Array.from(w, (v) => v / sqrtPi).reverse();
  return { z: zs, w: ws };
}

/** Per level: u² + Σ deviance residuals of that level's observations. */
function devcByLevel(data: GlmmData, refs: Int32Array, u: Float64Array, mu: ArrayLike<number>): Float64Array {
  const out = new Float64Array(u.length);
  for (let l = 0; l < u.length; l++) out[l] = (u[l] as number) * (u[l] as number);
  for (let i = 0; i < data.n; i++) {
    const l = refs[i] as number;
    out[l] =
      (out[l] as number) + data.family.devResid(data.y[i] as number, mu[i] as number, data.pw[i] as number);
  }
  return out;
}

/** The AGQ deviance at the PIRLS state s (u-only PIRLS at (θ, β)) with an nAGQ-point rule. */
export function agqDeviance(
  data: GlmmData,
  s: PirlsState,
  rule: { z: Float64Array; w: Float64Array },
): number {
  const term = data.terms[0] as GlmmData["terms"][number];
  const refs = term.refs;
  const zcol = term.z;
  const theta = s.theta[0] as number;
  const q = term.nlevels;
  const L2 = new Float64Array(q).fill(1);
  for (let i = 0; i < data.n; i++) {
    const l = refs[i] as number;
    L2[l] = (L2[l] as number) + theta * theta * (s.weights[i] as number) * (zcol[i] as number) ** 2;
  }
  const sd = Float64Array.from(L2, (v) => 1 / Math.sqrt(v));
  const devc0 = devcByLevel(data, refs, s.u, s.mu);
  const mult = new Float64Array(q);
  const mu = new Float64Array(data.n);
  const uk = new Float64Array(q);
  const link = data.family.link;
  for (let k = 0; k < rule.z.length; k++) {
    const zk = rule.z[k] as number;
    const wk = rule.w[k] as number;
    if (zk === 0) {
      for (let l = 0; l < q; l++) mult[l] = (mult[l] as number) + wk;
      continue;
    }
    for (let l = 0; l < q; l++) uk[l] = (s.u[l] as number) + zk * (sd[l] as number);
    for (let i = 0; i < data.n; i++) {
      const l = refs[i] as number;
      mu[i] = link.inverse((s.eta[i] as number) + theta * (zcol[i] as number) * zk * (sd[l] as number));
    }
    const devc = devcByLevel(data, refs, uk, mu);
    for (let l = 0; l < q; l++)
      mult[l] =
        (mult[l] as number) + wk * Math.exp((zk * zk) / 2 - ((devc[l] as number) - (devc0[l] as number)) / 2);
  }
  let total = 0;
  for (let l = 0; l < q; l++)
    total += (devc0[l] as number) + Math.log(L2[l] as number) - 2 * Math.log(mult[l] as number);
  return total;
}
