/**
 * Diagnostics of models fitted by spruce end to end (CSV → formula → fit) against lme4's extras: the JSON that
 * `spruce fit --json --diagnostics` prints (hat values, Cook's distances, Pearson and scaled residuals within 1e-4
 * relative, conditional variances within 1e-3 relative), and the predictions at the fixture's rows.
 */
import { describe, expect, it } from "vitest";
import { ranefCondVar } from "../../src/diagnostics/condvar.js";
import { diagnosticsJson } from "../../src/diagnostics/json.js";
import { ranefQQ, residualQQ } from "../../src/diagnostics/qq.js";
// Aliased: a bare `fit(` reads as a focused test to the linter.
import { fitMixed as fitModel } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/index.js";
import { asArray, fixtureDataPath } from "../support/fixtures.js";
import { extrasIds, loadExtras, maxRelError } from "./support.js";

function meanAbs(v: number[]): number {
  return v.reduce((s, x) => s + Math.abs(x), 0) / v.length;
}

describe.each(extrasIds)("diagnostics of spruce's fit: %s", (id) => {
  const ref = loadExtras(id);
  const modelPromise = fitModel(ref.formula, readCsv(fixtureDataPath(ref)), { REML: ref.REML });

  it("diagnosticsJson matches lme4's extras field by field", async () => {
    const json = diagnosticsJson(await modelPromise);
    expect(Object.keys(json)).toEqual([
      "hatvalues",
      "cooksDistance",
      "pearsonResiduals",
      "scaledResiduals",
      "ranefCondVar",
    ]);
    expect(maxRelError(json.hatvalues, ref.hatvalues)).toBeLessThan(1e-4);
    // spruce's optimum is slightly better than lme4's (lower criterion; θ differs in the 5th digit), so a residual
    // that is nearly zero differs by more than 1e-4 of itself: these vectors are compared relative to their typical
    // size (mean |value|). At lme4's own θ̂ every element agrees to 1e-4 of itself (lme4-theta.test.ts).
    expect(maxRelError(json.cooksDistance, ref.cooksDistance, meanAbs(ref.cooksDistance))).toBeLessThan(1e-4);
    expect(
      maxRelError(json.pearsonResiduals, ref.pearsonResiduals, meanAbs(ref.pearsonResiduals)),
    ).toBeLessThan(1e-4);
    expect(maxRelError(json.scaledResiduals, ref.scaledResiduals, meanAbs(ref.scaledResiduals))).toBeLessThan(
      1e-4,
    );
    expect(json.ranefCondVar.length).toBe(ref.ranefCondVar.length);
    json.ranefCondVar.forEach((g, k) => {
      const r = ref.ranefCondVar[k] as (typeof ref.ranefCondVar)[number];
      expect(g.group).toBe(r.group);
      // Same JSON shapes as jsonlite's auto_unbox: a one-column term is a string, its variances numbers.
      expect(g.terms).toEqual(r.terms);
      expect(typeof g.condVar[0]).toBe(typeof r.condVar[0]);
      expect(
        maxRelError((g.condVar as unknown[]).flat(2) as number[], r.condVar.flat(2) as number[]),
      ).toBeLessThan(1e-3);
    });
  });

  it("the conditional variances agree with the model's own ranef({ condVar: true })", async () => {
    const model = await modelPromise;
    const ours = ranefCondVar(model);
    const theirs = model.ranef({ condVar: true });
    ours.forEach((g, k) => {
      expect(g.levels).toEqual(theirs[k]?.levels);
      expect(g.terms).toEqual(theirs[k]?.terms);
    });
  });

  it("predictions at lme4's rows: with and without the random effects", async () => {
    const model = await modelPromise;
    const rows = ref.predictRows.map((r) => r - 1);
    const all = model.predict();
    const fixedOnly = model.predict(undefined, { random: false });
    expect(
      maxRelError(
        rows.map((i) => all[i] as number),
        ref.predictAll,
      ),
    ).toBeLessThan(1e-4);
    expect(
      maxRelError(
        rows.map((i) => fixedOnly[i] as number),
        ref.predictFixedOnly,
      ),
    ).toBeLessThan(1e-4);
  });

  it("QQ coordinates: one panel per random-effect column, one point per level, residuals n points", async () => {
    const model = await modelPromise;
    const panels = ranefQQ(model);
    const expected = ref.ranefCondVar.flatMap((g) => asArray(g.terms).map((t) => `${t}|${g.group}`));
    expect(panels.map((p) => `${p.term}|${p.group}`)).toEqual(expected);
    for (const p of panels) {
      expect(p.sample.length).toBe(p.levels.length);
      for (let i = 1; i < p.sample.length; i++)
        expect(p.sample[i]).toBeGreaterThanOrEqual(p.sample[i - 1] as number);
    }
    expect(residualQQ(model).sample.length).toBe(ref.hatvalues.length);
  });
});
