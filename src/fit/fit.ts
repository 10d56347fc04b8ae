/**
 * Fitting: optimise θ for a design with a PLS engine, then collect the results into a LinearMixedModel.
 */
import { buildDesign } from "../design/build.js";
import type { ContrastKind } from "../design/model-matrix.js";
import type { OrderedLevels } from "../design/ordered.js";
import {
  type Design,
  type DesignBuffers,
  designBuffers,
  thetaLowerBounds,
  thetaStart,
} from "../design/types.js";
import { ModelError } from "../errors.js";
import { analyzeFormula } from "../formula/model.js";
import { type DataInput, toDataFrame } from "../frame/frame.js";
import { fitGlmmFromOptions, type GlmmFitOptions, isGlmmRequest } from "../glmm/dispatch.js";
import type { GeneralizedLinearMixedModel } from "../glmm/model.js";
import { fitLinearModel } from "../lm/fit.js";
import type { LinearModel } from "../lm/model.js";
import { FIT_OPTIONS, GLMM_FIT_OPTIONS, LM_FIT_OPTIONS } from "../validate/known-options.js";
import { checkArgument, checkOptions, isData, isFormula } from "../validate/options.js";
import { projectedGradientNorm } from "./bfgs.js";
import { denseBlockOrder, LARGE_DENSE_BLOCK } from "./blocked-layout.js";
import { SINGULAR_TOLERANCE } from "./constants.js";
import type { PlsEngine, PlsSolution } from "./engine.js";
import { startFitTeam } from "./kernel-team-instance.js";
import {
  LinearMixedModel,
  type LinearMixedModel as Model,
  type NewDataBuilder,
  type OptimizerReport,
  SINGULAR_MESSAGE,
} from "./model.js";
import { RELEASE_AFTER_FIT_BYTES, type ReleasableEngine, releasableEngine } from "./releasable-engine.js";
import {
  createReducedEngine,
  createReducedEngineAsync,
  ensureReducedEngine,
  innerEngine,
} from "./response-reduction.js";
import { momentStart } from "./start.js";
import { chooseTrailing } from "./trailing-choice.js";
import { createEngine, createEngineOn, evaluationContext, sharedKernels } from "./wasm-engine.js";
import { minimizeLeavingZeroSaddles, NEAR_ZERO } from "./zero-saddle.js";

export interface FitDesignOptions {
  /** REML (default, as lme4) or maximum likelihood. */
  REML?: boolean;
  /** Starting θ (lme4's order); default lme4's: 1 on the diagonal, 0 elsewhere. */
  start?: ArrayLike<number>;
  /** Builder of model matrices for new data, used by predict(newdata). */
  newData?: NewDataBuilder;
  /** Called after each evaluation of the objective (long fits): the count so far and the objective's value. */
  onProgress?: (evaluations: number, objective: number) => void;
}

export interface FitOptions extends FitDesignOptions {
  /**
   * Prior weights, lme4's `weights =`: a numeric column's name or one number per data row (finite, ≥ 0).
   * Observation i then has residual variance σ²/wᵢ (src/design/weights.ts).
   */
  weights?: string | ArrayLike<number>;
  /** Contrasts per factor of the fixed effects (R's contrasts = list(f = "contr.sum")); default contr.treatment. */
  contrasts?: Record<string, ContrastKind>;
  /**
   * Ordered factors per data column, as R's `d$dose <- ordered(d$dose, levels = ...)`: the levels in order
   * (`{ dose: ["low", "mid", "high"] }`) or true for the sorted levels. They get contr.poly (columns .L, .Q, .C, ^4)
   * unless `contrasts` names them (src/design/ordered.ts). In the formula: ordered(x), factor(x, ordered = TRUE).
   */
  ordered?: OrderedLevels;
  /** The PLS engine (or a factory for one); default the wasm blocked-Cholesky engine. Tests inject the dense one. */
  engine?: PlsEngine | ((buffers: DesignBuffers) => PlsEngine);
  /** Drop rows where a transform such as log(x) gives NaN (default: an error naming the term; CLI --drop-nan). */
  dropNaN?: boolean;
  /** Refuse models whose dense block is larger than this order (default 4000; CLI --max-dense-block). */
  maxDenseBlock?: number;
  /** Refuse models with more covariance parameters θ than this (default 1000; CLI --max-theta). */
  maxTheta?: number;
}

