/**
 * A GLMM whose second factor's block is factored sparse (src/fit/sparse-trailing/): the wasm PIRLS and Laplace
 * gradient (assembly/glmm/) read the dense trailing block, so such an engine gives them no context and PIRLS runs
 * in TypeScript on the engine's path-independent operations. The fit must be the one the dense path gives.
 */
import { describe, expect, test } from "vitest";
import type { DesignBuffers } from "../../src/design/types.js";
import type { PlsEngine } from "../../src/fit/engine.js";
import { createWasmEngine, engineContext } from "../../src/fit/wasm-engine.js";
import { GLMM_DENSE_TRAILING_MAX, glmmEngineOptions } from "../../src/glmm/engine-options.js";
import { fitGlmm } from "../../src/glmm/fit.js";
import { loadKernels } from "../../src/wasm/load.js";

/** 400 subjects, each meeting two neighbouring items of 120 (a band after the subjects are eliminated). */
function bandedBinary(): Record<string, number | string>[] {
  let state = 20261202;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const subjectEffect = Array.from({ length: 400 }, () => (uniform() - 0.5) * 2);
  const itemEffect = Array.from({ length: 120 }, () => (uniform() - 0.5) * 1.5);
  const rows: Record<string, number | string>[] = [];
  for (let s = 0; s < 400; s++)
    for (const item of [s % 120, (s + 1) % 120])
      for (let r = 0; r < 3; r++) {
        const x = uniform() - 0.5;
        const eta = -0.3 + 0.8 * x + (subjectEffect[s] as number) + (itemEffect[item] as number);
        rows.push({ y: uniform() < 1 / (1 + Math.exp(-eta)) ? 1 : 0, x, s: `s${s}`, item: `i${item}` });
      }
  return rows;
}

describe("a GLMM on the sparse trailing path", () => {
  test("runs PIRLS without the dense-block kernels and fits as the dense path does", async () => {
    const kernels = await loadKernels();
    const made: Record<"sparse" | "dense", PlsEngine[]> = { sparse: [], dense: [] };
    const factory = (trailing: "sparse" | "dense") => async (buffers: DesignBuffers) => {
      const engine = createWasmEngine(kernels, buffers, { trailing });
      made[trailing].push(engine);
      return engine;
    };
    const data = bandedBinary();
    const formula = "y ~ x + (1|s) + (1|item)";
    const sparse = await fitGlmm(formula, data, { family: "binomial", engine: factory("sparse") });
    const dense = await fitGlmm(formula, data, { family: "binomial", engine: factory("dense") });
    expect(made.sparse.length).toBeGreaterThan(0);
    for (const e of made.sparse) expect(engineContext(e)).toBeNull();
    for (const e of made.dense) expect(engineContext(e)).not.toBeNull();
    // Two optimiser paths (finite-difference against analytic gradients) to one optimum.
    expect(Math.abs(sparse.logLik() - dense.logLik())).toBeLessThan(1e-6);
    const se = dense.se();
    for (const [name, b] of Object.entries(sparse.fixef()))
      expect(Math.abs(b - (dense.fixef()[name] as number)), name).toBeLessThan(0.01 * (se[name] as number));
  });

  test("GLMM engines keep the dense trailing factor up to GLMM_DENSE_TRAILING_MAX, then choose by the fill", () => {
    const term = (nlevels: number) => ({ nlevels, p: 1, refs: new Int32Array(0), z: new Float64Array(0) });
    // Order = all columns but the largest term's, plus p + 1.
    const small = { p: 2, terms: [term(400), term(GLMM_DENSE_TRAILING_MAX - 3)] };
    const large = { p: 2, terms: [term(4000), term(GLMM_DENSE_TRAILING_MAX - 2)] };
    expect(glmmEngineOptions(small)).toEqual({ trailing: "dense" });
    expect(glmmEngineOptions(large)).toEqual({ trailing: "auto" });
  });
});
