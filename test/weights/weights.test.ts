/**
 * Prior weights through the library: the wasm engine against the dense oracle (which scales the rows of Z, X
 * and y by √w) and against central finite differences; weights of 1 change nothing; setWeights equals a fresh
 * engine; arrays and columns give the same fit; bad weights are DataErrors naming the row; simulate draws
 * ε ~ N(0, σ²/wᵢ); the bootstrap refits with the weights, the same for any number of workers.
 */
import { afterAll, describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { DataError } from "../../src/errors.js";
import type { PlsEngine } from "../../src/fit/engine.js";
import { fitMixed as fit, fitDesign } from "../../src/fit/fit.js";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { readCsv } from "../../src/frame/csv.js";
import { bootstrap } from "../../src/inference/bootstrap.js";
import { ResponseSimulator } from "../../src/inference/simulate.js";
import { RandomStream } from "../../src/random/stream.js";
import { loadKernels } from "../../src/wasm/load.js";
import { randomCases, rng, someTheta } from "../engine/random-designs.js";
import { createDenseEngine } from "../support/dense-pls.js";
import { fixtureDataPath, fixturesDir, loadFitFixture } from "../support/fixtures.js";

const weightedDir = `${fixturesDir}/weighted`;
const engines: PlsEngine[] = [];
afterAll(() => {
  for (const e of engines) e.dispose();
});

function weightsFor(n: number, seed: number): Float64Array {
  const r = rng(seed);
  // some zeros, the rest in (0.2, 3)
  return Float64Array.from({ length: n }, (_, i) => (i % 11 === 3 ? 0 : 0.2 + 2.8 * r()));
}

function close(a: number, b: number, tol: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
}

describe("weighted engine", async () => {
  const kernels = await loadKernels();
  for (const [name, make] of Object.entries(randomCases)) {
    it(`${name}: wasm equals the dense oracle, and the gradient central differences`, () => {
      const buffers = { ...make() };
      buffers.weights = weightsFor(buffers.n, 7);
      const wasm = createWasmEngine(kernels, buffers);
      engines.push(wasm);
      const dense = createDenseEngine(buffers);
      for (let k = 0; k < 2; k++) {
        const theta = someTheta(buffers, k);
        for (const reml of [false, true]) {
          close(wasm.objective(theta, reml), dense.objective(theta, reml), 1e-10);
          const gw = new Float64Array(wasm.nTheta);
          const gd = new Float64Array(wasm.nTheta);
          wasm.gradient(theta, reml, gw);
          dense.gradient(theta, reml, gd);
          for (let i = 0; i < gw.length; i++) close(gw[i]!, gd[i]!, 1e-7);
          const h = 1e-5;
          for (let i = 0; i < gw.length; i++) {
            const tp = Float64Array.from(theta);
            const tm = Float64Array.from(theta);
            tp[i]! += h;
            tm[i]! -= h;
            const fd = (wasm.objective(tp, reml) - wasm.objective(tm, reml)) / (2 * h);
            close(gw[i]!, fd, 1e-5);
          }
          const sw = wasm.solve(theta, reml);
          const sd = dense.solve(theta, reml);
          close(sw.pwrss, sd.pwrss, 1e-10);
          close(sw.sigma, sd.sigma, 1e-10);
          for (let i = 0; i < sw.beta.length; i++) close(sw.beta[i]!, sd.beta[i]!, 1e-8);
          for (let i = 0; i < sw.b.length; i++) close(sw.b[i]!, sd.b[i]!, 1e-8);
        }
      }
    });
  }

  it("weights of 1 give the unweighted numbers exactly", () => {
    const buffers = randomCases["one scalar term"]!();
    const plain = createWasmEngine(kernels, buffers);
    const ones = createWasmEngine(kernels, { ...buffers, weights: new Float64Array(buffers.n).fill(1) });
    engines.push(plain, ones);
    const theta = someTheta(buffers, 0);
    for (const reml of [false, true]) {
      expect(ones.objective(theta, reml)).toBe(plain.objective(theta, reml));
      expect(Array.from(ones.solve(theta, reml).beta)).toEqual(Array.from(plain.solve(theta, reml).beta));
    }
  });

  it("setWeights equals a fresh engine with those weights (what PIRLS needs per iteration)", () => {
    const make = Object.values(randomCases)[3]!;
    const buffers = make();
    const w = weightsFor(buffers.n, 3);
    const fresh = createWasmEngine(kernels, { ...buffers, weights: w });
    const swapped = createWasmEngine(kernels, buffers);
    engines.push(fresh, swapped);
    const theta = someTheta(buffers, 1);
    const before = swapped.objective(theta, true);
    swapped.setWeights(w);
    expect(swapped.objective(theta, true)).toBe(fresh.objective(theta, true));
    expect(swapped.objective(theta, true)).not.toBe(before);
    const gf = new Float64Array(fresh.nTheta);
    const gs = new Float64Array(fresh.nTheta);
    fresh.gradient(theta, false, gf);
    swapped.gradient(theta, false, gs);
    expect(Array.from(gs)).toEqual(Array.from(gf));
    expect(() => swapped.setWeights(Float64Array.from(w, (v, i) => (i === 4 ? -1 : v)))).toThrow(
      /observation 5.*negative/,
    );
  });
});

describe("fit(..., { weights })", () => {
  const fx = loadFitFixture("sleepstudy_w_reml", weightedDir);
  const data = readCsv(fixtureDataPath(fx, weightedDir));

  it("takes a column name or an array, with the same result", async () => {
    const byName = await fit(fx.formula, data, { weights: "w" });
    const col = data.columns.get("w");
    if (col?.kind !== "numeric") throw new Error("no numeric w column");
    const byArray = await fit(fx.formula, data, { weights: Array.from(col.values) });
    expect(byArray.objective).toBe(byName.objective);
    expect(byName.design.weightsName).toBe("w");
    expect(byArray.design.weightsName).toBe("(weights)");
    expect(byName.summary()).toMatch(/\nWeights: w\n/);
    expect(Math.abs(byName.objective - fx.objective)).toBeLessThan(2e-3);
  });

  it("deviance() and remlCriterion() include the log-determinant of W", async () => {
    const reml = await fit(fx.formula, data, { weights: "w" });
    const ml = await fit(fx.formula, data, { weights: "w", REML: false });
    // The REML criterion of the ML fit evaluated by the engine at θ̂_ML equals remlCriterion().
    close(ml.remlCriterion(), ml.engine.objective(ml.theta, true), 1e-12);
    close(reml.deviance(), reml.engine.objective(reml.theta, false), 1e-12);
  });

  const rows = [
    { y: 1, x: 0, g: "a", w: 1 },
    { y: 2, x: 1, g: "a", w: 2 },
    { y: 4, x: 2, g: "b", w: 1 },
    { y: 3, x: 0, g: "b", w: 1 },
    { y: 6, x: 1, g: "c", w: 0.5 },
    { y: 5, x: 2, g: "c", w: 1 },
    { y: 7, x: 0, g: "d", w: 1 },
    { y: 9, x: 3, g: "d", w: 2 },
  ];
  const bad = (value: unknown) => rows.map((r, i) => (i === 5 ? { ...r, w: value } : r));

  it("rejects negative and non-finite weights, naming the data row", async () => {
    await expect(fit("y ~ x + (1|g)", bad(-1), { weights: "w" })).rejects.toThrow(DataError);
    await expect(fit("y ~ x + (1|g)", bad(-1), { weights: "w" })).rejects.toThrow(/data row 6.*negative/);
    await expect(fit("y ~ x + (1|g)", bad(Number.POSITIVE_INFINITY), { weights: "w" })).rejects.toThrow(
      /data row 6.*finite/,
    );
    await expect(fit("y ~ x + (1|g)", rows, { weights: [1, 1, 1, 1, 1, 1, 1, -2] })).rejects.toThrow(
      /data row 8/,
    );
  });

  it("rejects a missing or non-numeric weights column, a wrong length, and all-zero weights", async () => {
    await expect(fit("y ~ x + (1|g)", rows, { weights: "v" })).rejects.toThrow(/'v' is not in the data/);
    await expect(fit("y ~ x + (1|g)", rows, { weights: "g" })).rejects.toThrow(/must be numeric/);
    await expect(fit("y ~ x + (1|g)", rows, { weights: [1, 2] })).rejects.toThrow(/2 values.*8 rows/);
    await expect(fit("y ~ x + (1|g)", rows, { weights: new Array(8).fill(0) })).rejects.toThrow(
      /every prior/,
    );
  });

  it("drops a row whose weight is missing, as lme4's na.omit", () => {
    const d = buildDesign("y ~ x + (1|g)", bad(null), { weights: "w" });
    expect(d.n).toBe(7);
    expect(d.droppedRows).toBe(1);
    expect(Array.from(d.weights!)).toEqual([1, 2, 1, 1, 0.5, 1, 2]);
  });
});

describe("simulate and bootstrap with weights", () => {
  it("draws ε with variance σ²/wᵢ (no noise for a zero weight), from the same stream", () => {
    const buffers = randomCases["one scalar term"]!();
    const theta = new Float64Array(1); // no random effects: y* − Xβ is ε alone
    const beta = Float64Array.from([0.5, -1]);
    const plain = new ResponseSimulator(buffers, theta, beta, 2);
    const w = Float64Array.from({ length: buffers.n }, (_, i) => (i === 2 ? 0 : 4));
    const weighted = new ResponseSimulator({ ...buffers, weights: w }, theta, beta, 2);
    const a = plain.simulate(new RandomStream(5).reset(0), new Float64Array(buffers.n));
    const b = weighted.simulate(new RandomStream(5).reset(0), new Float64Array(buffers.n));
    const mean = plain.fixedPart;
    for (let i = 0; i < buffers.n; i++) {
      const expected = i === 2 ? 0 : (a[i]! - mean[i]!) / 2;
      close(b[i]! - mean[i]!, expected, 1e-14);
    }
  });

  it("the parametric bootstrap refits with the weights, the same on 0 and 2 workers", async () => {
    const fx = loadFitFixture("sleepstudy_w0_ml", weightedDir);
    const model = await fit(fx.formula, readCsv(fixtureDataPath(fx, weightedDir)), {
      weights: "w",
      REML: false,
    });
    const a = await bootstrap(model, { nsim: 6, seed: 11, workers: 0 });
    const b = await bootstrap(model, { nsim: 6, seed: 11, workers: 2 });
    expect(a.failures.count).toBe(0);
    expect(a.values.map((v) => Array.from(v))).toEqual(b.values.map((v) => Array.from(v)));
    // Replicate 0 by hand: simulate with the weights, refit a weighted design.
    const sim = new ResponseSimulator(
      designBuffers(model.design),
      model.theta,
      model.solution.beta,
      model.sigma,
    );
    const y0 = sim.simulate(new RandomStream(11).reset(0), new Float64Array(model.nobs));
    const engine = createWasmEngine(await loadKernels(), { ...designBuffers(model.design), y: y0 });
    engines.push(engine);
    const refit = fitDesign(model.design, engine, { REML: false, start: model.theta });
    const sigmaIndex = a.names.indexOf("sigma");
    close(a.values[sigmaIndex]![0]!, refit.sigma, 1e-4);
  });
});
