/**
 * Engine life cycle: a new response (bootstrap replicate) gives the same numbers as a fresh engine on that
 * response; engines sharing one wasm instance survive the memory growth caused by later engines; bad input is a
 * SpruceError.
 */
import { describe, expect, it } from "vitest";
import type { DesignBuffers } from "../../src/design/types.js";
import { SpruceError } from "../../src/errors.js";
import { createWasmEngine, evaluationContext } from "../../src/fit/wasm-engine.js";
import { compileKernels, instantiateKernels } from "../../src/wasm/load.js";
import { randomBuffers, randomCases, rng, someTheta } from "./random-designs.js";

function newResponse(b: DesignBuffers, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from(b.y, (v) => v + r() - 0.5);
}

describe("reusing the factor of the last evaluation", async () => {
  const kernels = instantiateKernels(await compileKernels());
  for (const name of [
    "crossed, large trailing block (tiled dense path)",
    "one vector term (p=3)",
    "nested",
  ]) {
    it(`${name}: f then ∇f at the same θ equals ∇f alone on a fresh engine, bit for bit`, () => {
      const b = randomCases[name]!();
      const engine = createWasmEngine(kernels, b);
      const fresh = createWasmEngine(kernels, b);
      const theta = someTheta(b, 1);
      for (const reml of [false, true]) {
        const f = engine.objective(theta, reml);
        const g1 = new Float64Array(engine.nTheta);
        const g2 = new Float64Array(engine.nTheta);
        expect(engine.gradient(theta, reml, g1)).toBe(f);
        // another θ in between on the fresh engine, so its gradient is computed from a new factorisation
        fresh.objective(someTheta(b, 2), reml);
        expect(fresh.gradient(theta, reml, g2)).toBe(f);
        expect(Array.from(g1)).toEqual(Array.from(g2));
        const s1 = engine.solve(theta, reml);
        const s2 = createWasmEngine(kernels, b).solve(theta, reml);
        expect(Array.from(s1.beta)).toEqual(Array.from(s2.beta));
        expect(s1.pwrss).toBe(s2.pwrss);
      }
    });
  }

  it("the same θ under the other criterion, or after a new response, is not served from the old factor", () => {
    const b = randomCases.crossed!();
    const engine = createWasmEngine(kernels, b);
    const theta = someTheta(b, 1);
    const ml = engine.objective(theta, false);
    const reml = engine.objective(theta, true);
    expect(reml).toBe(createWasmEngine(kernels, b).objective(theta, true));
    expect(reml).not.toBe(ml);
    const y2 = newResponse(b, 3);
    engine.setResponse(y2);
    const g1 = new Float64Array(engine.nTheta);
    const g2 = new Float64Array(engine.nTheta);
    const fresh = createWasmEngine(kernels, { ...b, y: y2 });
    expect(engine.gradient(theta, true, g1)).toBe(fresh.gradient(theta, true, g2));
    expect(Array.from(g1)).toEqual(Array.from(g2));
  });
});

