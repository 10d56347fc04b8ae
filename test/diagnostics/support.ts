/**
 * Models for the diagnostics tests that do not depend on the optimiser: the hand-built design of a conformance
 * case, the dense reference engine, and lme4's θ̂ from the fixture. The diagnostics are then a pure function of
 * lme4's own fit, so a disagreement points at the diagnostics and not at the fit.
 */
import type { Design } from "../../src/design/types.js";
import { designBuffers } from "../../src/design/types.js";
import type { FittedLmm } from "../../src/diagnostics/model.js";
import { createDenseEngine } from "../support/dense-pls.js";
import { asArray, loadFitFixture, loadJson } from "../support/fixtures.js";
import { type HandColumn, handDesign, handDesigns } from "../support/hand-design.js";

const one: HandColumn = { name: "(Intercept)", value: () => 1 };

const designs: Record<string, () => Design> = {
  sleepstudy_reml: handDesigns.sleepstudy_reml as () => Design,
  penicillin_reml: handDesigns.penicillin_reml as () => Design,
  sitka_intercept_reml: () =>
    handDesign(
      "size ~ treat + time + (1|tree)",
      "sitka.csv",
      "size",
      [
        one,
        { name: "treatozone", value: (r) => (r.treat === "ozone" ? 1 : 0) },
        { name: "time", value: (r) => r.time as number },
      ],
      [{ group: "tree", key: (r) => String(r.tree), columns: [one] }],
    ),
};

/** The cases with lme4 extras (diagnostics and intervals) in test/fixtures/conformance. */
export const extrasIds = Object.keys(designs);

// Further hand-built cases (no extras) for the plots and identity checks.
designs.sitka_mm1_reml = handDesigns.sitka_mm1_reml as () => Design;

export function lme4ThetaModel(id: string): FittedLmm {
  const design = (designs[id] as () => Design)();
  const fixture = loadFitFixture(id);
  return {
    design,
    engine: createDenseEngine(designBuffers(design)),
    REML: fixture.REML,
    theta: Float64Array.from(asArray(fixture.theta)),
  };
}

export interface ExtrasFixture {
  id: string;
  data: string;
  formula: string;
  REML: boolean;
  hatvalues: number[];
  cooksDistance: number[];
  pearsonResiduals: number[];
  scaledResiduals: number[];
  profileCI: { names: string[] | string; lower: number[] | number; upper: number[] | number };
  waldCI: { names: string[] | string; lower: number[] | number; upper: number[] | number };
  ranefCondVar: { group: string; terms: string[] | string; condVar: (number[][] | number)[] }[];
  predictRows: number[];
  predictAll: number[];
  predictFixedOnly: number[];
}

export function loadExtras(id: string): ExtrasFixture {
  return loadJson<ExtrasFixture>(`extras_${id}.json`);
}

/** max_i |a_i − b_i| / max(|b_i|, floor): relative error with a floor for values near zero. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-8): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number)) / Math.max(Math.abs(b[i] as number), floor);
    if (!(d <= worst)) worst = d;
  }
  return worst;
}
