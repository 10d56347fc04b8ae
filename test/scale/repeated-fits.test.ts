/**
 * Large models in one process (`npm run test:scale`).
 *
 * - `y ~ time + (1|subject/session)` with 6,000 subjects (test/fixtures/scale/repeated-measures, data from
 *   make-data.mjs): a trailing block of order 6,003 that stays diagonal in its random rows. Its engine once took
 *   0.8 GiB of dense buffers and was released after each fit (src/fit/releasable-engine.ts; before that, the second
 *   fit failed to allocate); on the sparse pattern it takes a few MB and is kept. Fitted three times, each at
 *   lme4 1.1-31's optimum.
 * - The same design with 20,000 subjects (200,000 rows, order 20,003): refused before (its dense buffers would take
 *   8.9 GiB), now fitted at lme4's optimum (lme4 warns; spruce is at or below its criterion).
 * - A random crossing whose trailing block fills in (6,000 × 2,400 levels): dense, 138 MB of buffers, released once
 *   the fit is done and made again, to the same numbers, when the model needs it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { denseBlockOrder } from "../../src/fit/blocked-layout.js";
import { fitMixed as fit } from "../../src/fit/fit.js";
import type { LinearMixedModel } from "../../src/fit/model.js";
import { RELEASE_AFTER_FIT_BYTES, type ReleasableEngine } from "../../src/fit/releasable-engine.js";
import { innerEngine } from "../../src/fit/response-reduction.js";
import { engineContext, evaluationContext } from "../../src/fit/wasm-engine.js";
import { rng } from "../engine/random-designs.js";
// @ts-expect-error: a plain .mjs script beside its fixture, shared with make-reference.R's data
import { repeatedMeasures } from "../fixtures/scale/repeated-measures/make-data.mjs";
import { expectAtLme4Optimum, type Lme4Optimum } from "../support/compare.js";
import { fixturesDir } from "../support/fixtures.js";

const reference = (file: string) =>
  JSON.parse(readFileSync(join(fixturesDir, "scale", "repeated-measures", file), "utf8")) as Lme4Optimum & {
    formula: string;
  };

describe("a nested model of order 6,003 fitted again and again in one process", () => {
  const ref = reference("reference.json");
  const data = repeatedMeasures(6000) as Record<string, (number | string)[]>;

  it("has a trailing block of order 6,003", () => {
    expect(denseBlockOrder(designBuffers(buildDesign(ref.formula, data)))).toBe(6003);
  });

  it("fits three times, each at lme4's optimum, on the sparse pattern (a few MB, kept); the first model answers", async () => {
    const models: LinearMixedModel[] = [];
    for (let k = 0; k < 3; k++) {
      const m = await fit(ref.formula, data);
      const inner = innerEngine(m.engine);
      expect(evaluationContext(inner)!.trailing).toBe("sparse");
      expect(evaluationContext(inner)!.bytes).toBeLessThan(64 * 2 ** 20);
      expect("holding" in inner).toBe(false);
      expectAtLme4Optimum(m, ref, 1e-6);
      models.push(m);
    }
    expect(models[1]!.objective).toBe(models[0]!.objective);
    const [subjects] = models[0]!.ranef({ condVar: true }).filter((g) => g.group === "subject");
    expect(subjects!.condVar!.length).toBe(6000);
    expect(subjects!.condVar![0]![0]![0]).toBeGreaterThan(0);
  }, 120_000);
});

describe("a nested model of order 20,003 (dense: 8.9 GiB, refused before)", () => {
  const ref = reference("reference-20000.json");
  const data = repeatedMeasures(20000) as Record<string, (number | string)[]>;

  it("at lme4's θ̂ gives lme4's criterion; fit() reaches it or below, in an engine that grows with the pattern", async () => {
    expect(denseBlockOrder(designBuffers(buildDesign(ref.formula, data)))).toBe(20003);
    const m = await fit(ref.formula, data);
    expect(evaluationContext(innerEngine(m.engine))!.bytes).toBeLessThan(128 * 2 ** 20);
    const atLme4 = m.engine.objective(Float64Array.from(ref.theta), true);
    expect(Math.abs(atLme4 - ref.objective)).toBeLessThan(1e-9 * ref.objective);
    // lme4 stopped short (max|grad| 0.0036, its warning): spruce's criterion is lower, its θ̂ and σ̂ a little apart.
    expect(m.optimizer.converged).toBe(true);
    expect(m.objective).toBeLessThanOrEqual(ref.objective);
    expect(m.objective).toBeGreaterThan(ref.objective - 1e-3);
    Array.from(m.theta).forEach((t, i) => {
      expect(Math.abs(t - ref.theta[i]!)).toBeLessThan(1e-3);
    });
    expect(Math.abs(m.sigma - ref.sigma)).toBeLessThan(1e-5);
    const [subjects] = m.ranef({ condVar: true }).filter((g) => g.group === "subject");
    expect(subjects!.condVar!.length).toBe(20000);
  }, 120_000);
});

describe("a large dense engine is released after its fit", () => {
  // y ~ x + (1|a) + (1|b), 6,000 levels of a (5 rows each) crossed at random with 2,400 levels of b: the trailing
  // block of order 2,403 fills in when a is eliminated, so it is factored densely (three nd×nd buffers, 138 MB).
  const r = rng(31);
  const nA = 6000;
  const nB = 2400;
  const ua = Array.from({ length: nA }, () => r() - 0.5);
  const ub = Array.from({ length: nB }, () => r() - 0.5);
  const data: Record<string, (number | string)[]> = { y: [], x: [], a: [], b: [] };
  for (let i = 0; i < nA * 5; i++) {
    const a = i % nA;
    const b = Math.floor(r() * nB);
    const x = r();
    data.y!.push(1 + x + ua[a]! + ub[b]! + (r() - 0.5));
    data.x!.push(x);
    data.a!.push(`a${a}`);
    data.b!.push(`b${b}`);
  }

  it("gives the memory back, and the model's engine made again gives the fit's own numbers", async () => {
    const m = await fit("y ~ x + (1|a) + (1|b)", data);
    const inner = innerEngine(m.engine) as ReleasableEngine;
    expect(inner.holding).toBe(false);
    expect(m.engine.objective(Float64Array.from(m.theta), true)).toBe(m.objective);
    expect(inner.holding).toBe(true);
    expect(engineContext(inner)).toBeNull(); // a wrapper: the kernels' context is its inner engine's
    expect(evaluationContext(inner)).toBeNull();
    expect(3 * 2403 ** 2 * 8).toBeGreaterThanOrEqual(RELEASE_AFTER_FIT_BYTES);
    const [levelsOfB] = m.ranef({ condVar: true }).filter((g) => g.group === "b");
    expect(levelsOfB!.condVar!.length).toBe(nB);
  }, 120_000);
});
