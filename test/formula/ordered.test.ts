/**
 * Ordered factors against R (test/fixtures/ordered/ordered_reference.json, made by ordered_reference.R beside it):
 * contr.poly by default (.L, .Q, .C), declared on the data (the `ordered` option, CLI --ordered) or in the formula
 * (ordered(x), as.ordered(x), factor(x, ordered = TRUE)), overridden by contrasts, without an intercept, in
 * interactions and in a random-effects term. Through `spruce fit --json` (R's fixed-effect names, estimates and
 * standard errors) and, for predictions on new data (the fit's levels and contrasts reused), through the API.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Dictionary, Int32, Table, Utf8, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { parseOrdered } from "../../src/cli/commands/fit.js";
import type { ContrastKind } from "../../src/design/model-matrix.js";
import { fit, fitMixed } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/csv.js";
import { fitLinearModel } from "../../src/lm/fit.js";
import { fixturesDir } from "../support/fixtures.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

interface Case {
  id: string;
  kind: "lm" | "lmer";
  data: string;
  formula: string;
  REML?: boolean;
  ordered: Record<string, string[]> | null;
  contrasts: Record<string, string> | null;
  newdata: Record<string, (number | string)[]>;
  names: string[];
  coef: number[];
  se: number[];
  logLik?: number[];
  theta?: number[];
  ranefNames?: string[] | string;
  predict: number[];
  predictFixed?: number[];
}
const ref = JSON.parse(readFileSync(join(fixturesDir, "ordered", "ordered_reference.json"), "utf8")) as {
  cases: Case[];
};
const dataPath = join(fixturesDir, "ordered", "sleep_dose.csv");
const data = readCsv(dataPath);

/** Largest |a − b| / max(1, |b|). */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++)
    m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)) / Math.max(1, Math.abs(b[i] as number)));
  return m;
}

function cliArgs(c: Case): string[] {
  const args: string[] = [];
  for (const [col, levels] of Object.entries(c.ordered ?? {}))
    args.push("--ordered", `${col}=${levels.join(",")}`);
  if (c.contrasts)
    args.push(
      "--contrasts",
      Object.entries(c.contrasts)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    );
  if (c.kind === "lmer" && c.REML === false) args.push("--ml");
  return args;
}

function apiOptions(c: Case): {
  ordered?: Record<string, string[]>;
  contrasts?: Record<string, ContrastKind>;
} {
  return {
    ...(c.ordered ? { ordered: c.ordered } : {}),
    ...(c.contrasts ? { contrasts: c.contrasts as Record<string, ContrastKind> } : {}),
  };
}

describe.each(ref.cases)("$kind $id: $formula", (c) => {
  // lm: least squares is exact; lmer: lme4 converged tightly, spruce to its default stopping rule.
  const tol = c.kind === "lm" ? 1e-8 : 1e-4;

  it("spruce fit --json gives R's fixed-effect names, estimates and standard errors", async () => {
    const { stdout } = await run("node", [cli, "fit", dataPath, c.formula, "--json", ...cliArgs(c)], {
      maxBuffer: 1 << 24,
    });
    const out = JSON.parse(stdout) as {
      fixef: Record<string, number>;
      se: Record<string, number>;
      logLik: number;
    };
    expect(Object.keys(out.fixef)).toEqual(c.names);
    expect(maxRelDiff(Object.values(out.fixef), c.coef)).toBeLessThan(tol);
    expect(maxRelDiff(Object.values(out.se), c.se)).toBeLessThan(tol * 10);
    if (c.logLik) expect(Math.abs(out.logLik - (c.logLik[0] as number))).toBeLessThan(1e-5);
  });

  it("predict(newdata) equals R's (the fit's level order and contrasts reused)", async () => {
    if (c.kind === "lm") {
      const m = fitLinearModel(c.formula, data, apiOptions(c));
      expect(maxRelDiff(m.predict(c.newdata), c.predict)).toBeLessThan(tol);
      return;
    }
    const m = await fitMixed(c.formula, data, { REML: c.REML ?? true, ...apiOptions(c) });
    const ranefNames = Array.isArray(c.ranefNames) ? c.ranefNames : [c.ranefNames];
    expect(m.ranef()[0]?.terms).toEqual(ranefNames);
    expect(maxRelDiff(m.predict(c.newdata, { random: false }), c.predictFixed as number[])).toBeLessThan(tol);
    expect(maxRelDiff(m.predict(c.newdata), c.predict)).toBeLessThan(tol);
  });
});

