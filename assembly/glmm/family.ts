// The GLMM families and links the wasm PIRLS supports (src/glmm/family.ts and link.ts are the reference; the
// formulas and R's clamping are theirs): binomial (logit, cloglog) and Poisson (log). Probit stays in TypeScript
// (it needs R's pnorm).

export const FAMILY_BINOMIAL: i32 = 0;
export const FAMILY_POISSON: i32 = 1;
export const LINK_LOGIT: i32 = 0;
export const LINK_CLOGLOG: i32 = 1;
export const LINK_LOG: i32 = 2;

const EPS: f64 = 2.220446049250313e-16;
const LOGIT_THRESH: f64 = 30.0;

/** μ = g⁻¹(η), clamped as R clamps it. */
@inline export function linkInverse(link: i32, eta: f64): f64 {
  if (link == LINK_LOGIT) {
    if (eta < -LOGIT_THRESH) return EPS;
    if (eta > LOGIT_THRESH) return 1.0 - EPS;
    return 1.0 / (1.0 + Math.exp(-eta));
  }
  if (link == LINK_CLOGLOG) return Math.max(Math.min(-Math.expm1(-Math.exp(eta)), 1.0 - EPS), EPS);
  return Math.max(Math.exp(eta), EPS);
}

/** dμ/dη, never below ε. */
@inline export function muEta(link: i32, eta: f64): f64 {
  if (link == LINK_LOGIT) {
    if (eta > LOGIT_THRESH || eta < -LOGIT_THRESH) return EPS;
    const e = Math.exp(eta);
    return e / ((1.0 + e) * (1.0 + e));
  }
  if (link == LINK_CLOGLOG) {
    const e = Math.exp(Math.min(eta, 700.0));
    return Math.max(e * Math.exp(-e), EPS);
  }
  return Math.max(Math.exp(eta), EPS);
}

@inline export function variance(family: i32, mu: f64): f64 {
  return family == FAMILY_BINOMIAL ? mu * (1.0 - mu) : mu;
}

@inline function ylogy(y: f64, mu: f64): f64 {
  return y > 0.0 ? y * Math.log(y / mu) : 0.0;
}

/** Deviance residual dᵢ = 2 wt (log f(y|y) − log f(y|μ)). */
@inline export function devResid(family: i32, y: f64, mu: f64, wt: f64): f64 {
  if (family == FAMILY_BINOMIAL) return 2.0 * wt * (ylogy(y, mu) + ylogy(1.0 - y, 1.0 - mu));
  return 2.0 * wt * (ylogy(y, mu) - (y - mu));
}

/** d(working weight)/dη for the canonical links (logit binomial, log Poisson): W = pw μ(1−μ) or pw μ. */
@inline export function weightSlope(family: i32, mu: f64, wt: f64): f64 {
  if (family == FAMILY_BINOMIAL) return wt * mu * (1.0 - mu) * (1.0 - 2.0 * mu);
  return wt * mu;
}