/**
 * What fit() returns for a formula: a mixed model when the formula (as a literal type) has a random-effects bar,
 * a linear model (R's lm) when it has none, and either when the formula is only known at run time.
 */
export type FitResult<F extends string> = string extends F
  ? LinearMixedModel | LinearModel
  : F extends `${string}|${string}`
    ? LinearMixedModel
    : LinearModel;

/**
 * Fit a model as lme4 and R would: a linear mixed model as lmer(formula, data, REML) (REML by default); with a
 * `family` other than gaussian, a GLMM as glmer (src/glmm/); a formula without random-effects terms as R's lm
 * (src/lm/: QR least squares; REML and the engine do not apply).
 */
export async function fit<F extends string>(
  formula: F,
  data: DataInput,
  options?: FitOptions & { family?: "gaussian" | { name: "gaussian" } },
): Promise<FitResult<F>>;
export async function fit(
  formula: string,
  data: DataInput,
  options: Omit<FitOptions, "engine" | "REML" | "start"> & GlmmFitOptions,
): Promise<GeneralizedLinearMixedModel>;
export async function fit(
  formula: string,
  data: DataInput,
  options: FitOptions & Partial<GlmmFitOptions> = {},
): Promise<LinearMixedModel | LinearModel | GeneralizedLinearMixedModel> {
  checkArgument("fit", "formula", formula, isFormula);
  checkArgument("fit", "data", data, isData);
  checkOptions("fit", options, FIT_OPTIONS);
  if (isGlmmRequest(options)) {
    // The LMM-only options (dropNaN, onProgress, size limits, newData) are not GLMM options: unknown there.
    checkOptions("fit (GLMM)", options, GLMM_FIT_OPTIONS);
    return fitGlmmFromOptions(formula, data, options);
  }
  const frame = toDataFrame(data);
  if (analyzeFormula(formula, { columns: frame.names }).random.length === 0) {
    checkOptions("fit (a linear model: no random-effects term)", options, LM_FIT_OPTIONS);
    return fitLinearModel(formula, frame, {
      ...(options.contrasts ? { contrasts: options.contrasts } : {}),
      ...(options.ordered ? { ordered: options.ordered } : {}),
    });
  }
  return fitMixed(formula, frame, options);
}

/** fit() for a formula with random-effects terms (an error for one without). */
export async function fitMixed(
  formula: string,
  data: DataInput,
  options: FitOptions = {},
): Promise<LinearMixedModel> {
  checkArgument("fit", "formula", formula, isFormula);
  checkArgument("fit", "data", data, isData);
  checkOptions("fit", options, FIT_OPTIONS);
  const design = buildDesign(formula, data, {
    ...(options.weights === undefined ? {} : { weights: options.weights }),
    ...(options.dropNaN === true ? { dropNaN: true } : {}),
    ...(options.contrasts ? { contrasts: options.contrasts } : {}),
    ...(options.ordered ? { ordered: options.ordered } : {}),
  });
  const buffers = designBuffers(design);
  // The size up front: a model that would take hours is refused with its size, before any work. A large block's
  // factor is chosen here (./trailing-choice.ts): one that factors dense gets a helper thread, which shares the
  // dense kernels (./kernel-team-instance.ts), started first so that it comes up while the engine is built and
  // leaving on its own once idle.
  const choice = chooseTrailing(await sharedKernels(), buffers, options, options.engine !== undefined);
  const team = choice.wantsTeam ? await startFitTeam(buffers) : null;
  // The engine fits y − Xβ₀ (./response-reduction.ts): exact whatever constant the response carries. A large one
  // gives its wasm memory back once the fit is done, and is made again when the model needs it
  // (./releasable-engine.ts): so that fitting such a model again in the same process finds the memory free.
  let releasable: ReleasableEngine | null = null;
  const engineOptions = {
    ...(choice.layout && { layout: choice.layout }),
    ...(choice.plan !== undefined && { plan: choice.plan }),
    ...(team && { team: team.team }),
  };
  const makeEngine = async (b: DesignBuffers): Promise<PlsEngine> => {
    const first = await createEngine(b, engineOptions, team?.kernels);
    const context = evaluationContext(first);
    if (!context || context.bytes < RELEASE_AFTER_FIT_BYTES) return first;
    releasable = releasableEngine(first, (again) => createEngineOn(context.kernels, again, engineOptions));
    return releasable;
  };
  const engine =
    options.engine === undefined
      ? await createReducedEngineAsync(buffers, makeEngine, design.xtx)
      : typeof options.engine === "function"
        ? createReducedEngine(buffers, options.engine, design.xtx)
        : ensureReducedEngine(options.engine, design.offset);
  const model = fitDesign(design, engine, options, data);
  (releasable as ReleasableEngine | null)?.release();
  return model;
}

