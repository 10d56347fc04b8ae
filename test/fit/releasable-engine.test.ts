/**
 * An engine that gives its wasm memory back between uses (src/fit/releasable-engine.ts): made again after a
 * release, it gives the same numbers to the last bit, with the response and weights last given; fitMixed releases a
 * large model's engine when the fit is done, and the model still answers what needs the engine. Fitting a model of
 * 0.8 GiB several times in one process: test/scale/large-models.test.ts.
 */
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { denseBlockOrder, trailingBytes } from "../../src/fit/blocked-layout.js";
import type { PlsEngine } from "../../src/fit/engine.js";
import { fitMixed as fit } from "../../src/fit/fit.js";
import {
  RELEASE_AFTER_FIT_BYTES,
  type ReleasableEngine,
  releasableEngine,
} from "../../src/fit/releasable-engine.js";
import { innerEngine } from "../../src/fit/response-reduction.js";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { loadKernels } from "../../src/wasm/load.js";
import { randomCases, rng, someTheta } from "../engine/random-designs.js";

/** Everything an engine computes at θ, as plain arrays. */
function snapshot(e: PlsEngine, theta: Float64Array, reml: boolean) {
  const grad = new Float64Array(e.nTheta);
  const f = e.gradient(theta, reml, grad);
  const s = e.solve(theta, reml);
  return {
    f,
    objective: e.objective(theta, reml),
    grad: Array.from(grad),
    beta: Array.from(s.beta),
    u: Array.from(s.u),
    vcov: Array.from(s.vcovBeta),
    condVar: e.condVar(theta, reml).map((c) => Array.from(c)),
  };
}

describe("releasableEngine", async () => {
  const kernels = await loadKernels();
  const buffers = randomCases["three crossed factors"]!();
  const make = (b: typeof buffers) => createWasmEngine(kernels, b);

  it("made again after a release, gives the same numbers to the last bit", () => {
    const e = releasableEngine(make(buffers), make);
    const theta = someTheta(buffers, 1);
    const before = snapshot(e, theta, true);
    e.release();
    expect(e.holding).toBe(false);
    expect(snapshot(e, theta, true)).toEqual(before);
    expect(e.holding).toBe(true);
    e.dispose();
  });

  it("keeps the response and the weights last given across a release", () => {
    const r = rng(5);
    const y = Float64Array.from(buffers.y, (v) => v + r() - 0.5);
    const w = Float64Array.from(buffers.y, () => 0.5 + r());
    const theta = someTheta(buffers, 2);
    const direct = make({ ...buffers, y, weights: w });
    const want = snapshot(direct, theta, false);
    direct.dispose();
    const e = releasableEngine(make(buffers), make);
    e.setResponse(y);
    e.setWeights(w);
    e.release();
    expect(snapshot(e, theta, false)).toEqual(want);
    expect(e.buffers.y).toBe(y);
    e.dispose();
  });

  it("refuses use after dispose", () => {
    const e = releasableEngine(make(buffers), make);
    e.dispose();
    expect(() => e.objective(someTheta(buffers, 0), true)).toThrow(/disposed/);
  });
});

describe("fitMixed and a large engine", () => {
  // (1|subject/session): 2,500 subjects make a trailing block of order 2,502, 150 MB of buffers.
  const r = rng(17);
  const data: Record<string, (number | string)[]> = { y: [], time: [], subject: [], session: [] };
  for (let k = 0; k < 2500; k++) {
    const a = 2 * r() - 1;
    for (let v = 0; v < 3; v++) {
      const b = r() - 0.5;
      for (let j = 0; j < 2; j++) {
        data.y!.push(1 + 0.2 * v + a + b + (r() - 0.5));
        data.time!.push(v + 0.1 * j);
        data.subject!.push(`p${k}`);
        data.session!.push(`v${v}`);
      }
    }
  }
  const formula = "y ~ time + (1|subject/session)";

  it("releases it once the fit is done, and the model still answers from a new one", async () => {
    const buffers = designBuffers(buildDesign(formula, data));
    expect(trailingBytes(denseBlockOrder(buffers))).toBeGreaterThanOrEqual(RELEASE_AFTER_FIT_BYTES);
    const m = await fit(formula, data);
    const inner = innerEngine(m.engine) as ReleasableEngine;
    expect(inner.holding).toBe(false);
    // The same fit on an engine the caller gives (never released): the same conditional variances and profile
    // point, to the last bit.
    const kernels = await loadKernels();
    const kept = await fit(formula, data, { engine: (b) => createWasmEngine(kernels, b) });
    expect(m.objective).toBe(kept.objective);
    expect(m.ranef({ condVar: true })).toEqual(kept.ranef({ condVar: true }));
    expect(inner.holding).toBe(true);
    const theta = Float64Array.from(m.theta, (t) => 1.01 * t);
    expect(m.engine.objective(theta, false)).toBe(kept.engine.objective(theta, false));
  });

  it("keeps a small model's engine", async () => {
    const m = await fit("y ~ time + (1|subject)", data);
    expect("holding" in innerEngine(m.engine)).toBe(false);
  });
});
