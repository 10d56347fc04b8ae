// Public API of spruce-lmm. Re-exported module by module as they land.
export type { Design, DesignBuffers, RandomTerm } from "./design/types.js";
export { DataError, ModelError, SpruceError } from "./errors.js";
export type { PlsEngine, PlsSolution } from "./fit/engine.js";
export { compileKernels, instantiateKernels, loadKernels } from "./wasm/load.js";
