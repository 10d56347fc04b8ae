/**
 * Link functions of the GLMM families: η = g(μ), μ = g⁻¹(η) and dμ/dη, with R's clamping (src/library/stats/
 * src/family.c and make.link) so that μ stays inside the open support and dμ/dη away from 0 however far PIRLS
 * pushes η (quasi-separation drives η of a binomial model towards ±∞).
 */

import { dnorm, normalCdf, qnorm } from "../distributions/normal.js";
import { ModelError } from "../errors.js";

export type LinkName = "logit" | "probit" | "cloglog" | "log";

export interface Link {
  readonly name: LinkName;
  /** η = g(μ). */
  link(mu: number): number;
  /** μ = g⁻¹(η), clamped as R clamps it. */
  inverse(eta: number): number;
  /** dμ/dη at η (never below DBL_EPSILON). */
  muEta(eta: number): number;
}

const EPS = 2.220446049250313e-16;
/** R's logit threshold: beyond ±30 the logistic is 1 − ε or ε to double precision. */
const LOGIT_THRESH = 30;
/** R's probit threshold −qnorm(ε). */
const PROBIT_THRESH = 8.125890664701906;

const logit: Link = {
  name: "logit",
  link: (mu) => Math.log(mu / (1 - mu)),
  inverse: (eta) => (eta < -LOGIT_THRESH ? EPS : eta > LOGIT_THRESH ? 1 - EPS : 1 / (1 + Math.exp(-eta))),
  muEta: (eta) => {
    if (eta > LOGIT_THRESH || eta < -LOGIT_THRESH) return EPS;
    const e = Math.exp(eta);
    return e / ((1 + e) * (1 + e));
  },
};

const probit: Link = {
  name: "probit",
  link: (mu) => qnorm(mu),
  inverse: (eta) => normalCdf(Math.min(Math.max(eta, -PROBIT_THRESH), PROBIT_THRESH)),
  muEta: (eta) => Math.max(dnorm(eta), EPS),
};

const cloglog: Link = {
  name: "cloglog",
  link: (mu) => Math.log(-Math.log1p(-mu)),
  inverse: (eta) => Math.max(Math.min(-Math.expm1(-Math.exp(eta)), 1 - EPS), EPS),
  muEta: (eta) => {
    const e = Math.exp(Math.min(eta, 700));
    return Math.max(e * Math.exp(-e), EPS);
  },
};

const log: Link = {
  name: "log",
  link: (mu) => Math.log(mu),
  inverse: (eta) => Math.max(Math.exp(eta), EPS),
  muEta: (eta) => Math.max(Math.exp(eta), EPS),
};

const LINKS: Record<LinkName, Link> = { logit, probit, cloglog, log };

export function linkByName(name: string): Link {
  const l = (LINKS as Record<string, Link | undefined>)[name];
  if (!l)
    throw new ModelError(`unknown link '${name}' (spruce's GLMM links: ${Object.keys(LINKS).join(", ")})`);
  return l;
}