export { SINGULAR_TOLERANCE } from "./constants.js";

/**
 * Synchronous fit of an already built design with a given engine. `data`, when given, is the data the design was
 * built from: the model keeps it for update() (lme4's update re-evaluates the call with the same data).
 */
export function fitDesign(
  design: Design,
  given: PlsEngine,
  options: FitDesignOptions = {},
  data?: DataInput,
): Model {
  checkOptions("fitDesign", options, FIT_OPTIONS);
  // offset() terms: the reduced engine fits y − offset (./response-reduction.ts), as lme4 does.
  const engine = ensureReducedEngine(given, design.offset);
  const REML = options.REML ?? true;
  const buffers = engine.buffers;
  const lower = thetaLowerBounds(buffers);
  const nTheta = lower.length;
  if (nTheta === 0) throw new ModelError("the model has no random-effects terms: use a linear model instead");
  if (design.n <= design.fixedNames.length)
    throw new ModelError(
      `${design.n} observations are not enough for ${design.fixedNames.length} fixed-effects coefficients`,
    );
  // At scale (a dense block of order ≥ LARGE_DENSE_BLOCK after the largest term is eliminated, where one
  // evaluation is a dense factorisation costing milliseconds to tens of milliseconds) start from the moment
  // estimates and a finite-difference Hessian: a few Newton steps instead of a dozen quasi-Newton steps that first
  // learn the scale of θ. Small models keep lme4's start and the identity (their evaluations cost microseconds).
  const large = denseBlockOrder(buffers) >= LARGE_DENSE_BLOCK;
  const start = options.start
    ? Float64Array.from(options.start)
    : large
      ? // The engine's own response is y − Xβ₀, the least-squares residuals the moment start needs.
        momentStart(buffers, innerEngine(engine).buffers.y)
      : thetaStart(buffers);
  if (start.length !== nTheta)
    throw new ModelError(`start has ${start.length} values but the model has ${nTheta} θ parameters`);
  for (let i = 0; i < nTheta; i++)
    if (!Number.isFinite(start[i] as number))
      throw new ModelError(`start value ${i + 1} is not a finite number`);

  const fittedResponse = responseLessOffset(buffers.y, design.offset);
  checkResponseVaries(design, fittedResponse);
  const t0 = performance.now();
  const onProgress = options.onProgress;
  let evaluationCount = 0;
  const objective = onProgress
    ? (theta: Float64Array, grad: Float64Array | null) => {
        const f = grad ? engine.gradient(theta, REML, grad) : engine.objective(theta, REML);
        onProgress(++evaluationCount, f);
        return f;
      }
    : (theta: Float64Array, grad: Float64Array | null) =>
        grad ? engine.gradient(theta, REML, grad) : engine.objective(theta, REML);
  // The profiled deviance does not change when a whole column of a template T changes sign (b = Λu absorbs it
  // through u), so the minimum over all θ equals the minimum over lme4's bounded region. Optimising without
  // bounds keeps the problem smooth: a bounded method gets stuck where a diagonal θ hits 0 with zero gradient
  // (a saddle of the symmetric function), while the unbounded one walks through it. Signs are fixed afterwards.
  const unbounded = new Float64Array(nTheta).fill(Number.NEGATIVE_INFINITY);
  // Objective-only trial points: at scale f and ∇f cost about twice f alone (the inverse of the dense block's
  // factor), and rejected or extrapolating trials do not need the gradient.
  // A diagonal θ that ends at or near 0 may sit on the saddle of the symmetric deviance (./zero-saddle.ts): the
  // optimiser probes inwards and starts again from a better point.
  const result = minimizeLeavingZeroSaddles(
    objective,
    start,
    { lower: unbounded, valueOnlyTrials: true, finiteDifferenceHessian: large },
    lower,
    (t) => objective(t, null),
  );
  if (!Number.isFinite(result.f)) throw cannotFit(REML, start);
  let evaluations = result.evaluations;
  let gradientEvaluations = result.gradientEvaluations;
  const theta = result.x;
  const gradient = result.gradient;
  // Flipping a column's signs flips the same entries of the gradient.
  normaliseColumnSigns(theta, buffers.terms, gradient);
  const snapped = snapToBoundary(theta, lower, result.f, (t) => engine.objective(t, REML));
  evaluations += snapped.evaluations;
  if (snapped.changed) {
    engine.gradient(theta, REML, gradient);
    evaluations++;
    gradientEvaluations++;
  }
  // At the bound only an inward-pointing gradient (negative) is a failure to converge.
  const gradientNorm = projectedGradientNorm(theta, gradient, lower);
  const solution = engine.solve(theta, REML);
  const elapsedMs = performance.now() - t0;
  checkNotExact(design, fittedResponse, solution.pwrss);
  return buildModel(design, engine, REML, solution, lower, options.newData, data, {
    converged: result.converged,
    evaluations,
    gradientEvaluations,
    gradientNorm,
    method: result.method,
    message: result.message,
    elapsedMs,
  });
}

