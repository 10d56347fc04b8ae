/**
 * Parametric bootstraps, run on a pool of workers (src/parallel):
 * - `bootstrapLRT(m0, m1)`: the likelihood-ratio test of nested models calibrated by simulation from the null
 *   model (pbkrtest's PBmodcomp for lme4 fits): T* = 2(ℓ1* − ℓ0*) with both models refitted by ML.
 * - `bootstrap(model)`: replicate estimates of β, σ and the random-effects sd/cor, and percentile intervals.
 *
 * Replicate k simulates from random stream (seed, k) (see ./simulate.ts), so results are identical for any number
 * of workers. Failed replicates are kept (NaN, listed with their message) and left out of the p-values, which use
 * the B replicates that succeeded.
 */
import { modelSolution } from "../diagnostics/model.js";
import { chiSquareUpper } from "../distributions/chisq.js";
import { ModelError, SpruceError } from "../errors.js";
import { createWasmEngine } from "../fit/wasm-engine.js";
import { isGlmm, type PreparedGlmmLrt, prepareGlmmLrt } from "../glmm/lrt-spec.js";
import type { GeneralizedLinearMixedModel } from "../glmm/model.js";
import { type PoolResult, runReplicates, type WorkerFactory, WorkerPool } from "../parallel/pool.js";
import type { FaultPlan, GlmmLrtJobSpec, JobSpec, LrtJobSpec } from "../parallel/protocol.js";
import { R_INT_MAX, type RStreamSpec } from "../random/r-rng.js";
import { checkSeed, randomSeed } from "../random/stream.js";
import { withPlainJson } from "../report/plain.js";
import { BOOTSTRAP_OPTIONS, PARAMETER_BOOTSTRAP_OPTIONS } from "../validate/known-options.js";
import { checkNsimLimit } from "../validate/limits.js";
import { checkArgument, checkOptions, isFittedModel } from "../validate/options.js";
import { compileKernels, instantiateKernels } from "../wasm/load.js";
import { bootPercentileIntervals, type ParameterReplicate } from "./intervals.js";
import { buildModelJob } from "./model-jobs.js";
import { checkSameData, type FittedModel, modelSpec, toMlFit } from "./models.js";
import { checkNested, lrtRoundingTolerance } from "./nesting.js";
import { type IntervalTable, thetaToSdCor, varianceParameterNames } from "./profile.js";
import { checkRStreamSpec } from "./r-streams.js";
import { LRT_WIDTH } from "./replicates.js";
import { checkNsim } from "./simulate.js";

export interface BootstrapRunOptions {
  nsim?: number;
  /** Seed of the random streams; random (and reported in the result) when omitted. */
  seed?: number;
  /** Number of workers: default all cores; 0 runs on the calling thread (no workers). */
  workers?: number;
  /** Called after each batch with the number of replicates finished and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Stops the run; the result then holds the replicates finished so far, with `partial: true`. */
  signal?: AbortSignal;
  /** Replicates per batch sent to a worker (default: about 16 batches per worker). */
  batchSize?: number;
  /** How workers are started (default: Node worker_threads or browser Web Workers, whichever applies). */
  workerFactory?: WorkerFactory;
  /**
   * Warm workers to reuse (see `createWorkerPool`): runs after the first skip the workers' start-up and JIT
   * warm-up. The run borrows them and gives them back; the caller closes the pool when done.
   */
  pool?: WorkerPool;
  /**
   * Random numbers: "philox" (default; spruce's counter-based streams, replicate k = stream (seed, k)) or "r" (R's
   * Mersenne-Twister and Inversion normals in lme4's simulate() order, so replicate k is the response R draws:
   * `set.seed(seed); simulate(m0, nsim)`, or with `rSeedPerReplicate` K the loop `set.seed(K * i); simulate(m0)`).
   */
  rng?: "philox" | "r";
  /** With rng "r": seed replicate i (1-based) with set.seed(K * i), as the lecture's loop does. */
  rSeedPerReplicate?: number;
  /** For the tests of fault handling: the worker that first runs replicate `atIndex` dies or throws. */
  faults?: FaultPlan;
  /** Largest nsim accepted (default 100,000; CLI --max-nsim): above it the run is refused before it starts. */
  maxNsim?: number;
  /** Start more workers than there are cores (default: `workers` is capped at the number of cores). */
  forceWorkers?: boolean;
}

