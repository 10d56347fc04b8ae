/**
 * The kernels give the numbers they gave before: objective, gradient, PLS solution and conditional variances on
 * every random design (test/engine/random-designs.ts), at three θ, ML and REML, within 1e-12 relative (of the
 * largest entry of each array) of what baseline/capture.ts wrote
 * - at commit 520a403, before the kernel redesign of issue 11 (baseline/engine-520a403.json);
 * - at commit 0999ede, before terms on one grouping factor became one block (baseline/engine-0999ede.json: the
 *   designs added then, whose layout that change alters).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { PlsEngine } from "../../src/fit/engine.js";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { loadKernels } from "../../src/wasm/load.js";
import { randomCases } from "./random-designs.js";

interface Row {
  k: number;
  reml: boolean;
  theta: number[];
  objective: number;
  objective2: number;
  gradient: number[];
  beta: number[];
  u: number[];
  b: number[];
  pwrss: number;
  sigma: number;
  logDetM: number;
  logDetS: number;
  vcovBeta: number[];
  condVar: number[][];
}

const read = (commit: string) =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`./baseline/engine-${commit}.json`, import.meta.url)), "utf8"),
  ) as Record<string, Row[]>;
const baseline = { ...read("520a403"), ...read("0999ede") };

const TOL = 1e-12;
function same(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i] as number));
  for (let i = 0; i < want.length; i++)
    expect(Math.abs((got[i] as number) - (want[i] as number)), `${what}[${i}]`).toBeLessThanOrEqual(
      TOL * scale,
    );
}

const engines: PlsEngine[] = [];
afterAll(() => {
  for (const e of engines) e.dispose();
});

describe("the kernels reproduce the numbers of commits 520a403 and 0999ede", async () => {
  const kernels = await loadKernels();
  it("covers every random design", () => {
    expect(Object.keys(baseline).sort()).toEqual(Object.keys(randomCases).sort());
  });
  for (const [name, make] of Object.entries(randomCases)) {
    it(name, () => {
      const engine = createWasmEngine(kernels, make());
      engines.push(engine);
      for (const row of baseline[name] ?? []) {
        const theta = Float64Array.from(row.theta);
        const at = `${name} k=${row.k} reml=${row.reml}`;
        same([engine.objective(theta, row.reml)], [row.objective], `${at} objective`);
        const grad = new Float64Array(engine.nTheta);
        same([engine.gradient(theta, row.reml, grad)], [row.objective2], `${at} objective (with ∇)`);
        same(grad, row.gradient, `${at} gradient`);
        const s = engine.solve(theta, row.reml);
        same(s.beta, row.beta, `${at} β`);
        same(s.u, row.u, `${at} u`);
        same(s.b, row.b, `${at} b`);
        same([s.pwrss, s.sigma, s.logDetM, s.logDetS], [row.pwrss, row.sigma, row.logDetM, row.logDetS], at);
        same(s.vcovBeta, row.vcovBeta, `${at} vcov`);
        engine.condVar(theta, row.reml).forEach((c, t) => {
          same(c, row.condVar[t] ?? [], `${at} condVar ${t}`);
        });
      }
    });
  }
});
