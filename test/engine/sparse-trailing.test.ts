/**
 * The sparse trailing block (src/fit/sparse-trailing/, assembly/sparse/, assembly/pls/sparse-trailing.ts) against
 * the dense one, each forced, on every conformance and crossed fixture: the objective to 1e-10 relative (issue
 * 15), the gradient, the solution, vcov and the conditional variances; and the sparse gradient against central
 * finite differences. θ: lme4's estimate and two points around it, ML and REML.
 */

import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { type DesignBuffers, designBuffers } from "../../src/design/types.js";
import { buildBlockedLayout } from "../../src/fit/blocked-layout.js";
import type { PlsEngine } from "../../src/fit/engine.js";
import { planSparseTrailing } from "../../src/fit/sparse-trailing/plan.js";
import { createWasmEngine, evaluationContext } from "../../src/fit/wasm-engine.js";
import { readCsv } from "../../src/frame/index.js";
import { SLOT } from "../../src/wasm/contract.js";
import { loadKernels } from "../../src/wasm/load.js";
import { asArray, fitFixtureIds, fixtureDataPath, fixturesDir, loadFitFixture } from "../support/fixtures.js";
import { conformanceDesigns } from "./conformance-designs.js";

const engines: PlsEngine[] = [];
afterAll(() => {
  for (const e of engines) e.dispose();
});

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i] as number));
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)) / scale);
  return m;
}

const crossedDir = join(fixturesDir, "crossed");
const cases: { id: string; buffers: () => DesignBuffers; theta: number[] }[] = [
  ...fitFixtureIds().map((id) => ({
    id,
    buffers: () => designBuffers(conformanceDesigns[id]!()),
    theta: asArray(loadFitFixture(id).theta),
  })),
  ...fitFixtureIds(crossedDir).map((id) => {
    const fx = loadFitFixture(id, crossedDir);
    return {
      id: `crossed/${id}`,
      buffers: () => designBuffers(buildDesign(fx.formula, readCsv(fixtureDataPath(fx, crossedDir)))),
      theta: asArray(fx.theta),
    };
  }),
];

/** lme4's θ̂ (a zero nudged off the boundary for the finite differences) and two points around it. */
function thetas(theta: number[]): Float64Array[] {
  const at = Float64Array.from(theta);
  return [
    at,
    Float64Array.from(theta, (t, i) => (t === 0 ? 0.05 : t * (1 + 0.1 * ((i % 3) - 1)) + 0.02)),
    Float64Array.from(theta, (t, i) => 0.5 * t + 0.1 * (i + 1)),
  ];
}

describe("sparse trailing block = dense trailing block", async () => {
  const kernels = await loadKernels();
  it("covers the conformance and crossed fixtures", () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
  });
  for (const c of cases) {
    it(c.id, () => {
      const buffers = c.buffers();
      const dense = createWasmEngine(kernels, buffers, { trailing: "dense" });
      const sparse = createWasmEngine(kernels, buffers, { trailing: "sparse" });
      engines.push(dense, sparse);
      // Forced sparse, a model with other random terms than term 1 is on the sparse path; a one-factor model's
      // trailing block is X and y only and stays dense.
      expect(evaluationContext(sparse)!.trailing).toBe(
        buildBlockedLayout(buffers).qRest > 0 ? "sparse" : "dense",
      );
      for (const theta of thetas(c.theta))
        for (const reml of [false, true]) {
          const fd = dense.objective(theta, reml);
          const fs = sparse.objective(theta, reml);
          expect(rel(fs, fd)).toBeLessThan(1e-10);
          const gd = new Float64Array(dense.nTheta);
          const gs = new Float64Array(sparse.nTheta);
          dense.gradient(theta, reml, gd);
          sparse.gradient(theta, reml, gs);
          expect(maxRel(gs, gd)).toBeLessThan(1e-7);
          const sd = dense.solve(theta, reml);
          const ss = sparse.solve(theta, reml);
          expect(maxRel(ss.beta, sd.beta)).toBeLessThan(1e-8);
          expect(maxRel(ss.u, sd.u)).toBeLessThan(1e-8);
          expect(maxRel(ss.vcovBeta, sd.vcovBeta)).toBeLessThan(1e-8);
          expect(rel(ss.logDetM, sd.logDetM)).toBeLessThan(1e-10);
          expect(rel(ss.logDetS, sd.logDetS)).toBeLessThan(1e-10);
          const cd = dense.condVar(theta, reml);
          const cs = sparse.condVar(theta, reml);
          cs.forEach((v, t) => {
            expect(maxRel(v, cd[t]!)).toBeLessThan(1e-8);
          });
        }
      // The sparse gradient against central differences (second point: off any boundary).
      const theta = thetas(c.theta)[1]!;
      for (const reml of [false, true]) {
        const g = new Float64Array(sparse.nTheta);
        sparse.gradient(theta, reml, g);
        const h = 1e-5;
        for (let i = 0; i < theta.length; i++) {
          const tp = Float64Array.from(theta);
          const tm = Float64Array.from(theta);
          tp[i] = (tp[i] as number) + h;
          tm[i] = (tm[i] as number) - h;
          const num = (sparse.objective(tp, reml) - sparse.objective(tm, reml)) / (2 * h);
          expect(Math.abs((g[i] as number) - num)).toBeLessThan(1e-4 * Math.max(1, Math.abs(num)));
        }
      }
    });
  }
});

