/**
 * The wasm engine at lme4's θ reproduces lme4's fit (objective, β̂, σ̂, standard errors, conditional variances)
 * without any optimiser, and its analytic gradient agrees with central finite differences on every conformance
 * model, ML and REML.
 */
import { afterAll, describe, expect, it } from "vitest";
import { designBuffers } from "../../src/design/types.js";
import type { PlsEngine } from "../../src/fit/engine.js";
import { createWasmEngine } from "../../src/fit/wasm-engine.js";
import { loadKernels } from "../../src/wasm/load.js";
import { asArray, fitFixtureIds, loadFitFixture, loadJson } from "../support/fixtures.js";
import { conformanceDesigns } from "./conformance-designs.js";

const engines: PlsEngine[] = [];
afterAll(() => {
  for (const e of engines) e.dispose();
});

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1e-300, Math.abs(b));
}

describe("wasm engine at lme4's θ", async () => {
  const kernels = await loadKernels();
  const ids = fitFixtureIds();
  it("has a hand design for every conformance fixture", () => {
    expect(ids.filter((id) => !conformanceDesigns[id])).toEqual([]);
  });
  for (const id of ids) {
    it(`${id}: objective, fixef, sigma, se`, () => {
      const f = loadFitFixture(id);
      const design = conformanceDesigns[id]!();
      expect(design.n).toBe(f.nobs);
      expect(design.fixedNames).toEqual(Object.keys(f.fixef));
      const engine = createWasmEngine(kernels, designBuffers(design));
      engines.push(engine);
      const theta = Float64Array.from(asArray(f.theta));
      expect(rel(engine.objective(theta, f.REML), f.objective)).toBeLessThan(1e-6);
      const s = engine.solve(theta, f.REML);
      expect(rel(s.objective, f.objective)).toBeLessThan(1e-6);
      expect(rel(s.sigma, f.sigma)).toBeLessThan(1e-6);
      const se = Object.values(f.se);
      Object.values(f.fixef).forEach((b, j) => {
        // β̂ to a millionth of its standard error, se to 1e-6 relative
        expect(Math.abs((s.beta[j] as number) - b)).toBeLessThan(1e-6 * (se[j] as number));
        expect(
          rel(Math.sqrt(s.vcovBeta[j * design.fixedNames.length + j] as number), se[j] as number),
        ).toBeLessThan(1e-6);
      });
      // conditional modes: lme4's ranef, term by term in design order
      let off = 0;
      for (const term of design.terms) {
        const group = f.ranef.find((g) => g.group === term.group);
        expect(group).toBeDefined();
        const cols = asArray(group!.terms);
        const values = group!.values as number[][] | number[];
        for (let h = 0; h < term.levels.length; h++)
          term.columns.forEach((c, j) => {
            // matched by level name: the hand designs sort interaction levels as strings, lme4 by factor
            const lh = group!.levels.indexOf(term.levels[h]!);
            expect(lh).toBeGreaterThanOrEqual(0);
            const k = cols.indexOf(c);
            const v = cols.length === 1 ? (values as number[])[lh]! : (values as number[][])[lh]![k]!;
            const mine = s.b[off + h * term.columns.length + j] as number;
            expect(Math.abs(mine - v)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v)));
          });
        off += term.levels.length * term.columns.length;
      }
    });
  }

  it("condVar equals lme4's postVar (sleepstudy, penicillin, sitka)", () => {
    for (const [extras, fitId] of [
      ["extras_sleepstudy_reml.json", "sleepstudy_reml"],
      ["extras_penicillin_reml.json", "penicillin_reml"],
      ["extras_sitka_intercept_reml.json", "sitka_intercept_reml"],
    ] as const) {
      const f = loadFitFixture(fitId);
      const x = loadJson<{ ranefCondVar: { group: string; condVar: number[] | number[][][] }[] }>(extras);
      const design = conformanceDesigns[fitId]!();
      const engine = createWasmEngine(kernels, designBuffers(design));
      engines.push(engine);
      const cv = engine.condVar(Float64Array.from(asArray(f.theta)), f.REML);
      design.terms.forEach((term, t) => {
        const ref = x.ranefCondVar.find((g) => g.group === term.group)!.condVar;
        const p = term.columns.length;
        for (let h = 0; h < term.levels.length; h++)
          for (let a = 0; a < p; a++)
            for (let c = 0; c < p; c++) {
              const r = p === 1 ? (ref as number[])[h]! : (ref as number[][][])[h]![a]![c]!;
              const mine = cv[t]![h * p * p + a * p + c]!;
              expect(Math.abs(mine - r)).toBeLessThan(1e-6 * Math.max(1, Math.abs(r)));
            }
      });
    }
  });
});

describe("analytic gradient agrees with central finite differences", async () => {
  const kernels = await loadKernels();
  for (const id of fitFixtureIds()) {
    it(id, () => {
      const f = loadFitFixture(id);
      const engine = createWasmEngine(kernels, designBuffers(conformanceDesigns[id]!()));
      engines.push(engine);
      const lme4 = asArray(f.theta);
      // lme4's θ (a diagonal at 0 moved off the bound so that central differences are defined), and two others
      const thetas = [
        lme4.map((v) => (v === 0 ? 0.05 : v)),
        lme4.map((v, i) => (v === 0 ? 0.3 : v * (1 + 0.3 * ((i % 3) - 1)) + 0.1)),
        lme4.map((v, i) => 0.5 + 0.25 * i + 0.5 * Math.abs(v)),
      ];
      for (const t of thetas) {
        const theta = Float64Array.from(t);
        for (const reml of [false, true]) {
          const g = new Float64Array(engine.nTheta);
          engine.gradient(theta, reml, g);
          let scale = 0;
          const fd = Array.from(theta, (v, i) => {
            const h = 1e-3 * Math.max(1, Math.abs(v));
            const a = theta.slice();
            const c = theta.slice();
            a[i] = v + h;
            c[i] = v - h;
            const a2 = theta.slice();
            const c2 = theta.slice();
            a2[i] = v + 2 * h;
            c2[i] = v - 2 * h;
            // fourth-order central difference with a step large enough that rounding in the objective (~1e-9 on
            // Sitka) does not dominate
            const d =
              (8 * (engine.objective(a, reml) - engine.objective(c, reml)) -
                (engine.objective(a2, reml) - engine.objective(c2, reml))) /
              (12 * h);
            scale = Math.max(scale, Math.abs(d));
            return d;
          });
          // relative 1e-5 against the gradient's size (components near 0 are compared at that scale)
          fd.forEach((d, i) => {
            expect(Math.abs((g[i] as number) - d)).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
          });
        }
      }
    });
  }
});
