// The GLMM families and links the wasm PIRLS supports (src/glmm/family.ts and link.ts are the reference; the
// formulas and R's clamping are theirs): binomial with the logit and Poisson with the log link, the canonical
// ones. Probit (R's pnorm) and cloglog stay in TypeScript (the package's size budget: issue 16).

export const FAMILY_BINOMIAL: i32 = 0;
export const FAMILY_POISSON: i32 = 1;
export const LINK_LOGIT: i32 = 0;
export const LINK_LOG: i32 = 2;

const EPS: f64 = 2.220446049250313e-16;
const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;

/**
 * e^x to a few ulp without a table: the library's Math.exp carries a 2 KB lookup table into the module (the
 * package's size budget, issue 16). x = k ln 2 + r, |r| ≤ ln2/2, e^r by its Taylor series to r¹³ (truncation
 * below 1e-17 relative; reciprocals of the constants, not divisions), times 2^k.
 */
export function expTableFree(x: f64): f64 {
  if (isNaN(x)) return x;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0.0;
  const k = Math.floor(x * LOG2E + 0.5);
  const r = x - k * LN2_HI - k * LN2_LO;
  let p = 1.0 + r * (1.0 / 13.0);
  p = 1.0 + r * (1.0 / 12.0) * p;
  p = 1.0 + r * (1.0 / 11.0) * p;
  p = 1.0 + r * (1.0 / 10.0) * p;
  p = 1.0 + r * (1.0 / 9.0) * p;
  p = 1.0 + r * (1.0 / 8.0) * p;
  p = 1.0 + r * (1.0 / 7.0) * p;
  p = 1.0 + r * (1.0 / 6.0) * p;
  p = 1.0 + r * (1.0 / 5.0) * p;
  p = 1.0 + r * (1.0 / 4.0) * p;
  p = 1.0 + r * (1.0 / 3.0) * p;
  p = 1.0 + r * (1.0 / 2.0) * p;
  p = 1.0 + r * p;
  let ki = <i64>k;
  // 2^k as a double (normal range), in two factors for the subnormal results near the lower limit.
  if (ki < -1000) {
    p *= reinterpret<f64>(<i64>(1023 - 1000) << 52);
    ki += 1000;
  }
  return p * reinterpret<f64>((ki + 1023) << 52);
}
const LOGIT_THRESH: f64 = 30.0;

/** μ = g⁻¹(η), clamped as R clamps it. */
@inline export function linkInverse(link: i32, eta: f64): f64 {
  if (link == LINK_LOGIT) {
    if (eta < -LOGIT_THRESH) return EPS;
    if (eta > LOGIT_THRESH) return 1.0 - EPS;
    return 1.0 / (1.0 + expTableFree(-eta));
  }
  return Math.max(expTableFree(eta), EPS);
}

/** dμ/dη, never below ε. */
@inline export function muEta(link: i32, eta: f64): f64 {
  if (link == LINK_LOGIT) {
    if (eta > LOGIT_THRESH || eta < -LOGIT_THRESH) return EPS;
    const e = expTableFree(eta);
    return e / ((1.0 + e) * (1.0 + e));
  }
  return Math.max(expTableFree(eta), EPS);
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
