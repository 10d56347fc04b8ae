/**
 * The GLMM families (R's binomial() and poisson()): variance function, deviance residuals, the conditional
 * log-likelihood that lme4's Laplace criterion uses (R's family$aic), the starting μ (family$initialize), the
 * support check of the response, and simulation.
 *
 * Binomial responses are proportions y ∈ [0, 1] with prior weights = numbers of trials (R's convention: 0/1
 * responses have weight 1, cbind(s, f) becomes y = s/(s+f) with weight s+f).
 */

import { logGamma } from "../distributions/gamma.js";
import { DataError, ModelError } from "../errors.js";
import type { RandomStream } from "../random/stream.js";
import { type Link, linkByName } from "./link.js";

export type FamilyName = "binomial" | "poisson";

export interface Family {
  readonly name: FamilyName;
  readonly link: Link;
  variance(mu: number): number;
  /** Deviance residual squared, dᵢ = 2 wᵢ (log f(y|μ=y) − log f(y|μ)). */
  devResid(y: number, mu: number, wt: number): number;
  /**
   * log f(y | μ) of one observation with prior weight wt (a binomial's wt is its number of trials), without the
   * μ-free logNormaliser.
   */
  logDensity(y: number, mu: number, wt: number): number;
  /** The part of logDensity that does not depend on μ (log binomial coefficient, −log y!): computed once per fit. */
  logNormaliser(y: number, wt: number): number;
  /** Starting μ (R's family$initialize mustart). */
  start(y: number, wt: number): number;
  /** Throws a DataError naming the row (1-based data row) when y is outside the support. */
  check(y: number, wt: number, row: number, response: string): void;
  /** One draw of y given μ (same scale as the response: a proportion for the binomial). */
  draw(mu: number, wt: number, rng: RandomStream): number;
}

const FAMILY_LINKS: Record<FamilyName, { default: string; allowed: string[] }> = {
  binomial: { default: "logit", allowed: ["logit", "probit", "cloglog"] },
  poisson: { default: "log", allowed: ["log"] },
};

/** y log(y/μ), 0 at y = 0. */
function ylogy(y: number, mu: number): number {
  return y > 0 ? y * Math.log(y / mu) : 0;
}

function isWhole(x: number): boolean {
  return Math.abs(x - Math.round(x)) < 1e-7 * Math.max(1, Math.abs(x));
}

function makeBinomial(link: Link): Family {
  return {
    name: "binomial",
    link,
    variance: (mu) => mu * (1 - mu),
    devResid: (y, mu, wt) => 2 * wt * (ylogy(y, mu) + ylogy(1 - y, 1 - mu)),
    logDensity: (y, mu, wt) => {
      if (wt <= 0) return 0;
      const m = Math.round(wt);
      const k = Math.round(wt * y);
      return (k > 0 ? k * Math.log(mu) : 0) + (m - k > 0 ? (m - k) * Math.log(1 - mu) : 0);
    },
    logNormaliser: (y, wt) => {
      if (wt <= 0) return 0;
      const m = Math.round(wt);
      const k = Math.round(wt * y);
      return logGamma(m + 1) - logGamma(k + 1) - logGamma(m - k + 1);
    },
    start: (y, wt) => (wt * y + 0.5) / (wt + 1),
    check: (y, wt, row, response) => {
      if (!(y >= 0 && y <= 1))
        throw new DataError(
          `row ${row}: the binomial response '${response}' is ${y}, outside [0, 1] (a proportion, a 0/1 value or cbind(successes, failures) with counts ≥ 0)`,
        );
      if (!isWhole(wt * y) || !isWhole(wt))
        throw new DataError(
          `row ${row}: the binomial response '${response}' is not a whole number of successes out of a whole number of trials (${wt * y} of ${wt})`,
        );
    },
    draw: (mu, wt, rng) => {
      const m = Math.round(wt);
      if (m <= 0) return 0;
      let k = 0;
      for (let i = 0; i < m; i++) if (rng.nextUniform() < mu) k++;
      return k / m;
    },
  };
}

function makePoisson(link: Link): Family {
  return {
    name: "poisson",
    link,
    variance: (mu) => mu,
    devResid: (y, mu, wt) => 2 * wt * (ylogy(y, mu) - (y - mu)),
    logDensity: (y, mu, wt) => wt * ((y > 0 ? y * Math.log(mu) : 0) - mu),
    logNormaliser: (y, wt) => -wt * logGamma(y + 1),
    start: (y) => y + 0.1,
    check: (y, _wt, row, response) => {
      if (!(y >= 0) || !isWhole(y))
        throw new DataError(
          `row ${row}: the Poisson response '${response}' is ${y}, not a count (a whole number ≥ 0)`,
        );
    },
    draw: (mu, _wt, rng) => {
      if (!(mu <= POISSON_MAX_MEAN)) throw new ModelError(`cannot simulate a Poisson count with mean ${mu}`);
      // Above 700, e^−μ underflows: a Poisson(μ) count is the sum of m independent Poisson(μ/m) counts (exact).
      if (mu > 700) {
        const m = Math.ceil(mu / 500);
        let k = 0;
        for (let j = 0; j < m; j++) k += poissonInversion(mu / m, rng);
        return k;
      }
      return poissonInversion(mu, rng);
    },
  };
}

/** Largest Poisson mean simulated (the draw costs O(μ)); a model predicting more is an error, not a hang. */
const POISSON_MAX_MEAN = 1e6;

/** One Poisson(μ) draw, μ ≤ 700, by inversion (sequential search): exact, O(μ). */
function poissonInversion(mu: number, rng: RandomStream): number {
  const u = rng.nextUniform();
  let k = 0;
  let p = Math.exp(-mu);
  let cdf = p;
  while (u > cdf && k < 100000) {
    k++;
    p *= mu / k;
    cdf += p;
    if (p === 0 && cdf < u) break;
  }
  return k;
}

/** Resolve a family name and link as R's binomial(link = …) would, limited to what spruce implements. */
export function makeFamily(name: string, link?: string): Family {
  const spec = (FAMILY_LINKS as Record<string, { default: string; allowed: string[] } | undefined>)[name];
  if (!spec)
    throw new ModelError(
      `family '${name}' is not available for GLMMs (spruce has: binomial, poisson; gaussian is a linear mixed model)`,
    );
  const linkName = link ?? spec.default;
  if (!spec.allowed.includes(linkName))
    throw new ModelError(
      `link '${linkName}' is not available for the ${name} family (spruce has: ${spec.allowed.join(", ")})`,
    );
  const l = linkByName(linkName);
  return name === "binomial" ? makeBinomial(l) : makePoisson(l);
}
