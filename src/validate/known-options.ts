/**
 * The options each public function knows, with their checkers (./options.ts). Add a new option here, beside the
 * function's other options; an option missing from its table is rejected as unknown.
 */

import { MAX_NSIM_DEFAULT } from "./limits.js";
import {
  type Checker,
  isAbortSignal,
  isAnything,
  isBoolean,
  isFunction,
  isInteger,
  isNumberArray,
  isNumberBetween,
  isObject,
  isOneOf,
  isStringArray,
} from "./options.js";

function isWeights(v: unknown): string | null {
  return typeof v === "string" || isNumberArray()(v) === null ? null : "a column name or an array of numbers";
}

function isString(v: unknown): string | null {
  return typeof v === "string" ? null : "a string";
}

/** lme4's family argument: a name, or { name, link }. */
function isFamily(v: unknown): string | null {
  if (typeof v === "string") return null;
  if (typeof v === "object" && v !== null && typeof (v as { name?: unknown }).name === "string") return null;
  return 'a family name ("binomial", "poisson", "gaussian") or { name, link }';
}

/** Contrasts per factor: { factor: "contr.sum" | ... } (the kinds are checked against the factors when fitting). */
function isContrasts(v: unknown): string | null {
  return typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((k) => typeof k === "string")
    ? null
    : 'an object of contrasts per factor, e.g. { treat: "contr.sum" }';
}

/** Ordered factors per column: { dose: ["low", "mid", "high"] } or { dose: true } (checked against the data when fitting). */
function isOrdered(v: unknown): string | null {
  return typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every(
      (k) =>
        k === true ||
        (Array.isArray(k) &&
          k.every((l) => typeof l === "string" || (typeof l === "number" && Number.isFinite(l)))),
    )
    ? null
    : 'an object of ordered levels per column, e.g. { dose: ["low", "mid", "high"] } or { dose: true }';
}

export const FIT_OPTIONS: Readonly<Record<string, Checker>> = {
  REML: isBoolean,
  start: isNumberArray(),
  newData: isFunction,
  engine: isAnything,
  dropNaN: isBoolean,
  onProgress: isFunction,
  maxDenseBlock: isInteger(1),
  maxTheta: isInteger(1),
  weights: isWeights,
  family: isFamily,
  link: isString,
  nAGQ: isInteger(0, 100),
  contrasts: isContrasts,
  ordered: isOrdered,
};

/** fit() of a formula without random-effects terms (R's lm): the mixed-model options are unknown there. */
export const LM_FIT_OPTIONS: Readonly<Record<string, Checker>> = {
  REML: isBoolean,
  contrasts: isContrasts,
  ordered: isOrdered,
};

/**
 * fit() with a GLMM family (src/glmm/dispatch.ts): the LMM-only options are unknown there; REML, start and engine
 * are known so that the GLMM dispatch can say why they do not apply.
 */
export const GLMM_FIT_OPTIONS: Readonly<Record<string, Checker>> = {
  family: isFamily,
  link: isString,
  nAGQ: isInteger(0, 100),
  weights: isWeights,
  REML: isAnything,
  start: isAnything,
  engine: isAnything,
};

export const BOOTSTRAP_OPTIONS: Readonly<Record<string, Checker>> = {
  nsim: isInteger(1),
  seed: isInteger(-2147483647, 2 ** 53 - 1),
  workers: isInteger(0),
  onProgress: isFunction,
  signal: isAbortSignal,
  batchSize: isInteger(1),
  workerFactory: isFunction,
  pool: isObject,
  faults: isObject,
  maxNsim: isInteger(1),
  forceWorkers: isBoolean,
  rng: isOneOf("philox", "r"),
  rSeedPerReplicate: isInteger(-2147483647, 2147483647),
};

export const PARAMETER_BOOTSTRAP_OPTIONS: Readonly<Record<string, Checker>> = {
  ...BOOTSTRAP_OPTIONS,
  level: isNumberBetween(0, 1),
};

export const CONFINT_OPTIONS: Readonly<Record<string, Checker>> = {
  method: isOneOf("profile", "wald", "boot"),
  level: isNumberBetween(0, 1),
  nsim: isInteger(1),
  seed: isInteger(0, 2 ** 53 - 1),
  workers: isInteger(0),
  engineFactory: isFunction,
  replicates: (v) => (Array.isArray(v) ? null : "an array of replicates"),
};

export const SIMULATE_OPTIONS: Readonly<Record<string, Checker>> = {
  nsim: isInteger(1, MAX_NSIM_DEFAULT),
  // R's set.seed takes negative integers too (rng "r"); Philox seeds are checked where they are used.
  seed: isInteger(-2147483647, 2 ** 53 - 1),
  rng: isOneOf("philox", "r"),
};

export const PREDICT_OPTIONS: Readonly<Record<string, Checker>> = {
  random: isBoolean,
  allowNewLevels: isBoolean,
};

export const ANOVA_OPTIONS: Readonly<Record<string, Checker>> = {
  names: isStringArray(),
};