export interface Failures {
  count: number;
  indices: number[];
  messages: string[];
}

export interface RunInfo {
  nsim: number;
  seed: number;
  /** Replicates that finished (succeeded or failed); < nsim only when aborted. */
  completed: number;
  partial: boolean;
  failures: Failures;
  /** Replicates whose refit(s) stopped with a projected gradient above lme4's 2e-3 (kept, like lme4's warnings). */
  nonConverged: number[];
  workers: number;
  /** Workers that died or broke and were replaced. */
  restarts: number;
  elapsedMs: number;
}

export interface BootstrapLrtResult extends RunInfo {
  /** How R's generator was seeded when the run drew as R does (rng "r"); absent for spruce's own streams. */
  rStream?: RStreamSpec;
  /** Observed likelihood-ratio statistic 2(ℓ1 − ℓ0) of the ML fits. */
  observed: number;
  df: number;
  /** P(χ²_df ≥ observed). */
  pChisq: number;
  /** (1 + #{T* ≥ T}) / (1 + B), B = replicates that succeeded; NaN when B = 0 ("no replicates completed"). */
  pBootstrap: number;
  /** #{T* > T} / B: the share lme4's examples report (mean(T* > T)). */
  pExceed: number;
  /** Replicates used for the p-values (succeeded). */
  valid: number;
  /** T* by replicate index (NaN: failed or not run). */
  stats: Float64Array;
  /** True when either model was fitted by REML and refitted by ML first. */
  refitted: boolean;
  messages: string[];
}

/** The message of a run without a single successful replicate (no p-value is reported then). */
export const NO_REPLICATES = "no replicates completed: no bootstrap p-value";

/** Workers to use by default: every core. */
async function defaultWorkers(): Promise<number> {
  if (typeof process !== "undefined" && process.versions?.node)
    return (await import("../parallel/node.js")).defaultWorkerCount();
  return (await import("../parallel/browser.js")).defaultWorkerCount();
}

async function defaultFactory(): Promise<WorkerFactory> {
  if (typeof process !== "undefined" && process.versions?.node)
    return (await import("../parallel/node.js")).nodeWorkerFactory();
  return (await import("../parallel/browser.js")).browserWorkerFactory();
}

/**
 * A pool of warm bootstrap workers for this environment (Node worker_threads or browser Web Workers). With
 * `prestart: n`, n workers are started at once and warm up on a small built-in job (WorkerPool.prestart), so even
 * the first run that borrows them starts warm: create the pool before fitting the models.
 */
export async function createWorkerPool(options: { prestart?: number } = {}): Promise<WorkerPool> {
  const pool = new WorkerPool(await defaultFactory());
  if (options.prestart !== undefined) {
    const n = options.prestart;
    if (!Number.isSafeInteger(n) || n < 0)
      throw new SpruceError(`prestart must be a non-negative integer, got ${n}`);
    pool.prestart(n, await compileKernels());
  }
  return pool;
}

/**
 * The run's seed and, for rng "r", how R's generator is seeded. The seed is reported either way; with
 * rSeedPerReplicate it is the multiplier K.
 */
