/**
 * The package as its users meet it (issue 16): the example data as modules, tables from other libraries, JSON-safe
 * results, a fitted model back from its JSON, lme4's names, residual types, and the split between the public API
 * and spruce-lmm/internals.
 */
import { readFileSync } from "node:fs";
import { tableFromArrays } from "apache-arrow";
import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/frame/csv.js";
import { toDataFrame } from "../../src/frame/frame.js";
import * as api from "../../src/index.js";
import {
  bootstrapLRT,
  datasetCsv,
  datasets,
  fit,
  fromJSON,
  isSingular,
  logLik,
  REMLcrit,
  refit,
  sigma,
  simulate,
  toPlain,
  update,
  VarCorr,
} from "../../src/index.js";
import * as internals from "../../src/internals.js";

const SLEEP = "Reaction ~ Days + (Days|Subject)";
const SITKA0 = "size ~ time+I(time^2) + (time+I(time^2)|tree)";

describe("datasets", () => {
  it("hold the bytes of examples/*.csv and read as readCsv reads the files", () => {
    for (const name of ["sitka", "sleepstudy"] as const) {
      const path = new URL(`../../examples/${name}.csv`, import.meta.url);
      expect(datasetCsv[name]).toBe(readFileSync(path, "utf8"));
      const fromFile = readCsv(path.pathname);
      const frame = datasets[name];
      expect(frame.names).toEqual(fromFile.names);
      expect(frame.nrow).toBe(fromFile.nrow);
      for (const col of frame.names) expect(frame.columns.get(col)).toEqual(fromFile.columns.get(col));
    }
    expect(datasets.sitka.nrow).toBe(395);
    expect(datasets.sleepstudy.nrow).toBe(180);
    // A fresh frame per access: one caller cannot change another's data.
    expect(datasets.sitka).not.toBe(datasets.sitka);
  });
});

describe("tables from other libraries", () => {
  const columns = { y: [1.5, 2.25, 3, 4.5], g: ["a", "b", "a", "b"], n: [1, 2, 3, 4] };
  const expected = toDataFrame(columns);

  it("an Apache Arrow table (BigInt and dictionary columns included)", () => {
    const table = tableFromArrays({
      y: Float64Array.from(columns.y),
      g: columns.g,
      n: BigInt64Array.from([1n, 2n, 3n, 4n]),
    });
    const frame = toDataFrame(table);
    expect(frame.names).toEqual(["y", "g", "n"]);
    expect(frame.columns.get("y")).toEqual(expected.columns.get("y"));
    expect(frame.columns.get("g")).toEqual(expected.columns.get("g"));
    expect(frame.columns.get("n")).toEqual(expected.columns.get("n"));
  });

  it("an arquero table", () => {
    const frame = toDataFrame(aq.table(columns));
    expect(frame.names).toEqual(["y", "g", "n"]);
    for (const name of frame.names) expect(frame.columns.get(name)).toEqual(expected.columns.get(name));
  });

  it("a Map of columns, a Set and a generator of records", () => {
    const map = toDataFrame(new Map(Object.entries(columns)));
    const records = columns.y.map((y, i) => ({ y, g: columns.g[i], n: columns.n[i] }));
    const set = toDataFrame(new Set(records));
    const gen = toDataFrame(
      (function* () {
        yield* records;
      })(),
    );
    for (const frame of [map, set, gen]) {
      expect(frame.names).toEqual(["y", "g", "n"]);
      for (const name of frame.names) expect(frame.columns.get(name)).toEqual(expected.columns.get(name));
    }
  });

  it("a fit from an Arrow table equals the fit from the CSV", async () => {
    const s = datasets.sleepstudy;
    const arrow = tableFromArrays({
      Reaction: (s.columns.get("Reaction") as { values: Float64Array }).values,
      Days: (s.columns.get("Days") as { values: Float64Array }).values,
      Subject: Array.from((s.columns.get("Subject") as { values: Float64Array }).values, String),
    });
    const [a, b] = await Promise.all([fit(SLEEP, arrow), fit(SLEEP, s)]);
    expect(a.logLik()).toBe(b.logLik());
  });

  it("anything else is a clear error naming what is accepted", () => {
    class Other {
      rows = [1, 2];
    }
    expect(() => toDataFrame(new Other() as never)).toThrow(/Apache Arrow or arquero table.*got Other/);
    expect(() => toDataFrame(42 as never)).toThrow(/got number/);
    expect(() => toDataFrame(new Set([1, 2]) as never)).toThrow(/row 1 of the data is not a record/);
  });
});

