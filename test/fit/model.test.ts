/**
 * The results API beyond the conformance fields: lme4's deviance/REMLcrit cross-definitions, conditional
 * variances, predictions, coef(), rank deficiency, start values, the sign symmetry the optimiser relies on, and
 * the errors a model that cannot be fitted gives.
 */
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { ModelError } from "../../src/errors.js";
import { fitDesign, fitMixed as fitLmm, normaliseColumnSigns } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/csv.js";
import { createDenseEngine } from "../support/dense-pls.js";
import { asArray, fixtureDataPath, loadFitFixture, loadJson, readFixtureCsv } from "../support/fixtures.js";

async function fitFixture(id: string) {
  const fx = loadFitFixture(id);
  const model = await fitLmm(fx.formula, readCsv(fixtureDataPath(fx)), { REML: fx.REML });
  return { fx, model };
}

interface Extras {
  ranefCondVar: { group: string; terms: string[] | string; condVar: (number[][] | number)[] }[];
  predictRows: number[];
  predictAll: number[];
  predictFixedOnly: number[];
}

describe("deviance() and remlCriterion() as lme4 defines them", () => {
  it("REML fit: deviance() is the ML deviance at the REML estimates; remlCriterion() the objective", async () => {
    const { model } = await fitFixture("sleepstudy_reml");
    const dense = createDenseEngine(model.engine.buffers);
    expect(model.remlCriterion()).toBe(model.objective);
    expect(model.deviance()).toBeCloseTo(dense.objective(model.theta, false), 8);
    expect(model.deviance()).not.toBeCloseTo(model.objective, 1);
  });

  it("ML fit: deviance() is the objective; remlCriterion() the REML criterion at the ML estimates", async () => {
    const { model } = await fitFixture("sleepstudy_ml");
    const dense = createDenseEngine(model.engine.buffers);
    expect(model.deviance()).toBe(model.objective);
    expect(model.remlCriterion()).toBeCloseTo(dense.objective(model.theta, true), 8);
  });

  it("npar, df.residual, logLik, AIC and BIC follow lme4's definitions", async () => {
    const { model } = await fitFixture("sitka_mm1_ml");
    expect(model.npar).toBe(6 + 6 + 1);
    expect(model.dfResidual).toBe(395 - 13);
    expect(model.AIC()).toBeCloseTo(model.objective + 2 * 13, 10);
    expect(model.BIC()).toBeCloseTo(model.objective + 13 * Math.log(395), 10);
  });
});

describe("ranef({ condVar: true })", () => {
  for (const id of ["sleepstudy_reml", "penicillin_reml", "sitka_intercept_reml"]) {
    it(`${id}: conditional variances equal lme4's postVar`, async () => {
      const { model } = await fitFixture(id);
      const extras = loadJson<Extras>(`extras_${id}.json`);
      const groups = model.ranef({ condVar: true });
      extras.ranefCondVar.forEach((ref, k) => {
        const g = groups[k] as (typeof groups)[number];
        expect(g.group).toBe(ref.group);
        expect(g.terms).toEqual(asArray(ref.terms));
        ref.condVar.forEach((block, level) => {
          const expected = [block].flat(2) as number[];
          const got = (g.condVar?.[level] ?? []).flat();
          expect(got).toHaveLength(expected.length);
          expected.forEach((v, i) => {
            expect(Math.abs((got[i] as number) - v)).toBeLessThanOrEqual(0.01 * Math.abs(v) + 1e-10);
          });
        });
      });
    });
  }
});

