/**
 * A large model fitted several times in one process (`npm run test:scale`): `y ~ time + (1|subject/session)` with
 * 6,000 subjects (test/fixtures/scale/repeated-measures, data from make-data.mjs), whose engine buffers take 0.8 GiB
 * of the thread's wasm heap (below 2 GiB). The engine is given back once each fit is done and made again when the
 * model needs it (src/fit/releasable-engine.ts): before, the second fit failed with "could not allocate 0.81 GiB of
 * wasm memory", the first model's engine still held until the garbage collector finalised it. Each fit reaches
 * lme4 1.1-31's optimum.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { denseBlockOrder } from "../../src/fit/blocked-layout.js";
import { fitMixed as fit } from "../../src/fit/fit.js";
import type { LinearMixedModel } from "../../src/fit/model.js";
import type { ReleasableEngine } from "../../src/fit/releasable-engine.js";
import { innerEngine } from "../../src/fit/response-reduction.js";
// @ts-expect-error: a plain .mjs script beside its fixture, shared with make-reference.R's data
import { repeatedMeasures } from "../fixtures/scale/repeated-measures/make-data.mjs";
import { expectAtLme4Optimum, type Lme4Optimum } from "../support/compare.js";
import { fixturesDir } from "../support/fixtures.js";

const ref = JSON.parse(
  readFileSync(join(fixturesDir, "scale", "repeated-measures", "reference.json"), "utf8"),
) as Lme4Optimum & { formula: string };
const data = repeatedMeasures(6000) as Record<string, (number | string)[]>;

describe("a 0.8 GiB model fitted again and again in one process", () => {
  it("has a trailing block of order 6,003", () => {
    expect(denseBlockOrder(designBuffers(buildDesign(ref.formula, data)))).toBe(6003);
  });

  it("fits three times, each at lme4's optimum, each engine given back; the first model still answers", async () => {
    const models: LinearMixedModel[] = [];
    for (let k = 0; k < 3; k++) {
      const m = await fit(ref.formula, data);
      expect((innerEngine(m.engine) as ReleasableEngine).holding).toBe(false);
      expectAtLme4Optimum(m, ref, 1e-6);
      models.push(m);
    }
    expect(models[1]!.objective).toBe(models[0]!.objective);
    // The conditional variances need the engine: the first model makes its own again.
    const [subjects] = models[0]!.ranef({ condVar: true }).filter((g) => g.group === "subject");
    expect(subjects!.condVar!.length).toBe(6000);
    expect(subjects!.condVar![0]![0]![0]).toBeGreaterThan(0);
  }, 120_000);
});