describe("setResponse", async () => {
  const kernels = instantiateKernels(await compileKernels());
  for (const name of ["one vector term (p=3)", "three crossed factors", "nested"]) {
    it(`${name}: objective, gradient and solution equal a fresh engine on the new y`, () => {
      const b = randomCases[name]!();
      const engine = createWasmEngine(kernels, b);
      const theta = someTheta(b, 2);
      engine.objective(theta, true);
      const y2 = newResponse(b, 7);
      engine.setResponse(y2);
      const fresh = createWasmEngine(kernels, { ...b, y: y2 });
      for (const reml of [false, true]) {
        expect(engine.objective(theta, reml)).toBeCloseTo(fresh.objective(theta, reml), 10);
        const g1 = new Float64Array(engine.nTheta);
        const g2 = new Float64Array(engine.nTheta);
        engine.gradient(theta, reml, g1);
        fresh.gradient(theta, reml, g2);
        for (let i = 0; i < g1.length; i++) expect(g1[i]).toBeCloseTo(g2[i] as number, 9);
        const s1 = engine.solve(theta, reml);
        const s2 = fresh.solve(theta, reml);
        for (let i = 0; i < s1.beta.length; i++) expect(s1.beta[i]).toBeCloseTo(s2.beta[i] as number, 10);
        for (let i = 0; i < s1.b.length; i++) expect(s1.b[i]).toBeCloseTo(s2.b[i] as number, 10);
      }
      expect(engine.buffers.y).toBe(y2);
      // the caller's buffers are not modified
      expect(b.y).not.toBe(y2);
      engine.dispose();
      fresh.dispose();
    });
  }

  it("rejects a response of the wrong length or with NaN", () => {
    const b = randomCases["one scalar term"]!();
    const engine = createWasmEngine(kernels, b);
    expect(() => engine.setResponse(new Float64Array(3))).toThrow(SpruceError);
    const bad = b.y.slice();
    bad[4] = Number.NaN;
    expect(() => engine.setResponse(bad)).toThrow(/observation 5/);
    engine.dispose();
  });
});

describe("wasm memory growth", async () => {
  it("engines created earlier keep working after later engines grow the memory", async () => {
    const kernels = instantiateKernels(await compileKernels());
    const first = createWasmEngine(kernels, randomCases.crossed!());
    const theta = someTheta(first.buffers, 1);
    const before = first.objective(theta, true);
    const g0 = new Float64Array(first.nTheta);
    first.gradient(theta, true, g0);
    const pagesBefore = kernels.memory.buffer.byteLength;
    // a big trailing block (≈ 600² doubles, several times) forces memory.grow
    const big = [0, 1, 2].map((k) =>
      createWasmEngine(
        kernels,
        randomBuffers(
          2000,
          2,
          [
            { nlevels: 700, p: 1, level: (i) => i % 700 },
            { nlevels: 600, p: 1, level: (i) => (i * 7 + k) % 600 },
          ],
          40 + k,
        ),
      ),
    );
    expect(kernels.memory.buffer.byteLength).toBeGreaterThan(pagesBefore);
    expect(first.objective(theta, true)).toBe(before);
    const g1 = new Float64Array(first.nTheta);
    first.gradient(theta, true, g1);
    expect(Array.from(g1)).toEqual(Array.from(g0));
    for (const e of big) expect(Number.isFinite(e.objective(someTheta(e.buffers, 0), false))).toBe(true);
    for (const e of big) e.dispose();
    first.dispose();
  });
});

describe("bad input", async () => {
  const kernels = instantiateKernels(await compileKernels());
  it("θ of the wrong length is a SpruceError", () => {
    const e = createWasmEngine(kernels, randomCases["one scalar term"]!());
    expect(() => e.objective(new Float64Array(3), true)).toThrow(/θ has 3 entries, the model has 1/);
    e.dispose();
  });
  it("a level index out of range names the term and observation", () => {
    const b = randomCases["one scalar term"]!();
    b.terms[0]!.refs[9] = 99;
    expect(() => createWasmEngine(kernels, b)).toThrow(
      /term 1: level index 99 out of range at observation 10/,
    );
  });
  it("rank-deficient X makes solve throw a SpruceError instead of returning NaN", () => {
    const b = randomCases["one scalar term"]!();
    // column 2 := column 1
    b.X.set(b.X.subarray(0, b.n), b.n);
    const e = createWasmEngine(kernels, b);
    expect(e.objective(Float64Array.of(1), true)).toBe(Number.POSITIVE_INFINITY);
    expect(() => e.solve(Float64Array.of(1), true)).toThrow(SpruceError);
    e.dispose();
  });
});

