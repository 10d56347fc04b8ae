/**
 * A GLMM whose second factor's block is factored sparse (src/fit/sparse-trailing/): the wasm PIRLS and Laplace
 * gradient (assembly/glmm/) run on the trailing block stored on the factor's pattern (assembly/pls/pattern.ts) as
 * on the dense one. The fit must be the one the dense path gives; the kernels themselves are checked against the
 * TypeScript PIRLS and central differences on both paths in ./wasm-pirls.test.ts.
 */
import { describe, expect, test } from "vitest";
import type { DesignBuffers } from "../../src/design/types.js";
import type { PlsEngine } from "../../src/fit/engine.js";
import { createWasmEngine, engineContext, evaluationContext } from "../../src/fit/wasm-engine.js";
import { fitGlmm } from "../../src/glmm/fit.js";
import { loadKernels } from "../../src/wasm/load.js";
import { rng } from "../engine/random-designs.js";

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
  test("runs the wasm PIRLS and Laplace gradient on the pattern and fits as the dense path does", async () => {
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
    for (const e of made.sparse) {
      expect(evaluationContext(e)!.trailing).toBe("sparse");
      expect(engineContext(e)).not.toBeNull(); // the wasm PIRLS's
    }
    for (const e of made.dense) expect(evaluationContext(e)!.trailing).toBe("dense");
    expect(Math.abs(sparse.logLik() - dense.logLik())).toBeLessThan(1e-6);
    const se = dense.se();
    for (const [name, b] of Object.entries(sparse.fixef()))
      expect(Math.abs(b - (dense.fixef()[name] as number)), name).toBeLessThan(0.01 * (se[name] as number));
  });

  test("a nested GLMM's engines choose the sparse factor by themselves, a filling crossing the dense one", async () => {
    const kernels = await loadKernels();
    const n = 2000;
    const nested = (i: number) => Math.floor(i / 4); // 500 classes of 4 rows
    const buffers = (second: (i: number) => number, levels: number): DesignBuffers => ({
      n,
      p: 1,
      y: Float64Array.from({ length: n }, (_, i) => i % 2),
      X: new Float64Array(n).fill(1),
      terms: [
        {
          nlevels: 500,
          p: 1,
          refs: Int32Array.from({ length: n }, (_, i) => nested(i)),
          z: new Float64Array(n).fill(1),
        },
        {
          nlevels: levels,
          p: 1,
          refs: Int32Array.from({ length: n }, (_, i) => second(i)),
          z: new Float64Array(n).fill(1),
        },
      ],
    });
    // 250 schools of two classes each: nested, the trailing block stays diagonal.
    const school = buffers((i) => Math.floor(nested(i) / 2), 250);
    // 100 items, each row's at random: every class meets four, and the items' block fills in.
    const r = rng(3);
    const itemOf = Int32Array.from({ length: n }, () => Math.floor(r() * 100));
    const items = buffers((i) => itemOf[i] as number, 100);
    for (const [b, want] of [
      [school, "sparse"],
      [items, "dense"],
    ] as const) {
      const e = createWasmEngine(kernels, b);
      expect(evaluationContext(e)!.trailing).toBe(want);
      e.dispose();
    }
  });
});