describe("predict()", () => {
  for (const id of ["sleepstudy_reml", "penicillin_reml", "sitka_intercept_reml"]) {
    it(`${id}: fitted rows equal lme4's predict(), random = false equals predict(re.form = NA)`, async () => {
      const { fx, model } = await fitFixture(id);
      const extras = loadJson<Extras>(`extras_${id}.json`);
      const all = model.predict();
      const fixedOnly = model.predict(undefined, { random: false });
      expect(Array.from(all)).toEqual(Array.from(model.fitted()));
      extras.predictRows.forEach((row, k) => {
        expect(Math.abs((all[row - 1] as number) - (extras.predictAll[k] as number))).toBeLessThan(
          0.01 * fx.sigma,
        );
        expect(
          Math.abs((fixedOnly[row - 1] as number) - (extras.predictFixedOnly[k] as number)),
        ).toBeLessThan(0.01 * fx.sigma);
      });
    });
  }

  for (const id of ["sleepstudy_reml", "penicillin_reml", "sitka_intercept_reml"]) {
    it(`${id}: predict(newdata) on lme4's rows equals lme4's predict(newdata), with and without random effects`, async () => {
      const { fx, model } = await fitFixture(id);
      const extras = loadJson<Extras>(`extras_${id}.json`);
      const cols = readFixtureCsv(fixtureDataPath(fx));
      const newdata: Record<string, (string | number | null)[]> = {};
      for (const [name, values] of Object.entries(cols))
        newdata[name] = extras.predictRows.map((r) => values[r - 1] ?? null);
      const all = model.predict(newdata);
      const fixedOnly = model.predict(newdata, { random: false });
      extras.predictRows.forEach((_, k) => {
        expect(Math.abs((all[k] as number) - (extras.predictAll[k] as number))).toBeLessThan(0.01 * fx.sigma);
        expect(Math.abs((fixedOnly[k] as number) - (extras.predictFixedOnly[k] as number))).toBeLessThan(
          0.01 * fx.sigma,
        );
      });
    });
  }

  it("a level the fit has not seen predicts at the population level with allowNewLevels", async () => {
    const { model } = await fitFixture("sleepstudy_reml");
    // Without the option a new level is an error, as in lme4 (test/reliability covers it).
    const p = model.predict({ Days: [0, 5], Subject: ["999", "308"] }, { allowNewLevels: true });
    const fe = model.fixef();
    expect(p[0]).toBeCloseTo(fe["(Intercept)"] as number, 10);
    // Subject 308 at day 5 is the 6th fitted value.
    expect(p[1]).toBeCloseTo(model.fitted()[5] as number, 10);
  });

  it("residuals are y − fitted", async () => {
    const { model } = await fitFixture("sleepstudy_reml");
    const r = model.residuals();
    const f = model.fitted();
    model.design.y.forEach((y, i) => {
      expect((r[i] as number) + (f[i] as number)).toBeCloseTo(y, 10);
    });
  });
});

describe("coef()", () => {
  it("sleepstudy: fixef plus each subject's random effects", async () => {
    const { model } = await fitFixture("sleepstudy_reml");
    const [c] = model.coef();
    const [re] = model.ranef();
    const fe = model.fixef();
    expect(c?.terms).toEqual(["(Intercept)", "Days"]);
    c?.values.forEach((row, level) => {
      expect(row[0]).toBeCloseTo((fe["(Intercept)"] as number) + (re?.values[level]?.[0] as number), 10);
      expect(row[1]).toBeCloseTo((fe.Days as number) + (re?.values[level]?.[1] as number), 10);
    });
  });

  it("a random slope without its fixed effect gets a fixed part of 0 and comes first", async () => {
    const data = readFixtureCsv(`${fixtureDataPath({ data: "data/sleepstudy.csv" })}`);
    const model = await fitLmm(
      "Reaction ~ 1 + (Days | Subject)",
      data as Record<string, (string | number | null)[]>,
    );
    const [c] = model.coef();
    const [re] = model.ranef();
    expect(c?.terms).toEqual(["Days", "(Intercept)"]);
    expect(c?.values[0]?.[0]).toBeCloseTo(re?.values[0]?.[1] as number, 12);
  });
});