describe("degenerate responses", async () => {
  const kernels = instantiateKernels(await compileKernels());
  it("a response the fixed effects reproduce exactly leaves a penalised RSS at rounding level", () => {
    // (src/fit/fit.ts turns this into a ModelError; the engine must return it, not throw or return NaN)
    const b = randomCases["one scalar term"]!();
    const y = Float64Array.from({ length: b.n }, (_, i) => 2 + 3 * (b.X[b.n + i] as number));
    const e = createWasmEngine(kernels, { ...b, y });
    const s = e.solve(Float64Array.of(0.5), false);
    let mean = 0;
    for (const v of y) mean += v / b.n;
    let centred = 0;
    for (const v of y) centred += (v - mean) ** 2;
    expect(s.pwrss).toBeLessThan(1e-10 * centred);
    expect(Number.isNaN(s.objective)).toBe(false);
    e.dispose();
  });
  it("REML with no residual degrees of freedom is a SpruceError", () => {
    const b = randomBuffers(2, 2, [{ nlevels: 2, p: 1, level: (i) => i }], 3);
    const e = createWasmEngine(kernels, b);
    expect(() => e.objective(Float64Array.of(1), true)).toThrow(/REML needs more observations/);
    e.dispose();
  });
});

describe("model size", async () => {
  const kernels = instantiateKernels(await compileKernels());
  // Two factors with a level per observation (20,000 levels, 4,000 of them empty, and 16,000): after the first is
  // eliminated the trailing block has order 16,000 + 2 + 1, and stays diagonal in its random rows.
  const n = 16000;
  const b = randomBuffers(
    n,
    2,
    [
      { nlevels: 20000, p: 1, level: (i) => i },
      { nlevels: 16000, p: 1, level: (i) => i % 16000 },
    ],
    9,
  );

  it("a dense block too large for wasm memory is a SpruceError naming its order, not an abort", () => {
    // dense, its three nd×nd buffers would take 3 × 2 GiB
    expect(() => createWasmEngine(kernels, b, { trailing: "dense" })).toThrow(
      /too large for the engine.*order 16003/,
    );
  });

  it("the same order on a sparse pattern is built, in memory that grows with the pattern, not with nd²", () => {
    const e = createWasmEngine(kernels, b);
    try {
      expect(evaluationContext(e)!.trailing).toBe("sparse");
      expect(evaluationContext(e)!.bytes).toBeLessThan(16 * 2 ** 20);
      // Independent: each observation has its own level of both factors (an empty level adds log 1 = 0), so M is
      // block diagonal with 2×2 blocks of determinant 1 + θ₁² + θ₂², and the model is least squares with variance
      // σ²(1 + θ₁² + θ₂²): log|M| = n log(1 + θ₁² + θ₂²), r² = RSS_OLS / (1 + θ₁² + θ₂²).
      const theta = Float64Array.of(0.7, 1.3);
      const k = 1 + theta[0]! ** 2 + theta[1]! ** 2;
      const rss = olsRss(b);
      const ml = n * Math.log(k) + n * (1 + Math.log((2 * Math.PI * (rss / k)) / n));
      expect(Math.abs(e.objective(theta, false) - ml) / Math.abs(ml)).toBeLessThan(1e-10);
    } finally {
      e.dispose();
    }
  });
});

/** The residual sum of squares of y on X (two columns) by the normal equations. */
function olsRss(b: DesignBuffers): number {
  const { n, X, y } = b;
  let s00 = 0;
  let s01 = 0;
  let s11 = 0;
  let t0 = 0;
  let t1 = 0;
  for (let i = 0; i < n; i++) {
    const x0 = X[i]!;
    const x1 = X[n + i]!;
    s00 += x0 * x0;
    s01 += x0 * x1;
    s11 += x1 * x1;
    t0 += x0 * y[i]!;
    t1 += x1 * y[i]!;
  }
  const det = s00 * s11 - s01 * s01;
  const b0 = (s11 * t0 - s01 * t1) / det;
  const b1 = (s00 * t1 - s01 * t0) / det;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i]! - b0 * X[i]! - b1 * X[n + i]!) ** 2;
  return rss;
}