describe("the per-level table of pattern positions", async () => {
  const kernels = await loadKernels();
  const multi = cases.filter((c) => buildBlockedLayout(c.buffers()).qRest > 0);

  it("holds, for every level's pair of random rows, the entry a search of the pattern finds", () => {
    for (const c of multi.slice(0, 6)) {
      const buffers = c.buffers();
      const layout = buildBlockedLayout(buffers);
      const plan = planSparseTrailing(kernels, layout, "sparse")!;
      const engine = createWasmEngine(kernels, buffers, { plan });
      engines.push(engine);
      // The table the kernels filled (plsLevelPairs), read from the engine's context.
      const ctx = evaluationContext(engine)!.ctx;
      const heap = new Int32Array(kernels.memory.buffer);
      const startAt = heap[ctx / 4 + SLOT.spPairStart]! / 4;
      const pairAt = heap[ctx / 4 + SLOT.spPair]! / 4;
      const total = heap[ctx / 4 + SLOT.spPairs]!;
      expect(total, c.id).toBeGreaterThan(0);
      expect(heap[startAt + layout.l1], c.id).toBe(total);
      for (let g = 0; g < layout.l1; g++) {
        const r0 = layout.rowStart[g]!;
        let k = heap[startAt + g]!;
        let m = 0;
        while (r0 + m < layout.rowStart[g + 1]! && layout.rowIdx[r0 + m]! < layout.qRest) m++;
        expect(heap[startAt + g + 1]! - k, `${c.id} level ${g}`).toBe((m * (m + 1)) / 2);
        for (let a = 0; a < m; a++)
          for (let b = 0; b <= a; b++) {
            // brute force: the column of the earlier row in the factor's order, scanned for the later one
            const [i, j] = [plan.inv[layout.rowIdx[r0 + a]!]!, plan.inv[layout.rowIdx[r0 + b]!]!];
            const [row, col] = i >= j ? [i, j] : [j, i];
            let at = -1;
            for (let p = plan.colPtr[col]!; p < plan.colPtr[col + 1]!; p++)
              if (plan.rowIdx[p] === row) at = p;
            expect(heap[pairAt + k++], `${c.id} level ${g}`).toBe(at);
          }
      }
    }
  });

  it("gives the same numbers to the last bit as the search it replaces", () => {
    expect(multi.length).toBeGreaterThanOrEqual(15);
    for (const c of multi) {
      const buffers = c.buffers();
      const table = createWasmEngine(kernels, buffers, { trailing: "sparse" });
      const search = createWasmEngine(kernels, buffers, { trailing: "sparse", levelPairs: false });
      engines.push(table, search);
      const theta = thetas(c.theta)[1]!;
      for (const reml of [false, true]) {
        const ga = new Float64Array(table.nTheta);
        const gb = new Float64Array(search.nTheta);
        expect(table.gradient(theta, reml, ga), c.id).toBe(search.gradient(theta, reml, gb));
        expect(Array.from(ga), c.id).toEqual(Array.from(gb));
      }
    }
  });
});

describe("sparse trailing block after a new response or new weights", async () => {
  const kernels = await loadKernels();
  it("setResponse and setWeights keep the two paths equal (bootstrap and PIRLS reuse the engine)", () => {
    const c = cases.find((x) => x.id === "crossed/large_nested_slope_reml")!;
    const buffers = c.buffers();
    const dense = createWasmEngine(kernels, buffers, { trailing: "dense" });
    const sparse = createWasmEngine(kernels, buffers, { trailing: "sparse" });
    engines.push(dense, sparse);
    const theta = thetas(c.theta)[1]!;
    const y = Float64Array.from(buffers.y, (v, i) => v + Math.sin(i) * 0.7);
    dense.setResponse(y);
    sparse.setResponse(y);
    expect(rel(sparse.objective(theta, true), dense.objective(theta, true))).toBeLessThan(1e-10);
    const w = Float64Array.from(buffers.y, (_, i) => 0.5 + (i % 7) / 7);
    dense.setWeights(w);
    sparse.setWeights(w);
    for (const reml of [false, true]) {
      expect(rel(sparse.objective(theta, reml), dense.objective(theta, reml))).toBeLessThan(1e-10);
      const gd = new Float64Array(dense.nTheta);
      const gs = new Float64Array(sparse.nTheta);
      dense.gradient(theta, reml, gd);
      sparse.gradient(theta, reml, gs);
      expect(maxRel(gs, gd)).toBeLessThan(1e-7);
    }
  });
});
