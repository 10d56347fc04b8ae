/**
 * Two engines in one wasm instance interleave their calls: every kernel reads and writes only the context it is
 * given (assembly/pls/workspace.ts; no module-level state in assembly/, scripts/check-structure.mjs), so an
 * engine's numbers do not depend on what another engine in the same instance did in between — including the
 * factor an engine reuses when it is asked for the gradient at the θ it last evaluated.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { PlsEngine } from "../../src/fit/engine.js";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { CONTEXT_SLOTS, KERNEL_NAMES } from "../../src/wasm/contract.js";
import { loadKernels } from "../../src/wasm/load.js";
import { randomCases, someTheta } from "./random-designs.js";

const engines: PlsEngine[] = [];
afterAll(() => {
  for (const e of engines) e.dispose();
});

interface Step {
  objective: number;
  gradient: number[];
  beta: number[];
  condVar: number[][];
}

/** objective at θ, then gradient at the same θ (the reused factor), then the solution and condVar. */
function steps(engine: PlsEngine, theta: Float64Array, reml: boolean): () => Step {
  const grad = new Float64Array(engine.nTheta);
  return () => {
    const objective = engine.objective(theta, reml);
    engine.gradient(theta, reml, grad);
    return {
      objective,
      gradient: Array.from(grad),
      beta: Array.from(engine.solve(theta, reml).beta),
      condVar: engine.condVar(theta, reml).map((a) => Array.from(a)),
    };
  };
}

describe("engines sharing one wasm instance", async () => {
  const shared = await loadKernels();

  it("the module exports every kernel of the contract, with the context laid out as the contract numbers it", () => {
    for (const name of KERNEL_NAMES) expect(typeof shared[name]).toBe("function");
    expect(shared.plsContextBytes()).toBe(CONTEXT_SLOTS * 4);
  });

  const names = Object.keys(randomCases);
  for (let i = 0; i + 1 < names.length; i += 2) {
    const a = names[i]!;
    const b = names[i + 1]!;
    it(`${a} ⇄ ${b}: interleaved calls give the numbers of engines on instances of their own`, async () => {
      const ba = randomCases[a]!();
      const bb = randomCases[b]!();
      const soloA = createWasmEngine(await loadKernels(), ba);
      const soloB = createWasmEngine(await loadKernels(), bb);
      const sharedA = createWasmEngine(shared, ba);
      const sharedB = createWasmEngine(shared, bb);
      engines.push(soloA, soloB, sharedA, sharedB);
      for (let k = 0; k < 2; k++)
        for (const reml of [false, true]) {
          const ta = someTheta(ba, k);
          const tb = someTheta(bb, k);
          const want = [steps(soloA, ta, reml)(), steps(soloB, tb, reml)()];
          // Interleave at the finest grain: A factors at θ, B evaluates, A reuses its factor for the gradient.
          const objA = sharedA.objective(ta, reml);
          const objB = sharedB.objective(tb, reml);
          const gA = new Float64Array(sharedA.nTheta);
          const gB = new Float64Array(sharedB.nTheta);
          sharedA.gradient(ta, reml, gA);
          sharedB.gradient(tb, reml, gB);
          const solA = sharedA.solve(ta, reml);
          const cvB = sharedB.condVar(tb, reml);
          const solB = sharedB.solve(tb, reml);
          const cvA = sharedA.condVar(ta, reml);
          expect(objA).toBe(want[0]!.objective);
          expect(objB).toBe(want[1]!.objective);
          expect(Array.from(gA)).toEqual(want[0]!.gradient);
          expect(Array.from(gB)).toEqual(want[1]!.gradient);
          expect(Array.from(solA.beta)).toEqual(want[0]!.beta);
          expect(Array.from(solB.beta)).toEqual(want[1]!.beta);
          expect(cvA.map((x) => Array.from(x))).toEqual(want[0]!.condVar);
          expect(cvB.map((x) => Array.from(x))).toEqual(want[1]!.condVar);
        }
    });
  }
});
