/**
 * Power by simulation (R's simr: powerSim / powerCurve with `extend`): fit the model, set the tested coefficient
 * to the assumed effect, and for each sample size simulate responses from it, refit the model with and without
 * the tested coefficient by ML, and count the likelihood-ratio tests (χ²₁) that reject at `alpha`. Power is the
 * share of rejections among the replicates that succeeded, with its exact binomial (Clopper–Pearson) 95%
 * interval, as simr's binom.test.
 *
 * Sizes: with `along` (a grouping factor of the random effects) the design is extended to each number of groups
 * (./extend.ts: new groups copy existing groups' rows and get fresh random effects); without it the observed
 * design is used once. The simulation uses the fitted model's θ̂, σ̂ and β̂ (REML by default, as lme4 fits), the
 * tested β set to `effect`.
 *
 * Replicates are numbered across sizes: replicate g = s·nsim + i is replicate i of size s, and draws from stream
 * (seed, i): the same normals at every size (common random numbers, which keep the curve smooth), and the power
 * at one size does not depend on which other sizes were asked. Shards cut that numbering (./shard.ts).
 */

import { buildDesign } from "../design/build.js";
import { type Design, type DesignBuffers, designBuffers } from "../design/types.js";
import { modelSolution } from "../diagnostics/model.js";
import { clopperPearson } from "../distributions/beta.js";
import { chiSquareUpper } from "../distributions/chisq.js";
import { DataError, SpruceError } from "../errors.js";
import { fitMixed as fit } from "../fit/fit.js";
import type { LinearMixedModel } from "../fit/model.js";
import { type DataFrame, type DataInput, toDataFrame } from "../frame/frame.js";
import type { PoolResult } from "../parallel/pool.js";
import type { PowerJobSpec } from "../parallel/protocol.js";
import { checkSeed, randomSeed } from "../random/stream.js";
import type { BootstrapRunOptions, Failures } from "./bootstrap.js";
import { designHash } from "./data-hash.js";
import { extendAlong } from "./extend.js";
import { toMlFit } from "./models.js";
import { POWER_WIDTH } from "./power-job.js";
import { checkNsim } from "./simulate.js";

export type PowerMethod = "lrt" | "satterthwaite-when-available";

