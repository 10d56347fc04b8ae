/**
 * An engine that gives its wasm memory back between uses (src/fit/releasable-engine.ts): made again after a
 * release, it gives the same numbers to the last bit, with the response and weights last given; fitMixed keeps an
 * engine below RELEASE_AFTER_FIT_BYTES (a nested model's, on the sparse pattern, is one). A large dense engine
 * released after its fit, and a model fitted several times in one process: test/scale/repeated-fits.test.ts.
 */
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { denseBlockOrder } from "../../src/fit/blocked-layout.js";
import type { PlsEngine } from "../../src/fit/engine.js";
import { fitMixed as fit } from "../../src/fit/fit.js";
import { RELEASE_AFTER_FIT_BYTES, releasableEngine } from "../../src/fit/releasable-engine.js";
import { innerEngine } from "../../src/fit/response-reduction.js";
import { createWasmEngine, evaluationContext } from "../../src/fit/wasm-engine.js";
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

describe("fitMixed and the engine's size", () => {
  // (1|subject/session): 2,500 subjects make a trailing block of order 2,503. Dense, its three nd×nd buffers would
  // take 150 MB; it stays diagonal in its random rows, so the engine keeps it on the sparse factor's pattern.
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

  it("keeps a nested model's engine: on the sparse pattern it is far below the release size", async () => {
    const buffers = designBuffers(buildDesign(formula, data));
    expect(denseBlockOrder(buffers)).toBe(2503);
    const m = await fit(formula, data);
    const inner = innerEngine(m.engine);
    expect("holding" in inner).toBe(false);
    expect(evaluationContext(inner)!.bytes).toBeLessThan(RELEASE_AFTER_FIT_BYTES / 8);
  });

  it("keeps a small model's engine", async () => {
    const m = await fit("y ~ time + (1|subject)", data);
    expect("holding" in innerEngine(m.engine)).toBe(false);
  });
});