describe("ordered factors: the API and errors", () => {
  it("fit() takes the ordered option for lm and lmer formulas alike", async () => {
    const lm = await fit("Reaction ~ dose + Days", data, {
      ordered: { dose: ["low", "mid", "high", "top"] },
    });
    expect(Object.keys(lm.fixef())).toEqual(["(Intercept)", "dose.L", "dose.Q", "dose.C", "Days"]);
    // true: the sorted levels, as ordered(x) sorts them.
    const sorted = fitLinearModel("Reaction ~ dose", data, { ordered: { dose: true } });
    const formula = fitLinearModel("Reaction ~ as.ordered(dose)", data);
    expect(maxRelDiff(Object.values(sorted.fixef()), Object.values(formula.fixef()))).toBeLessThan(1e-12);
  });

  it("a numeric column declared ordered is a factor (levels sorted numerically, or as given)", () => {
    const m = fitLinearModel("Reaction ~ grade", data, { ordered: { grade: [3, 1, 2] } });
    expect(Object.keys(m.fixef())).toEqual(["(Intercept)", "grade.L", "grade.Q"]);
    const byFormula = fitLinearModel("Reaction ~ ordered(grade)", data);
    // Levels 3, 1, 2 instead of 1, 2, 3: the same space, different polynomial columns.
    expect(Math.abs(m.summaryStats().rSquared - byFormula.summaryStats().rSquared)).toBeLessThan(1e-12);
    expect(
      Math.abs((m.fixef()["grade.L"] as number) - (byFormula.fixef()["ordered(grade).L"] as number)),
    ).toBeGreaterThan(1e-3);
  });

  it("names the problem: a value not among the levels, an unknown or unused column, a bad factor() argument", async () => {
    expect(() =>
      fitLinearModel("Reaction ~ dose", data, { ordered: { dose: ["low", "mid", "high"] } }),
    ).toThrow(/value 'top' \(data row 4\), which is not among its ordered levels \(low, mid, high\)/);
    expect(() => fitLinearModel("Reaction ~ dose", data, { ordered: { dosage: true } })).toThrow(
      /'dosage', which is not a column/,
    );
    expect(() => fitLinearModel("Reaction ~ Days", data, { ordered: { dose: true } })).toThrow(
      /'dose', which the model does not use/,
    );
    expect(() => fitLinearModel("Reaction ~ dose", data, { ordered: { dose: ["low", "low"] } })).toThrow(
      /given twice/,
    );
    expect(() => fitLinearModel("Reaction ~ factor(dose, c)", data)).toThrow(
      /only be ordered = TRUE or FALSE/,
    );
    expect(() => fitLinearModel("Reaction ~ factor(dose, ordered = 2)", data)).toThrow(/TRUE or FALSE/);
    await expect(
      fit("Reaction ~ dose + (1|Subject)", data, { ordered: { dose: "low" as unknown as string[] } }),
    ).rejects.toThrow(/ordered/);
    // New data with a level the fit did not have.
    const m = fitLinearModel("Reaction ~ dose", data, { ordered: { dose: ["low", "mid", "high", "top"] } });
    expect(() => m.predict({ dose: ["max"] })).toThrow(/new level 'max'/);
  });

  it("an Apache Arrow ordered dictionary column is an ordered factor, its dictionary order the levels' order", async () => {
    const reaction = Array.from(data.columns.get("Reaction")?.values as Float64Array);
    const days = Array.from(data.columns.get("Days")?.values as Float64Array);
    const subject = Array.from(data.columns.get("Subject")?.values as Float64Array);
    const dose = data.columns.get("dose")?.values as string[];
    // Arrow builds the dictionary in order of first appearance: low, mid, high, top (days 0, 1, 2, 3), which is
    // the level order here and not the alphabetical one.
    const table = new Table({
      Reaction: vectorFromArray(reaction),
      Days: vectorFromArray(days),
      Subject: vectorFromArray(subject),
      dose: vectorFromArray(dose, new Dictionary(new Utf8(), new Int32(), 0, true)),
    });
    const chunk = (table.getChild("dose") as unknown as { data: { dictionary: Iterable<string> }[] }).data[0];
    expect(Array.from(chunk?.dictionary ?? [])).toEqual(["low", "mid", "high", "top"]);
    expect(Array.from(table.getChild("dose") as Iterable<string>).slice(0, 4)).toEqual(dose.slice(0, 4));
    const c = ref.cases.find((x) => x.id === "lmer_declared") as Case;
    const m = await fitMixed(c.formula, table, { REML: true });
    expect(Object.keys(m.fixef())).toEqual(c.names);
    expect(maxRelDiff(Object.values(m.fixef()), c.coef)).toBeLessThan(1e-4);
    // An unordered dictionary is an ordinary factor.
    const plain = new Table({
      Reaction: vectorFromArray(reaction),
      dose: vectorFromArray(dose, new Dictionary(new Utf8(), new Int32())),
    });
    expect(Object.keys(fitLinearModel("Reaction ~ dose", plain).fixef())).toEqual([
      "(Intercept)",
      "doselow",
      "dosemid",
      "dosetop",
    ]);
  });

  it("--ordered parses column=levels and bare columns, and refuses empty levels", () => {
    expect(parseOrdered(["dose=low,mid, high", "grade"])).toEqual({
      dose: ["low", "mid", "high"],
      grade: true,
    });
    expect(parseOrdered(undefined)).toBeUndefined();
    expect(() => parseOrdered(["dose=low,,high"])).toThrow(/empty level/);
    expect(() => parseOrdered(["dose", "dose=a,b"])).toThrow(/twice/);
  });
});
