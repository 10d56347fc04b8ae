/**
 * Engines inside a worker: each model gets its own instance of the compiled kernels (its own memory), so two
 * engines never share wasm state. The module was compiled once by the caller and posted to the worker.
 */
import { createWasmEngine } from "../fit/wasm-engine.js";
import { instantiateKernels } from "../wasm/load.js";
import type { EngineFactory } from "./job.js";

export function wasmEngineFactory(module: WebAssembly.Module): EngineFactory {
  return (buffers, options) => createWasmEngine(instantiateKernels(module), buffers, options);
}