function randomness(options: BootstrapRunOptions, nsim: number): { seed: number; rStream?: RStreamSpec } {
  const rng = options.rng ?? "philox";
  if (rng !== "philox" && rng !== "r") throw new SpruceError(`rng must be "philox" or "r", got "${rng}"`);
  if (rng === "philox") {
    if (options.rSeedPerReplicate !== undefined)
      throw new SpruceError('rSeedPerReplicate (--r-seed-per-replicate) needs rng "r" (--rng r)');
    return { seed: options.seed === undefined ? randomSeed() : checkSeed(options.seed) };
  }
  if (options.rSeedPerReplicate !== undefined) {
    if (options.seed !== undefined)
      throw new SpruceError(
        "give either a seed (one R stream) or rSeedPerReplicate (set.seed(K * i)), not both",
      );
    const multiplier = options.rSeedPerReplicate;
    return { seed: multiplier, rStream: checkRStreamSpec({ scheme: "perReplicate", multiplier }, nsim) };
  }
  // R's set.seed takes a 32-bit integer: a random one when none was given (reported, so the run can be repeated).
  const seed = options.seed ?? randomSeed() % R_INT_MAX;
  return { seed, rStream: checkRStreamSpec({ scheme: "stream", seed, nsim }, nsim) };
}

/**
 * The workers the options ask for (default: every core), capped at the cores unless forceWorkers; a note is added
 * to `notes` when capped.
 */
export async function workerCount(options: BootstrapRunOptions, notes: string[] = []): Promise<number> {
  const cores = await defaultWorkers();
  const workers = options.workers ?? cores;
  if (!Number.isSafeInteger(workers) || workers < 0)
    throw new SpruceError(`workers must be a non-negative integer, got ${workers}`);
  if (workers > cores && options.forceWorkers !== true) {
    notes.push(
      `${workers} workers asked for on ${cores} cores: using ${cores} (forceWorkers / --force-workers to insist)`,
    );
    return cores;
  }
  return workers;
}

/** The workers of one run, started before its job is ready (see `startRunWorkers`). */
export interface RunWorkers {
  /** Workers the run uses (0: the calling thread). */
  count: number;
  wasmModule: WebAssembly.Module;
  /** Where the run borrows its workers: the caller's pool, or one of its own. */
  pool?: WorkerPool;
  /** Stop the workers of the run's own pool (the caller's pool stays the caller's). */
  close(): void;
}

/**
 * Start a run's workers now (WorkerPool.prestart: they load their code and warm up while this thread prepares the
 * job, e.g. refits the models by ML), in the caller's pool or in one the run owns. Close it when the run ends.
 */
export async function startRunWorkers(
  options: BootstrapRunOptions,
  notes: string[] = [],
): Promise<RunWorkers> {
  const count = await workerCount(options, notes);
  const wasmModule = await compileKernels();
  if (count === 0) return { count, wasmModule, close() {} };
  const own = options.pool ? undefined : new WorkerPool(options.workerFactory ?? (await defaultFactory()));
  const pool = (options.pool ?? own) as WorkerPool;
  pool.prestart(count, wasmModule);
  return { count, wasmModule, pool, close: () => own?.close() };
}

/**
 * Run a model job (`lrt` or `params`) with the options' workers: replicates first..first+nsim−1 (first = 0 for a
 * whole run; a shard starts elsewhere, see ./shard.ts). Workers are capped at the cores unless forceWorkers; a
 * note is added to `notes` then. `started`: workers already started for this run (`startRunWorkers`; the caller
 * closes them), else they are started (and stopped) here.
 */
export async function runJob(
  spec: JobSpec,
  nsim: number,
  options: BootstrapRunOptions,
  first = 0,
  notes: string[] = [],
  started?: RunWorkers,
) {
  const run = started ?? (await startRunWorkers(options, notes));
  const { count: workers, wasmModule } = run;
  try {
    return await runReplicates({
      spec,
      nsim,
      ...(first > 0 ? { first } : {}),
      workers,
      wasmModule,
      ...(workers === 0
        ? {
            inProcess: {
              createEngine: (b) => createWasmEngine(instantiateKernels(wasmModule), b),
              buildModelJob,
            },
          }
        : { pool: run.pool as WorkerPool }),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.faults ? { faults: options.faults } : {}),
    });
  } finally {
    if (!started) run.close();
  }
}

function collectFailures(list: { index: number; message: string }[]): Failures {
  return { count: list.length, indices: list.map((f) => f.index), messages: list.map((f) => f.message) };
}