describe("fitting choices and failures", () => {
  it("a rank-deficient X drops the aliased column, says which, and fits as without it", async () => {
    const cols = readFixtureCsv(fixtureDataPath({ data: "data/sleepstudy.csv" }));
    const days = cols.Days as number[];
    const data = { ...cols, Days2: days.map((d) => 2 * d) } as Record<string, (string | number | null)[]>;
    const model = await fitLmm("Reaction ~ Days + Days2 + (1 | Subject)", data, { REML: false });
    expect(model.design.droppedFixed).toEqual(["Days2"]);
    expect(model.messages[0]).toMatch(/rank deficient so dropping 1 column \/ coefficient.*Days2/);
    const ref = loadFitFixture("sleepstudy_int_ml");
    expect(model.objective).toBeCloseTo(ref.objective, 5);
    expect(Object.keys(model.fixef())).toEqual(["(Intercept)", "Days"]);
  });

  it("a singular fit puts θ exactly at 0 and is flagged", async () => {
    const { model } = await fitFixture("dyestuff2_reml");
    expect(model.theta[0]).toBe(0);
    expect(model.singular).toBe(true);
    expect(model.messages).toContain("boundary (singular) fit: see help('isSingular')");
  });

  it("starting at lme4's θ̂ reaches the same optimum", async () => {
    const fx = loadFitFixture("sitka_mm1_reml");
    const design = buildDesign(fx.formula, readCsv(fixtureDataPath(fx)));
    const engine = createDenseEngine(designBuffers(design));
    const model = fitDesign(design, engine, { REML: true, start: asArray(fx.theta) });
    expect(model.objective - fx.objective).toBeLessThanOrEqual(1e-6);
    expect(model.optimizer.converged).toBe(true);
  });

  for (const engineKind of ["wasm", "dense"] as const) {
    it(`a refit after setResponse (as a bootstrap does) equals a fresh fit of the new response (${engineKind})`, async () => {
      const cols = readFixtureCsv(fixtureDataPath({ data: "data/sleepstudy.csv" })) as Record<
        string,
        (string | number | null)[]
      >;
      const yStar = (cols.Reaction as number[]).map(
        (r, i) => r + 10 * (cols.Days?.[i] as number) + (i % 7) - 3,
      );
      const fresh = await fitLmm("Reaction ~ Days + (Days | Subject)", { ...cols, Reaction: yStar });
      const original = await fitLmm(
        "Reaction ~ Days + (Days | Subject)",
        cols,
        engineKind === "dense" ? { engine: createDenseEngine } : {},
      );
      original.engine.setResponse(Float64Array.from(yStar));
      const refit = fitDesign(original.design, original.engine, { start: original.theta });
      expect(refit.objective).toBeCloseTo(fresh.objective, 6);
      expect(refit.fixef().Days).toBeCloseTo(fresh.fixef().Days as number, 5);
      const r = refit.residuals();
      const f = refit.fitted();
      yStar.forEach((y, i) => {
        expect((r[i] as number) + (f[i] as number)).toBeCloseTo(y, 9);
      });
    });
  }

  it("a constant response is a ModelError that says so", async () => {
    const data = { y: [1, 1, 1, 1, 1, 1], x: [1, 2, 3, 4, 5, 6], g: ["a", "a", "b", "b", "c", "c"] };
    await expect(fitLmm("y ~ x + (1|g)", data)).rejects.toThrow(/response 'y' is constant/);
  });

  it("a response the fixed effects reproduce exactly is a ModelError that says so", async () => {
    const data = { y: [1, 2, 3, 4, 5, 6], x: [1, 2, 3, 4, 5, 6], g: ["a", "a", "b", "b", "c", "c"] };
    const error = await fitLmm("y ~ x + (1|g)", data).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as Error).message).toMatch(/reproduce the response 'y' exactly/);
  });

  it("a start of the wrong length or with NaN is a ModelError", async () => {
    const fx = loadFitFixture("sleepstudy_reml");
    const design = buildDesign(fx.formula, readCsv(fixtureDataPath(fx)));
    const engine = createDenseEngine(designBuffers(design));
    expect(() => fitDesign(design, engine, { start: [1, 0] })).toThrow(ModelError);
    expect(() => fitDesign(design, engine, { start: [1, Number.NaN, 1] })).toThrow(/start value 2/);
  });

  it("the deviance does not change when a template column changes sign (why θ is optimised unbounded)", () => {
    const fx = loadFitFixture("sitka_mm1_ml");
    const design = buildDesign(fx.formula, readCsv(fixtureDataPath(fx)));
    const engine = createDenseEngine(designBuffers(design));
    const theta = Float64Array.from(asArray(fx.theta));
    // Negate column 1 of T (θ1, θ2, θ3) and the last diagonal (θ6).
    const flipped = Float64Array.from(theta, (v, i) => (i < 3 || i === 5 ? -v : v));
    expect(engine.objective(flipped, false)).toBeCloseTo(engine.objective(theta, false), 9);
    expect(engine.objective(flipped, true)).toBeCloseTo(engine.objective(theta, true), 9);
    normaliseColumnSigns(flipped, designBuffers(design).terms);
    flipped.forEach((v, i) => {
      expect(v).toBeCloseTo(theta[i] as number, 14);
    });
  });
});
