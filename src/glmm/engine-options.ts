/**
 * Which factor of the trailing block a GLMM's engines use. The wasm PIRLS and Laplace gradient (assembly/glmm/)
 * read the dense trailing block, and they save far more per fit than a sparse factor of a small block would
 * (grouseticks' 182-order nested block: one wasm call per Laplace evaluation against a TypeScript loop with
 * finite-difference gradients). Up to GLMM_DENSE_TRAILING_MAX the block is factored densely; beyond it, the dense
 * factor's O(nd³) per PIRLS iteration outweighs that, and the engine chooses by the symbolic fill as an LMM does
 * (PIRLS then runs in TypeScript on the engine's path-independent operations).
 */
import type { DesignBuffers } from "../design/types.js";
import { denseBlockOrder } from "../fit/blocked-layout.js";
import type { WasmEngineOptions } from "../fit/wasm-engine.js";

export const GLMM_DENSE_TRAILING_MAX = 1500;

export function glmmEngineOptions(buffers: Pick<DesignBuffers, "terms" | "p">): WasmEngineOptions {
  return { trailing: denseBlockOrder(buffers) <= GLMM_DENSE_TRAILING_MAX ? "dense" : "auto" };
}
