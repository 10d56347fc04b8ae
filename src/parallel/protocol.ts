/**
 * What travels between the pool and its workers. Everything here is structured-clone friendly: plain objects,
 * typed arrays, a compiled WebAssembly.Module.
 *
 * A run is: `init(spec, module, workerId)` once per worker (the model's buffers arrive here, transferred), then
 * `run(first, count)` for contiguous batches of replicate indices; results come back by index.
 */
import type { DesignBuffers } from "../design/types.js";
import type { RStreamSpec } from "../random/r-rng.js";

/**
 * A deliberate fault, for the tests of the pool's recovery. The pool arms it in exactly one worker: the first one
 * sent the batch that holds replicate `atIndex`; that worker fails when it is about to run that replicate, and the
 * batch must then be rerun elsewhere.
 */
export interface FaultPlan {
  atIndex: number;
  /** "exit": the worker dies (process.exit in Node, close() in a browser); "throw": its batch call rejects. */
  mode: "exit" | "throw";
}

/** The model a bootstrap simulates from or refits: numeric buffers and estimates. */
export interface ModelSpec {
  buffers: DesignBuffers;
  theta: Float64Array;
  beta: Float64Array;
  sigma: number;
  /**
   * XᵀX of buffers.X (the design's, src/design/types.ts), when the fit formed it: the worker's least-squares
   * reduction factors it instead of forming it again while the run waits (measured on a cold Sitka bootstrap: the
   * alternative's Gram loop took the worker's set-up through a synchronous TurboFan compile, 4-14 ms).
   */
  xtx?: Float64Array;
}

/** Likelihood-ratio bootstrap: simulate from `null`, refit `null` and `alt` by ML. */
export interface LrtJobSpec {
  kind: "lrt";
  seed: number;
  /** Draw as R does (src/inference/r-streams.ts) instead of from spruce's Philox streams (seed, k). */
  rStream?: RStreamSpec;
  null: ModelSpec;
  alt: ModelSpec;
}

/** Parametric bootstrap of one model's parameters: simulate from it, refit it (REML or ML as it was fitted). */
export interface ParamsJobSpec {
  kind: "params";
  seed: number;
  /** Draw as R does (src/inference/r-streams.ts) instead of from spruce's Philox streams (seed, k). */
  rStream?: RStreamSpec;
  model: ModelSpec;
  reml: boolean;
}

/**
 * Power by simulation (src/inference/power.ts): simulate from `alt` (the fitted model with the tested coefficient
 * set to the assumed effect, on a design possibly extended to more groups), refit `null` (the same design without
 * the tested column) and `alt` by ML, both from `start`.
 */
export interface PowerJobSpec {
  kind: "power";
  seed: number;
  alt: ModelSpec;
  nullBuffers: DesignBuffers;
  /** θ both refits start from (the ML θ̂ of the fitted model). */
  start: Float64Array;
}

/**
 * A job with no model, for testing the pool itself: replicate k returns (Σ of the first `draws` normals of stream
 * (seed, k), k). `spinMs` busy-waits per replicate so tests can abort or kill mid-run; `failIndices` throw inside
 * the replicate (a replicate-level failure, which is recorded, not retried).
 */
export interface SelfTestJobSpec {
  kind: "selftest";
  seed: number;
  draws: number;
  spinMs?: number;
  failIndices?: number[];
}

/** A GLMM as a worker refits it: its design, prior weights and offset, and the fit's estimates. */
export interface GlmmModelSpec {
  n: number;
  p: number;
  /** n × p column-major. */
  X: Float64Array;
  terms: DesignBuffers["terms"];
  /** Prior weights (a binomial's numbers of trials). */
  pw: Float64Array;
  offset: Float64Array;
  theta: Float64Array;
  beta: Float64Array;
  /**
   * The fit's Hessian of −2 log L over (θ, β), (nθ + p)² row-major, when it was computed (nAGQ ≥ 1): the curvature
   * each refit's quasi-Newton starts from. Absent: refits run the general two-stage fit.
   */
  hessian?: Float64Array;
  /** The observed response (the null model's spec carries it: the alternative's curvature is measured with it). */
  y?: Float64Array;
}

/**
 * Likelihood-ratio bootstrap of two GLMMs (src/glmm/lrt-job.ts): simulate from `null` (new u* ~ N(0, I), then y
 * from the family; Philox stream (seed, k)), refit `null` and `alt` from their estimates. Same values per
 * replicate as the LMM's "lrt" job (T*, d0, d1, converged), so the same report applies.
 */
export interface GlmmLrtJobSpec {
  kind: "glmm-lrt";
  seed: number;
  family: string;
  link: string;
  nAGQ: number;
  null: GlmmModelSpec;
  alt: GlmmModelSpec;
  /**
   * How the null model's (θ, β) sits inside the alternative's, when it does exactly (same random-effects terms,
   * every null X column among the alternative's): for each alternative parameter, the index of the null parameter
   * it equals, or −1 for a 0. The alternative's refit then starts at the null's refit: a point of criterion d0,
   * close to its optimum under the null.
   */
  embed?: Int32Array;
}

export type JobSpec = LrtJobSpec | ParamsJobSpec | SelfTestJobSpec | PowerJobSpec | GlmmLrtJobSpec;

/** One batch's results: `values[(k − first) · width + j]`; failed replicates hold NaN and are listed. */
export interface BatchResult {
  first: number;
  count: number;
  values: Float64Array;
  failures: { index: number; message: string }[];
}

/** The API a worker exposes through Comlink. */
export interface WorkerApi {
  /** Set up the job (engines, simulator); returns the number of values per replicate. */
  init(spec: JobSpec, wasmModule: WebAssembly.Module | null, workerId: number): Promise<number>;
  run(first: number, count: number): Promise<BatchResult>;
  /**
   * Warm up V8 on a small built-in job until `init` arrives (or the job is done), yielding between replicates so
   * that `init` is never kept waiting for more than one of them. Sent by the pool's `prestart` to workers started
   * ahead of their job; changes no result, only how fast the first replicates run.
   */
  warmUp(wasmModule: WebAssembly.Module): Promise<void>;
  /** Test hook: arm (or clear) a deliberate fault. */
  setFault(plan: FaultPlan | null): Promise<void>;
}