export interface PowerOptions extends Omit<BootstrapRunOptions, "nsim" | "onProgress"> {
  /** The fixed-effect coefficient tested, by its lme4 name ("treatozone", "x"). */
  test: string;
  /** The assumed value of that coefficient. */
  effect: number;
  /** Grouping factor along which the design is extended (simr's `along`). */
  along?: string;
  /** Numbers of levels of `along` (needs `along`); default the observed number. */
  sizes?: number[];
  /** Replicates per size (default 1000). */
  nsim?: number;
  /** Level of the tests (default 0.05). */
  alpha?: number;
  /** "lrt" (default) or "satterthwaite-when-available" (falls back to the LRT, saying so: the
   * replicate refits do not compute Satterthwaite's df yet). */
  method?: PowerMethod;
  /** Fit the model by REML (default, as lme4) or ML; the simulation uses that fit's estimates. */
  REML?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** One point of the power curve. */
export interface PowerPoint {
  /** Number of levels of `along` (null without `along`: the observed design). */
  size: number | null;
  /** Observations in the (extended) design. */
  nobs: number;
  nsim: number;
  /** Replicates whose refits succeeded (the binomial trials). */
  valid: number;
  rejections: number;
  /** rejections / valid. */
  power: number;
  /** Clopper–Pearson 95% interval of the power. */
  lower: number;
  upper: number;
  /** Failed replicates (their index i within the size, 0 ≤ i < nsim). */
  failures: Failures;
  nonConverged: number[];
}

export interface PowerResult {
  formula: string;
  test: string;
  effect: number;
  alpha: number;
  /** The test used ("lrt"); `requestedMethod` is what was asked. */
  method: "lrt";
  requestedMethod: PowerMethod;
  along: string | null;
  nsim: number;
  seed: number;
  REML: boolean;
  points: PowerPoint[];
  messages: string[];
  /** Replicates that finished (all sizes); < nsim × sizes only when stopped early or merged with --partial. */
  completed: number;
  partial: boolean;
  workers: number;
  elapsedMs: number;
}

/** Everything a power run knows before its replicates run. */
export interface PreparedPower {
  specs: PowerJobSpec[];
  sizes: (number | null)[];
  nobs: number[];
  /** The job description written in shard headers (formula, test, effect, sizes, alpha, method, REML). */
  job: Record<string, unknown>;
  /** The fit's estimates the simulation uses (shard headers' `fitted`). */
  fitted: Record<string, unknown>;
  dataHash: string;
  seed: number;
  nsim: number;
  method: PowerMethod;
  messages: string[];
}

const SATTERTHWAITE_FALLBACK =
  "Satterthwaite's t-test is not yet available inside power simulations (only for fitted models: summary({ ddf })): " +
  "the likelihood-ratio test (χ²₁) was used";

/** The messages a method adds to every report (the fallback of satterthwaite-when-available). */
export function methodMessages(method: PowerMethod): string[] {
  return method === "lrt" ? [] : [SATTERTHWAITE_FALLBACK];
}

function checkMethod(method: string): PowerMethod {
  if (method === "lrt" || method === "satterthwaite-when-available") return method;
  throw new SpruceError(`--method must be lrt or satterthwaite-when-available, got "${method}"`);
}

/** The design without fixed-effect column j (the null model of the test). */
function dropColumn(b: DesignBuffers, j: number): DesignBuffers {
  const X = new Float64Array(b.n * (b.p - 1));
  X.set(b.X.subarray(0, j * b.n), 0);
  X.set(b.X.subarray((j + 1) * b.n), j * b.n);
  return { ...b, p: b.p - 1, X };
}

function checkSizes(options: PowerOptions): (number | null)[] {
  if (options.sizes === undefined || options.sizes.length === 0) {
    if (options.sizes !== undefined) throw new SpruceError("--sizes: give at least one size");
    return [null];
  }
  if (options.along === undefined)
    throw new SpruceError("--sizes needs --along GROUP: the grouping factor whose number of levels changes");
  for (const s of options.sizes)
    if (!Number.isSafeInteger(s) || s < 2)
      throw new SpruceError(
        `--sizes: each size must be an integer ≥ 2 (levels of ${options.along}), got ${s}`,
      );
  if (new Set(options.sizes).size !== options.sizes.length)
    throw new SpruceError(`--sizes: each size once, got ${options.sizes.join(",")}`);
  return options.sizes;
}

/** The design at `size` levels of `along`; an error in it says which size caused it. */
function extendedDesign(
  formula: string,
  frame: DataFrame,
  design: Design,
  along: string,
  size: number,
): Design {
  const levels = design.terms.find((t) => t.group === along)?.levels.length;
  try {
    return buildDesign(formula, extendAlong(frame, design, along, size));
  } catch (error) {
    if (!(error instanceof SpruceError) || levels === undefined) throw error;
    const how =
      size < levels
        ? `the first ${size} of the ${levels} levels of ${along}`
        : `${size} levels of ${along} (copies of the ${levels} observed)`;
    throw new DataError(`--sizes ${size}: with ${how}: ${error.message}`);
  }
}

/** Fit the model and build the job of every size. */
export async function preparePower(
  formula: string,
  data: DataInput,
  options: PowerOptions,
): Promise<PreparedPower & { model: LinearMixedModel }> {
  const nsim = checkNsim(options.nsim ?? 1000);
  const seed = options.seed === undefined ? randomSeed() : checkSeed(options.seed);
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new SpruceError(`--alpha must lie in (0, 1), got ${alpha}`);
  if (!Number.isFinite(options.effect))
    throw new SpruceError(`--effect must be a finite number, got ${options.effect}`);
  const method = checkMethod(options.method ?? "lrt");
  const sizes = checkSizes(options);
  const REML = options.REML ?? true;
  const frame: DataFrame = toDataFrame(data);
  const model = await fit(formula, frame, { REML });
  const names = model.design.fixedNames;
  const j = names.indexOf(options.test);
  if (j < 0)
    throw new DataError(
      `--test ${options.test}: not a fixed-effect coefficient of the model (its coefficients: ${names.join(", ")})`,
    );
  if (names.length < 2)
    throw new DataError(`--test ${options.test}: the model has no other fixed effect to keep`);
  const s = modelSolution(model);
  const beta = Float64Array.from(s.beta);
  beta[j] = options.effect;
  const start = Float64Array.from(modelSolution(toMlFit(model).model).theta);
  const theta = Float64Array.from(s.theta);
  const specs: PowerJobSpec[] = [];
  const nobs: number[] = [];
  for (const size of sizes) {
    const design: Design =
      size === null
        ? model.design
        : extendedDesign(formula, frame, model.design, options.along as string, size);
    if (design.fixedNames.join("\u0000") !== names.join("\u0000"))
      throw new DataError(
        `with ${size} levels of ${options.along} the fixed effects are ${design.fixedNames.join(", ")}, not the model's ${names.join(", ")}: choose sizes that keep every level of the covariates`,
      );
    const buffers = designBuffers(design);
    specs.push({
      kind: "power",
      seed,
      alt: { buffers, theta, beta, sigma: s.sigma },
      nullBuffers: dropColumn(buffers, j),
      start,
    });
    nobs.push(design.n);
  }
  const job = {
    formula,
    test: options.test,
    effect: options.effect,
    along: options.along ?? null,
    sizes,
    alpha,
    method: "lrt",
    requestedMethod: method,
    REML,
  };
  const fitted = {
    theta: Array.from(theta),
    sigma: s.sigma,
    beta: Array.from(s.beta),
    start: Array.from(start),
    nobs,
  };
  return {
    model,
    specs,
    sizes,
    nobs,
    job,
    fitted,
    dataHash: await designHash([designBuffers(model.design)]),
    seed,
    nsim,
    method,
    messages: methodMessages(method),
  };
}

/**
 * The power curve from each size's replicates (runs[s]: values[i · POWER_WIDTH ..], status[i], failures by i).
 * The one report of `powerSimulation` and of merged power shards (./power-shard.ts).
 */
export function powerResult(
  prepared: Pick<PreparedPower, "job" | "sizes" | "nobs" | "seed" | "nsim" | "method" | "messages">,
  runs: PoolResult[],
  workers: number,
  elapsedMs: number,
): PowerResult {
  const { job, nsim } = prepared;
  const alpha = job.alpha as number;
  const messages = [...prepared.messages];
  let completed = 0;
  const points = runs.map((run, s): PowerPoint => {
    let valid = 0;
    let rejections = 0;
    const nonConverged: number[] = [];
    for (let i = 0; i < nsim; i++) {
      if (run.status[i] !== 1) continue;
      const t = run.values[i * POWER_WIDTH] as number;
      if (!Number.isFinite(t)) continue;
      valid++;
      if (chiSquareUpper(Math.max(0, t), 1) < alpha) rejections++;
      if (run.values[i * POWER_WIDTH + 3] !== 1) nonConverged.push(i);
    }
    completed += run.completed;
    const [lower, upper] = clopperPearson(rejections, valid);
    const size = prepared.sizes[s] ?? null;
    const at = size === null ? "" : ` at ${size} levels`;
    if (run.failures.length > 0) messages.push(`${run.failures.length} of ${nsim} replicates${at} failed`);
    if (nonConverged.length > 0)
      messages.push(
        `${nonConverged.length} replicates${at} did not fully converge (kept, as lme4 keeps them)`,
      );
    return {
      size,
      nobs: prepared.nobs[s] as number,
      nsim,
      valid,
      rejections,
      power: valid > 0 ? rejections / valid : Number.NaN,
      lower,
      upper,
      failures: {
        count: run.failures.length,
        indices: run.failures.map((f) => f.index),
        messages: run.failures.map((f) => f.message),
      },
      nonConverged,
    };
  });
  const partial = completed < nsim * runs.length;
  if (partial) messages.push(`stopped after ${completed} of ${nsim * runs.length} replicates`);
  return {
    formula: job.formula as string,
    test: job.test as string,
    effect: job.effect as number,
    alpha,
    method: "lrt",
    requestedMethod: prepared.method,
    along: (job.along as string | null) ?? null,
    nsim,
    seed: prepared.seed,
    REML: job.REML as boolean,
    points,
    messages,
    completed,
    partial,
    workers,
    elapsedMs,
  };
}

/** The JSON of `spruce power --json` (and of `spruce merge --json` on power shards). */
export function powerJson(r: PowerResult): Record<string, unknown> {
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    formula: r.formula,
    test: r.test,
    effect: r.effect,
    alpha: r.alpha,
    method: r.method,
    requestedMethod: r.requestedMethod,
    along: r.along,
    nsim: r.nsim,
    seed: r.seed,
    REML: r.REML,
    points: r.points.map((p) => ({
      ...p,
      power: finite(p.power),
      lower: finite(p.lower),
      upper: finite(p.upper),
    })),
    messages: r.messages,
    completed: r.completed,
    partial: r.partial,
    workers: r.workers,
    elapsedMs: r.elapsedMs,
  };
}