/**
 * The model at a given θ without optimising (lme4's devfun evaluated once): for checks at lme4's θ̂, for
 * profiling and for refits that fix θ. The optimizer report says 0 evaluations.
 */
export function modelAtTheta(
  design: Design,
  given: PlsEngine,
  theta: ArrayLike<number>,
  options: Pick<FitDesignOptions, "REML" | "newData"> = {},
): Model {
  const engine = ensureReducedEngine(given, design.offset);
  const REML = options.REML ?? true;
  const lower = thetaLowerBounds(engine.buffers);
  if (theta.length !== lower.length)
    throw new ModelError(`θ has ${theta.length} values but the model has ${lower.length}`);
  const t = Float64Array.from(theta);
  for (let i = 0; i < t.length; i++)
    if (!((t[i] as number) >= (lower[i] as number)) || !Number.isFinite(t[i] as number))
      throw new ModelError(`θ value ${i + 1} (${t[i]}) is outside its bounds`);
  const t0 = performance.now();
  const solution = engine.solve(t, REML);
  return buildModel(design, engine, REML, solution, lower, options.newData, undefined, {
    converged: true,
    evaluations: 0,
    gradientNorm: Number.NaN,
    method: "fixed θ",
    message: "θ given, not optimised",
    elapsedMs: performance.now() - t0,
  });
}

