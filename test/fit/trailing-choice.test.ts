/**
 * The choice of the trailing factor before the engine is built (src/fit/trailing-choice.ts): a large block that
 * factors sparse gets no helper thread, one that factors dense does, a small one is left to the engine; the engine
 * built on the choice's layout and plan evaluates the criterion as one that makes its own, to the last bit.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { denseBlockOrder } from "../../src/fit/blocked-layout.js";
import { TEAM_DENSE_BLOCK } from "../../src/fit/kernel-team-instance.js";
import { chooseTrailing } from "../../src/fit/trailing-choice.js";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { readCsv } from "../../src/frame/csv.js";
import { type KernelExports, loadKernels } from "../../src/wasm/load.js";
import { fixturesDir } from "../support/fixtures.js";

let k: KernelExports;
beforeAll(async () => {
  k = await loadKernels();
});

const star = () =>
  designBuffers(
    buildDesign(
      "math ~ gr + cltype + sx + (1|id) + (1|tch) + (1|sch)",
      readCsv(join(fixturesDir, "perf", "data", "star.csv")),
    ),
  );

/** y ~ x + (1|a) + (1|b), 1000 × 800 levels crossed at random: a dense block of order 803 that fills in. */
function crossing() {
  let s = 12345;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const n = 16000;
  const data = { a: [] as string[], b: [] as string[], x: [] as number[], y: [] as number[] };
  for (let i = 0; i < n; i++) {
    data.a.push(`a${i % 1000}`);
    data.b.push(`b${Math.floor(r() * 800)}`);
    data.x.push(r());
    data.y.push(r() + (i % 7));
  }
  return designBuffers(buildDesign("y ~ x + (1|a) + (1|b)", data));
}

describe("chooseTrailing", () => {
  it("a large block that factors sparse (star, order 1,462): its plan, no helper thread", () => {
    const buffers = star();
    expect(denseBlockOrder(buffers)).toBeGreaterThanOrEqual(TEAM_DENSE_BLOCK);
    const choice = chooseTrailing(k, buffers, {}, false);
    expect(choice.plan).toBeTruthy();
    expect(choice.layout).toBeDefined();
    expect(choice.wantsTeam).toBe(false);
  });

  it("a large block that fills in (a random crossing, order 803): the dense factor and a helper thread", () => {
    const buffers = crossing();
    expect(denseBlockOrder(buffers)).toBeGreaterThanOrEqual(TEAM_DENSE_BLOCK);
    const choice = chooseTrailing(k, buffers, {}, false);
    expect(choice.plan).toBeNull();
    expect(choice.wantsTeam).toBe(true);
    // the caller's own engine decides for itself
    expect(chooseTrailing(k, buffers, {}, true)).toEqual({ wantsTeam: false });
  });

  it("a small block is left to the engine (no layout, no plan, no helper)", () => {
    const data = readCsv(join(fixturesDir, "perf", "data", "hsb82.csv"));
    const buffers = designBuffers(buildDesign("mAch ~ ses*sector + (ses|school)", data));
    expect(chooseTrailing(k, buffers, {}, false)).toEqual({ wantsTeam: false });
  });

  it("the size limit still refuses a large block that does not factor sparse within it, naming its order", () => {
    expect(() => chooseTrailing(k, crossing(), { maxDenseBlock: 500 }, false)).toThrow(/order 803/);
  });

  it("the engine on the choice's layout and plan evaluates as one that makes its own, bit for bit", () => {
    for (const buffers of [star(), crossing()]) {
      const choice = chooseTrailing(k, buffers, {}, false);
      const given = createWasmEngine(k, buffers, {
        ...(choice.layout && { layout: choice.layout }),
        ...(choice.plan !== undefined && { plan: choice.plan }),
      });
      const own = createWasmEngine(k, buffers);
      const theta = Float64Array.from(buffers.terms, () => 0.7);
      const g1 = new Float64Array(theta.length);
      const g2 = new Float64Array(theta.length);
      expect(given.gradient(theta, true, g1)).toBe(own.gradient(theta, true, g2));
      expect(Array.from(g1)).toEqual(Array.from(g2));
    }
  });
});