/** The part of a result that describes the run itself (common to both bootstraps). */
function runInfo(
  run: PoolResult,
  nsim: number,
  seed: number,
  nonConverged: number[],
  elapsedMs: number,
): RunInfo {
  return {
    nsim,
    seed,
    completed: run.completed,
    partial: run.partial,
    failures: collectFailures(run.failures),
    nonConverged,
    workers: run.workers,
    restarts: run.restarts,
    elapsedMs,
  };
}

/** GLMM bootstraps draw from spruce's Philox streams only (R's rbinom/rpois are not reproduced). */
export const GLMM_R_RNG_UNAVAILABLE =
  'rng "r" (R-compatible draws) is not available for GLMM bootstraps: lme4 simulates binomial and Poisson ' +
  "responses with R's rbinom/rpois, which spruce does not reproduce; use spruce's streams (the default)";

/**
 * Parametric bootstrap of the likelihood-ratio test of m0 (null) within m1. Each replicate simulates from the ML
 * fit of m0 and refits m0 (from m0's θ̂) and m1 (from m1's θ̂) by ML.
 *
 * Two GLMMs (glmer fits): replicate k simulates from the null model (new random effects, then the family's draws)
 * with stream (seed, k) and refits both models from their estimates (src/glmm/lrt-job.ts), on the same workers,
 * with the same result fields and guarantees.
 */
export async function bootstrapLRT(
  m0: FittedModel | GeneralizedLinearMixedModel,
  m1: FittedModel | GeneralizedLinearMixedModel,
  options: BootstrapRunOptions = {},
): Promise<BootstrapLrtResult> {
  const t0 = performance.now();
  const glmm = isGlmm(m0) || isGlmm(m1);
  if (!glmm) {
    checkArgument("bootstrapLRT", "m0 (the first model)", m0, isFittedModel);
    checkArgument("bootstrapLRT", "m1 (the second model)", m1, isFittedModel);
  }
  checkOptions("bootstrapLRT", options, BOOTSTRAP_OPTIONS);
  const nsim = checkNsim(options.nsim ?? 1000);
  checkNsimLimit("bootstrapLRT", nsim, options.maxNsim);
  if (
    glmm &&
    ((options.rng !== undefined && options.rng !== "philox") || options.rSeedPerReplicate !== undefined)
  )
    throw new SpruceError(`bootstrapLRT: ${GLMM_R_RNG_UNAVAILABLE}`);
  const { seed, rStream } = randomness(options, nsim);
  const notes: string[] = [];
  // The workers load and warm up while this thread refits the models by ML and builds the job.
  const workers = await startRunWorkers(options, notes);
  try {
    const prepared: PreparedLrt | PreparedGlmmLrt = glmm
      ? prepareGlmmLrt(m0, m1, seed)
      : prepareLrt(m0 as FittedModel, m1 as FittedModel, seed, rStream);
    const run = await runJob(prepared.spec, nsim, options, 0, notes, workers);
    return lrtResult(prepared, run, nsim, performance.now() - t0, notes);
  } finally {
    workers.close();
  }
}

/** What a likelihood-ratio bootstrap knows before its replicates run: the ML fits' statistic and the job. */
export interface PreparedLrt {
  spec: LrtJobSpec;
  observed: number;
  df: number;
  refitted: boolean;
}

/**
 * The ML fits of m0 (null) and m1, the observed statistic and the job of their bootstrap with `seed` (and, for R's
 * generator, how it is seeded).
 */
export function prepareLrt(
  m0: FittedModel,
  m1: FittedModel,
  seed: number,
  rStream?: RStreamSpec,
): PreparedLrt {
  checkSameData([m0.design, m1.design], "bootstrapLRT");
  let f0 = toMlFit(m0);
  let f1 = toMlFit(m1);
  if (f0.npar > f1.npar) [f0, f1] = [f1, f0];
  const df = f1.npar - f0.npar;
  if (df === 0)
    throw new SpruceError(
      "bootstrapLRT: the two models have the same number of parameters, so neither is nested in the other",
    );
  checkNested(f0.model.design, f1.model.design, "bootstrapLRT");
  const refitted = f0.refitted || f1.refitted;
  const raw = f0.deviance - f1.deviance;
  if (raw < -lrtRoundingTolerance(f0.deviance))
    throw new ModelError(
      `bootstrapLRT: the larger model fits worse than the smaller one (observed LRT ${raw.toFixed(4)} < 0): ` +
        "its fit did not reach the optimum, so there is no test to calibrate",
    );
  // Within rounding of 0: the models fit equally well.
  const observed = Math.max(0, raw);
  const spec: LrtJobSpec = {
    kind: "lrt",
    seed,
    ...(rStream ? { rStream } : {}),
    null: modelSpec(f0.model),
    alt: modelSpec(f1.model),
  };
  return { spec, observed, df, refitted };
}

