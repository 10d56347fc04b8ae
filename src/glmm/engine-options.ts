/**
 * Which factor of the trailing block a GLMM's engines use: the one its symbolic fill chooses, as for an LMM
 * (src/fit/sparse-trailing/plan.ts). The wasm PIRLS and Laplace gradient (assembly/glmm/) run on either: nested
 * factors take the sparse factor (a binomial `(1|school/class)` with 1,400 schools: dense, its order-1,402 block cost
 * most of a 1.7 s fit), crossed ones that fill in the dense one.
 */
import type { DesignBuffers } from "../design/types.js";
import type { WasmEngineOptions } from "../fit/wasm-engine.js";

export function glmmEngineOptions(_buffers: Pick<DesignBuffers, "terms" | "p">): WasmEngineOptions {
  return { trailing: "auto" };
}
