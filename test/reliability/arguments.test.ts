/**
 * Issue 18, cases 4 and 8: options and arguments are checked (the error class and the words that name the problem),
 * unknown options are errors, a throwing onProgress is the caller's error, new levels in predict need
 * allowNewLevels, and hostile CSV cells are named.
 */
import { describe, expect, it } from "vitest";
import { ArgumentError, DataError } from "../../src/errors.js";
import { fit } from "../../src/fit/fit.js";
import { FormulaError } from "../../src/formula/errors.js";
import { parseCsv, readCsv } from "../../src/frame/csv.js";
import { fromRecords } from "../../src/frame/frame.js";
import { bootstrapLRT } from "../../src/inference/bootstrap.js";
import { confint } from "../../src/inference/confint.js";
import { simulate } from "../../src/inference/simulate-model.js";

const sleep = readCsv("examples/sleepstudy.csv");
const F = "Reaction ~ Days + (Days|Subject)";

describe("4. argument validation", () => {
  it.each([
    ["false", '"false"'],
    [1, "1"],
    ["yes", '"yes"'],
  ])("REML: %j is an ArgumentError (was: fitted by REML, the value kept)", async (value, shown) => {
    await expect(fit(F, sleep, { REML: value as unknown as boolean })).rejects.toThrow(ArgumentError);
    await expect(fit(F, sleep, { REML: value as unknown as boolean })).rejects.toThrow(
      `fit: option 'REML' must be true or false, got ${shown}`,
    );
  });

  it("an unknown option is an error; an LMM-only option with a GLMM family is unknown there", async () => {
    await expect(fit(F, sleep, { family: "binomial", dropNaN: true } as never)).rejects.toThrow(
      /fit \(GLMM\): unknown option 'dropNaN'/,
    );
    await expect(fit(F, sleep, { family: 3 } as never)).rejects.toThrow(
      "fit: option 'family' must be a family name",
    );
    await expect(fit(F, sleep, { reml: false } as never)).rejects.toThrow(
      /fit: unknown option 'reml' \(known options: .*REML/,
    );
  });

  it("an onProgress that throws is the caller's error: rethrown, no worker replaced, never more than nsim", async () => {
    const m0 = await fit("Reaction ~ Days + (1|Subject)", sleep, { REML: false });
    const m1 = await fit(F, sleep, { REML: false });
    const mine = new Error("my progress bar broke");
    const seen: number[] = [];
    await expect(
      bootstrapLRT(m0, m1, {
        nsim: 40,
        seed: 1,
        workers: 1,
        batchSize: 5,
        onProgress: (done) => {
          seen.push(done);
          if (done >= 10) throw mine;
        },
      }),
    ).rejects.toBe(mine);
    expect(Math.max(...seen)).toBeLessThanOrEqual(40);
    expect(seen).toEqual([5, 10]);
  });

  it("predict(newdata) with a level not in the fit is an error unless allowNewLevels: true (lme4's allow.new.levels)", async () => {
    const m = await fit(F, sleep);
    const nd = { Days: [0, 5], Subject: ["999", "308"] };
    expect(() => m.predict(nd)).toThrow(DataError);
    expect(() => m.predict(nd)).toThrow(
      "predict: new data has level '999' of grouping factor Subject that the fit has not seen",
    );
    const p = m.predict(nd, { allowNewLevels: true });
    expect(p[0]).toBeCloseTo(m.fixef()["(Intercept)"] as number, 10);
    expect(p[1]).toBeCloseTo(m.fitted()[5] as number, 10);
    expect(() => m.predict(nd, { allow_new_levels: true } as never)).toThrow(
      /unknown option 'allow_new_levels'/,
    );
  });

  it('a stray quote in a CSV cell (g5") is an error naming the line and field (was: a new group)', () => {
    const text = 'y,g\n1,g1\n2,g5"\n3,g5\n';
    expect(() => parseCsv(text)).toThrow(DataError);
    expect(() => parseCsv(text)).toThrow('a stray quote (") inside an unquoted field at line 3, field 2');
    // Proper quoting is fine, embedded quotes included.
    const ok = parseCsv('y,g\n1,"g ""5"""\n');
    expect(ok.columns.get("g")).toEqual({ kind: "string", values: ['g "5"'] });
  });

  it("a 0x1F cell in a numeric column names the row and the cell (was: a 60-level factor)", async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `${i % 7},${i % 5},${i % 4 === 0 ? "a" : "b"}`);
    rows[17] = "0x1F,3,a";
    const d = parseCsv(`x,y,g\n${rows.join("\n")}\n`);
    await expect(fit("y ~ x + (1|g)", d)).rejects.toThrow(DataError);
    await expect(fit("y ~ x + (1|g)", d)).rejects.toThrow(
      `column 'x' holds numbers except one cell: data row 18 is "0x1F"; fix the cell, or write factor(x)`,
    );
  });

  it("a __proto__ column is kept by fromRecords", () => {
    const records = [JSON.parse('{"__proto__": 1, "y": 2}'), JSON.parse('{"__proto__": 3, "y": 4}')];
    const f = fromRecords(records);
    expect(f.names).toEqual(["__proto__", "y"]);
    expect(Array.from((f.columns.get("__proto__") as { values: Float64Array }).values)).toEqual([1, 3]);
  });
});

describe("8. every public function names the wrong argument", () => {
  it.each([
    [undefined, "undefined"],
    [null, "null"],
    [42, "42"],
  ])("fit(%s, data) says the formula is wrong", async (formula, shown) => {
    await expect(fit(formula as unknown as string, sleep)).rejects.toThrow(ArgumentError);
    await expect(fit(formula as unknown as string, sleep)).rejects.toThrow(
      `fit: formula must be a formula string`,
    );
    await expect(fit(formula as unknown as string, sleep)).rejects.toThrow(`got ${shown}`);
  });

  it("fit(f, d, null) says the options are wrong; fit(f, null) the data", async () => {
    await expect(fit(F, sleep, null as never)).rejects.toThrow("fit: options must be an object, got null");
    await expect(fit(F, null as never)).rejects.toThrow("fit: data must be data: a frame");
  });

  it("bootstrapLRT(null, m), confint(42), simulate({}) name the model argument", async () => {
    const m = await fit(F, sleep, { REML: false });
    await expect(bootstrapLRT(null as never, m)).rejects.toThrow(
      "bootstrapLRT: m0 (the first model) must be a fitted model (from fit()), got null",
    );
    await expect(bootstrapLRT(m, undefined as never)).rejects.toThrow("bootstrapLRT: m1 (the second model)");
    await expect(confint(42 as never)).rejects.toThrow(
      "confint: model must be a fitted model (from fit()), got 42",
    );
    expect(() => simulate({} as never)).toThrow("simulate: model must be a fitted model");
  });

  it("parseFormula-level errors are FormulaErrors, never 'position NaN'", async () => {
    await expect(fit("", sleep)).rejects.toThrow(ArgumentError);
    await expect(fit("y ~", sleep)).rejects.toThrow(FormulaError);
    await expect(fit("y ~", sleep)).rejects.not.toThrow(/NaN/);
  });
});