/**
 * The result of a likelihood-ratio bootstrap from its replicates (run.values[k · LRT_WIDTH ..], run.status[k]
 * for k < nsim). The one report of `bootstrapLRT` and of `mergeShards` (./shard.ts): merged shards give this
 * function the same replicates, hence the same stats and p-values, bit for bit. `notes` are the run's own
 * messages (a worker cap).
 */
export function lrtResult(
  prepared: Omit<PreparedLrt, "spec"> & { spec: Pick<LrtJobSpec, "seed" | "rStream"> | GlmmLrtJobSpec },
  run: PoolResult,
  nsim: number,
  elapsedMs: number,
  notes: readonly string[] = [],
): BootstrapLrtResult {
  const { observed, df, refitted } = prepared;
  const stats = new Float64Array(nsim).fill(Number.NaN);
  const nonConverged: number[] = [];
  let valid = 0;
  let atLeast = 0;
  let above = 0;
  for (let k = 0; k < nsim; k++) {
    if (run.status[k] !== 1) continue;
    const t = run.values[k * LRT_WIDTH] as number;
    stats[k] = t;
    if (!Number.isFinite(t)) continue;
    valid++;
    if (t >= observed) atLeast++;
    if (t > observed) above++;
    if (run.values[k * LRT_WIDTH + 3] !== 1) nonConverged.push(k);
  }
  const messages = refitted ? ["refitting model(s) with ML (instead of REML)"] : [];
  messages.push(...notes);
  if (run.failures.length > 0)
    messages.push(`${run.failures.length} of ${nsim} replicates failed (see failures)`);
  if (nonConverged.length > 0)
    messages.push(`${nonConverged.length} replicates did not fully converge (kept, as lme4 keeps them)`);
  if (run.partial) messages.push(`stopped after ${run.completed} of ${nsim} replicates`);
  // A p-value needs replicates: with none (stopped at once, or all failed) there is none to report.
  if (valid === 0) messages.push(NO_REPLICATES);
  return withPlainJson({
    observed,
    df,
    pChisq: chiSquareUpper(Math.max(0, observed), df),
    pBootstrap: valid > 0 ? (1 + atLeast) / (1 + valid) : Number.NaN,
    pExceed: valid > 0 ? above / valid : Number.NaN,
    valid,
    stats,
    ...runInfo(run, nsim, prepared.spec.seed, nonConverged, elapsedMs),
    refitted,
    messages,
    ...("rStream" in prepared.spec && prepared.spec.rStream ? { rStream: prepared.spec.rStream } : {}),
  });
}

export interface ParameterBootstrapResult extends RunInfo {
  /** lme4's names (oldNames = FALSE): sd_/cor_ of each term, sigma, then the fixed effects. */
  names: string[];
  /** The estimates of the fitted model, same order. */
  estimate: number[];
  /** Replicate estimates per parameter (same order as names), each of length nsim; NaN: failed or not run. */
  values: Float64Array[];
  /** Replicates as (θ, σ, β), the shape confint's "boot" method takes. Failed ones hold NaN. */
  replicates: ParameterReplicate[];
  /** Percentile intervals at `level` (boot's norm.inter, as lme4's confint(method = "boot")). */
  intervals: IntervalTable;
  level: number;
  /** REML or ML: the refits use the model's own criterion. */
  REML: boolean;
}

