// spruce-lmm/internals: the machinery under the public API (src/index.ts), for tests, benchmarks and tools that
// drive the engine directly. Not covered by the package's compatibility promise: these may change in any release.

export { newDataDesign } from "./design/index.js";
export type { FitDesignOptions } from "./fit/fit.js";
export { fitDesign, modelAtTheta } from "./fit/fit.js";
export {
  BoundedOptimizer,
  minimizeBounded,
  nelderMead,
  type Objective,
  type OptimizeOptions,
  type OptimizeResult,
} from "./fit/optimize.js";
export { createReducedEngine, ensureReducedEngine } from "./fit/response-reduction.js";
export { createEngine, createWasmEngine } from "./fit/wasm-engine.js";
export { ResponseSimulator, simulateResponses } from "./inference/simulate.js";
export { runReplicates, WorkerPool } from "./parallel/pool.js";
export type { FaultPlan, JobSpec } from "./parallel/protocol.js";
export { philox4x32 } from "./random/philox.js";
export { checkRSeed, qnormR, RRandom } from "./random/r-rng.js";
export { RandomStream } from "./random/stream.js";
export { compileKernels, instantiateKernels, type KernelExports, loadKernels } from "./wasm/load.js";