function buildModel(
  design: Design,
  engine: PlsEngine,
  REML: boolean,
  solution: PlsSolution,
  lower: Float64Array,
  newData: NewDataBuilder | undefined,
  data: DataInput | undefined,
  optimizer: OptimizerReport,
): Model {
  const theta = solution.theta;
  let singular = false;
  for (let i = 0; i < theta.length; i++)
    if (lower[i] === 0 && (theta[i] as number) < SINGULAR_TOLERANCE) singular = true;
  const messages: string[] = [];
  for (const d of design.nanDropped ?? [])
    messages.push(`dropped ${d.rows} row${d.rows === 1 ? "" : "s"} where ${d.term} gave NaN (dropNaN)`);
  if (design.droppedFixed.length > 0) {
    const k = design.droppedFixed.length;
    messages.push(
      `fixed-effect model matrix is rank deficient so dropping ${k} column${k === 1 ? "" : "s"} / coefficient${k === 1 ? "" : "s"} (${design.droppedFixed.join(", ")})`,
    );
  }
  if (singular) messages.push(SINGULAR_MESSAGE);
  if (!optimizer.converged) messages.push(`Model failed to converge: ${optimizer.message}`);
  return new LinearMixedModel({
    design,
    engine,
    // A copy: the engine's response may be replaced (or its array reused) by a later bootstrap replicate.
    y: Float64Array.from(engine.buffers.y),
    REML,
    solution,
    singular,
    messages,
    optimizer,
    ...(newData ? { newData } : {}),
    ...(data !== undefined ? { data } : {}),
  });
}

/** The error for a model whose objective is not finite. */
function cannotFit(REML: boolean, theta: Float64Array): ModelError {
  const what = REML ? "REML criterion" : "deviance";
  return new ModelError(
    `the model cannot be fitted: the ${what} is not finite at θ = (${Array.from(theta).join(", ")})`,
  );
}

/** y − offset: what the engine fits (y itself without offset() terms). */
function responseLessOffset(y: Float64Array, offset: Float64Array | undefined): Float64Array {
  return offset ? y.map((v, i) => v - (offset[i] as number)) : y;
}

/** A response with no variance, or one the fixed effects reproduce exactly, leaves nothing to estimate. */
function checkResponseVaries(design: Design, y: Float64Array): void {
  if (y.every((v) => v === y[0]))
    throw new ModelError(
      `the model cannot be fitted: the response '${design.response}'${design.offset ? " less its offset() terms" : ""} is constant, so there is no variance to estimate`,
    );
}

function checkNotExact(design: Design, y: Float64Array, pwrss: number): void {
  let mean = 0;
  for (const v of y) mean += v;
  mean /= y.length;
  let centred = 0;
  for (const v of y) centred += (v - mean) ** 2;
  // Compared with the spread of y: rounding leaves ~1e-16 of it when the fit is exact.
  if (pwrss <= 1e-10 * centred)
    throw new ModelError(
      `the model cannot be fitted: the fixed effects reproduce the response '${design.response}' exactly ` +
        "(residual sum of squares 0), so there is no variance left to estimate",
    );
}

/** Flip the sign of every template column whose diagonal is negative (the deviance is unchanged). */
export function normaliseColumnSigns(
  theta: Float64Array,
  terms: readonly { p: number }[],
  gradient?: Float64Array,
): void {
  let k = 0;
  for (const t of terms)
    for (let j = 0; j < t.p; j++) {
      const column = t.p - j; // entries of column j: the diagonal, then the ones below it
      if ((theta[k] as number) < 0)
        for (let i = 0; i < column; i++) {
          theta[k + i] = -(theta[k + i] as number);
          if (gradient) gradient[k + i] = -(gradient[k + i] as number);
        }
      k += column;
    }
}

/**
 * A diagonal θ that ends a hair above 0 usually belongs at 0 (a singular fit: the optimum is on the boundary
 * and an iterative method only approaches it). Set each such θ to 0 when that does not raise the objective.
 * Returns the number of evaluations used and whether θ changed.
 */
function snapToBoundary(
  theta: Float64Array,
  lower: Float64Array,
  f: number,
  objective: (theta: Float64Array) => number,
): { evaluations: number; changed: boolean } {
  let evaluations = 0;
  let changed = false;
  let best = f;
  const trial = Float64Array.from(theta);
  for (let i = 0; i < theta.length; i++) {
    if (lower[i] !== 0 || (theta[i] as number) === 0 || (theta[i] as number) > NEAR_ZERO) continue;
    trial.set(theta);
    trial[i] = 0;
    const ft = objective(trial);
    evaluations++;
    if (ft <= best) {
      best = ft;
      theta[i] = 0;
      changed = true;
    }
  }
  return { evaluations, changed };
}
