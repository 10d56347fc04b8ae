import { afterAll, describe, expect, it } from "vitest";
import { buildBlockedLayout } from "../../src/fit/blocked-layout.js";
import type { PlsEngine } from "../../src/fit/engine.js";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { loadKernels } from "../../src/wasm/load.js";
import { createDenseEngine } from "../support/dense-pls.js";
import { randomCases, someTheta } from "./random-designs.js";

function relClose(a: number, b: number, tol: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
}

function arraysClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i] as number));
  for (let i = 0; i < b.length; i++)
    expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThanOrEqual(tol * scale);
}

const engines: PlsEngine[] = [];
afterAll(() => {
  for (const e of engines) e.dispose();
});

describe("blocked wasm engine equals the dense oracle on random problems", async () => {
  const kernels = await loadKernels();
  for (const [name, make] of Object.entries(randomCases)) {
    it(name, () => {
      const buffers = make();
      const wasm = createWasmEngine(kernels, buffers);
      engines.push(wasm);
      const dense = createDenseEngine(buffers);
      expect(wasm.nTheta).toBe(dense.nTheta);
      for (let k = 0; k < 3; k++) {
        const theta = someTheta(buffers, k);
        for (const reml of [false, true]) {
          relClose(wasm.objective(theta, reml), dense.objective(theta, reml), 1e-10);
          const gw = new Float64Array(wasm.nTheta);
          const gd = new Float64Array(wasm.nTheta);
          relClose(wasm.gradient(theta, reml, gw), dense.gradient(theta, reml, gd), 1e-10);
          arraysClose(gw, gd, 1e-8);
          const sw = wasm.solve(theta, reml);
          const sd = dense.solve(theta, reml);
          arraysClose(sw.beta, sd.beta, 1e-9);
          arraysClose(sw.u, sd.u, 1e-9);
          arraysClose(sw.b, sd.b, 1e-9);
          relClose(sw.sigma, sd.sigma, 1e-10);
          relClose(sw.pwrss, sd.pwrss, 1e-10);
          relClose(sw.logDetM, sd.logDetM, 1e-10);
          relClose(sw.logDetS, sd.logDetS, 1e-10);
          arraysClose(sw.vcovBeta, sd.vcovBeta, 1e-9);
          const cw = wasm.condVar(theta, reml);
          const cd = dense.condVar(theta, reml);
          expect(cw.length).toBe(cd.length);
          cw.forEach((c, t) => {
            arraysClose(c, cd[t] as Float64Array, 1e-9);
          });
        }
      }
    });
  }

  it("the trailing-block kind is chosen as intended (sparse for nested, dense for crossed)", () => {
    expect(
      buildBlockedLayout(randomCases["nested, large outer factor (sparse trailing path)"]!()).sparseTrailing,
    ).toBe(true);
    expect(
      buildBlockedLayout(randomCases["crossed, large trailing block (tiled dense path)"]!()).sparseTrailing,
    ).toBe(false);
  });

  // The gradient switches from the inverse-factor identity to the selected inverse when a template diagonal
  // drops below 1e-3 (assembly/pls/gradient-inverse-factor.ts, INVERSE_PATH_MIN): both sides of the switch, and a vector term.
  for (const [name, value] of [
    ["crossed", 2e-3],
    ["crossed", 5e-4],
    ["crossed, p=3 term in the trailing block", 2e-3],
    ["crossed, p=3 term in the trailing block", 5e-4],
  ] as const)
    it(`${name}: gradient with a small diagonal θ (${value}) on either side of the path switch`, () => {
      const buffers = randomCases[name]!();
      const wasm = createWasmEngine(kernels, buffers);
      engines.push(wasm);
      const dense = createDenseEngine(buffers);
      const theta = someTheta(buffers, 4);
      theta[0] = value;
      for (const reml of [false, true]) {
        const gw = new Float64Array(wasm.nTheta);
        const gd = new Float64Array(wasm.nTheta);
        relClose(wasm.gradient(theta, reml, gw), dense.gradient(theta, reml, gd), 1e-10);
        arraysClose(gw, gd, 1e-8);
      }
    });

  it("a diagonal θ at its bound (singular fit) still evaluates and matches", () => {
    const buffers = randomCases.crossed!();
    const wasm = createWasmEngine(kernels, buffers);
    engines.push(wasm);
    const dense = createDenseEngine(buffers);
    const theta = someTheta(buffers, 5);
    theta[0] = 0;
    for (const reml of [false, true]) {
      const gw = new Float64Array(wasm.nTheta);
      const gd = new Float64Array(wasm.nTheta);
      relClose(wasm.gradient(theta, reml, gw), dense.gradient(theta, reml, gd), 1e-10);
      arraysClose(gw, gd, 1e-8);
    }
  });
});