describe("JSON-safe results", () => {
  it("typed arrays serialise as arrays; results stay structuredClone-able", async () => {
    const m0 = await fit(SITKA0, datasets.sitka, { REML: false });
    const m1 = await fit("size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)", datasets.sitka, {
      REML: false,
    });
    const boot = await bootstrapLRT(m0, m1, { nsim: 8, seed: 1, workers: 0 });
    const json = JSON.parse(JSON.stringify(boot));
    expect(Array.isArray(json.stats)).toBe(true);
    expect(json.stats).toEqual(Array.from(boot.stats));
    const cloned = structuredClone(boot);
    expect(cloned.stats).toEqual(boot.stats);
    expect(JSON.parse(JSON.stringify(m1.predict()))).toEqual(Array.from(m1.predict()));
    expect(JSON.parse(JSON.stringify(m1.residuals()))).toEqual(Array.from(m1.residuals()));
    expect(JSON.parse(JSON.stringify(m1.theta))).toEqual(Array.from(m1.theta));
    const sims = simulate(m1, { nsim: 2, seed: 3 });
    expect(JSON.parse(JSON.stringify(sims)).responses[1]).toEqual(
      Array.from(sims.responses[1] as Float64Array),
    );
    // The model's plain view: JSON and structuredClone alike.
    const plain = m1.toJSON();
    expect(structuredClone(plain)).toEqual(plain);
    expect(toPlain({ a: new Float64Array([1, Number.NaN]), m: new Map([["k", 1]]) })).toEqual({
      a: [1, null],
      m: { k: 1 },
    });
  });

  it("fromJSON gives back the model: the same numbers, exactly", async () => {
    const m = await fit(SLEEP, datasets.sleepstudy);
    const back = await fromJSON(JSON.stringify(m), datasets.sleepstudy);
    expect(Array.from(back.theta)).toEqual(Array.from(m.theta));
    expect(back.fixef()).toEqual(m.fixef());
    expect(back.logLik()).toBe(m.logLik());
    expect(back.sigma).toBe(m.sigma);
    expect(Array.from(back.residuals())).toEqual(Array.from(m.residuals()));
    expect(back.optimizer.evaluations).toBe(m.optimizer.evaluations);
    expect(back.summary()).toContain("REML criterion at convergence");
    await expect(fromJSON(m.toJSON(), datasets.sitka)).rejects.toThrow(/Reaction|observations/);
    await expect(fromJSON("{}", datasets.sleepstudy)).rejects.toThrow(/not the JSON of a fitted model/);
  });
});

describe("lme4's names", () => {
  it("VarCorr, isSingular, REMLcrit, sigma, logLik as methods and as lme4's functions", async () => {
    const m = await fit(SLEEP, datasets.sleepstudy, { REML: false });
    expect(m.VarCorr()).toEqual(m.varCorrBlocks());
    expect(VarCorr(m)).toEqual(m.varCorrBlocks());
    expect(m.isSingular()).toBe(m.singular);
    expect(isSingular(m)).toBe(false);
    expect(m.REMLcrit()).toBe(m.remlCriterion());
    expect(REMLcrit(m)).toBe(m.remlCriterion());
    expect(sigma(m)).toBe(m.sigma);
    expect(logLik(m)).toBe(m.logLik());
  });

  it("residuals honour type and scaled (lme4: the same numbers for every type of an LMM)", async () => {
    const m = await fit(SLEEP, datasets.sleepstudy);
    const r = Array.from(m.residuals());
    const y = (datasets.sleepstudy.columns.get("Reaction") as { values: Float64Array }).values;
    const f = m.fitted();
    r.forEach((v, i) => {
      expect(v).toBe((y[i] as number) - (f[i] as number));
    });
    for (const type of ["response", "working", "pearson", "deviance"] as const)
      expect(Array.from(m.residuals({ type }))).toEqual(r);
    const scaled = Array.from(m.residuals({ scaled: true }));
    scaled.forEach((v, i) => {
      expect(v).toBeCloseTo((r[i] as number) / m.sigma, 12);
    });
    expect(() => m.residuals({ type: "partial" as never })).toThrow(/type 'partial' is not one of/);
  });

  it("refit(m, newy) equals a fit to the changed data", async () => {
    const data = datasets.sleepstudy;
    const m = await fit(SLEEP, data);
    const y = (data.columns.get("Reaction") as { values: Float64Array }).values;
    const newy = Array.from(y, (v, i) => v * 1.5 + (i % 7));
    const refitted = await refit(m, newy);
    const changed = {
      Reaction: newy,
      Days: Array.from((data.columns.get("Days") as { values: Float64Array }).values),
      Subject: Array.from((data.columns.get("Subject") as { values: Float64Array }).values),
    };
    const direct = await fit(SLEEP, changed);
    expect(refitted.logLik()).toBeCloseTo(direct.logLik(), 6);
    for (const [name, v] of Object.entries(direct.fixef())) expect(refitted.fixef()[name]).toBeCloseTo(v, 4);
    await expect(refit(m, newy.slice(1))).rejects.toThrow(/179 values but the model used 180/);
    await expect(refit(m, [Number.NaN, ...newy.slice(1)])).rejects.toThrow(/value 1 .* not a finite number/);
  });

  it("update(m, formula) refits on the same data, with R's dot", async () => {
    const m0 = await fit(SITKA0, datasets.sitka, { REML: false });
    const m1 = await update(m0, ". ~ . + treat");
    const direct = await fit(`${SITKA0} + treat`, datasets.sitka, { REML: false });
    expect(m1.REML).toBe(false);
    expect(m1.formula).toBe("size ~ (time+I(time^2) + (time+I(time^2)|tree)) + treat");
    expect(m1.logLik()).toBeCloseTo(direct.logLik(), 6);
    expect(Object.keys(m1.fixef())).toEqual(Object.keys(direct.fixef()));
    const reml = await update(m0, "log(.) ~ time + (1|tree)", { REML: true });
    expect(reml.REML).toBe(true);
    expect(reml.formula).toBe("log(size) ~ time + (1|tree)");
  });
});

describe("the public API", () => {
  it("keeps the engine, optimiser, random streams and loader internals in spruce-lmm/internals", () => {
    for (const name of [
      "createWasmEngine",
      "createEngine",
      "minimizeBounded",
      "nelderMead",
      "philox4x32",
      "RandomStream",
      "runReplicates",
      "compileKernels",
      "instantiateKernels",
      "loadKernels",
      "fitDesign",
      "modelAtTheta",
    ]) {
      expect(name in api, name).toBe(false);
      expect(name in internals, name).toBe(true);
    }
    for (const name of [
      "fit",
      "anova",
      "bootstrapLRT",
      "confint",
      "datasets",
      "initKernels",
      "readCsv",
      "parseCsv",
    ])
      expect(name in api, name).toBe(true);
  });
});