/**
 * Parametric bootstrap of a model's parameters (lme4's bootMer with the default FUN of confint.merMod): simulate
 * from the fit, refit with the same criterion from θ̂, collect β, σ, sd/cor.
 */
export async function bootstrap(
  model: FittedModel,
  options: BootstrapRunOptions & { level?: number } = {},
): Promise<ParameterBootstrapResult> {
  const t0 = performance.now();
  checkArgument("bootstrap", "model", model, isFittedModel);
  checkOptions("bootstrap", options, PARAMETER_BOOTSTRAP_OPTIONS);
  const nsim = checkNsim(options.nsim ?? 500);
  checkNsimLimit("bootstrap", nsim, options.maxNsim);
  const { seed, rStream } = randomness(options, nsim);
  const level = options.level ?? 0.95;
  const spec: JobSpec = {
    kind: "params",
    seed,
    ...(rStream ? { rStream } : {}),
    model: modelSpec(model),
    reml: model.REML,
  };
  const run = await runJob(spec, nsim, options);
  const design = model.design;
  const p = design.fixedNames.length;
  const nTheta = spec.model.theta.length;
  const sizes = design.terms.map((t) => t.columns.length);
  const names = [...varianceParameterNames(design), ...design.fixedNames];
  const values = names.map(() => new Float64Array(nsim).fill(Number.NaN));
  const replicates: ParameterReplicate[] = [];
  const nonConverged: number[] = [];
  const w = run.width;
  for (let k = 0; k < nsim; k++) {
    const base = k * w;
    const done = run.status[k] === 1;
    const beta = done ? run.values.slice(base, base + p) : new Float64Array(p).fill(Number.NaN);
    const sigma = done ? (run.values[base + p] as number) : Number.NaN;
    const theta = done
      ? run.values.slice(base + p + 1, base + p + 1 + nTheta)
      : new Float64Array(nTheta).fill(Number.NaN);
    if (done && run.values[base + p + 1 + nTheta] !== 1) nonConverged.push(k);
    replicates.push({ theta, sigma, beta });
    if (!done) continue;
    const sdcor = thetaToSdCor(theta, sizes, sigma);
    sdcor.forEach((v, j) => {
      (values[j] as Float64Array)[k] = v;
    });
    beta.forEach((v, j) => {
      (values[sdcor.length + j] as Float64Array)[k] = v;
    });
  }
  const s = modelSolution(model);
  const estimate = [...thetaToSdCor(s.theta, sizes, s.sigma), ...s.beta];
  const finished = replicates.filter((r) => Number.isFinite(r.sigma));
  if (finished.length < 2)
    throw new SpruceError(
      `bootstrap: only ${finished.length} replicate(s) succeeded; intervals need at least 2`,
    );
  return withPlainJson({
    names,
    estimate,
    values,
    replicates,
    intervals: bootPercentileIntervals(model, finished, level),
    level,
    REML: model.REML,
    ...runInfo(run, nsim, seed, nonConverged, performance.now() - t0),
  });
}

/** The JSON of `spruce boot`. */
export function bootstrapLrtJson(r: BootstrapLrtResult): Record<string, unknown> {
  return {
    observed: r.observed,
    df: r.df,
    nsim: r.nsim,
    seed: r.seed,
    rng: r.rStream ? "r" : "philox",
    ...(r.rStream?.scheme === "perReplicate" ? { rSeedPerReplicate: r.rStream.multiplier } : {}),
    pChisq: r.pChisq,
    pBootstrap: Number.isFinite(r.pBootstrap) ? r.pBootstrap : null,
    pExceed: Number.isFinite(r.pExceed) ? r.pExceed : null,
    valid: r.valid,
    stats: Array.from(r.stats, (t) => (Number.isFinite(t) ? t : null)),
    failures: r.failures,
    nonConverged: r.nonConverged,
    partial: r.partial,
    completed: r.completed,
    refitted: r.refitted,
    messages: r.messages,
    workers: r.workers,
    restarts: r.restarts,
    elapsedMs: r.elapsedMs,
  };
}
