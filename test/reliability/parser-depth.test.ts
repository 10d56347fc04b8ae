/** Issue 18, case 5: deep or long formulas are a FormulaError with a caret, never a RangeError or exit 70. */
import { describe, expect, it } from "vitest";
import { fit } from "../../src/fit/fit.js";
import { FormulaError } from "../../src/formula/errors.js";
import { analyzeFormula } from "../../src/formula/model.js";
import { MAX_FORMULA_DEPTH } from "../../src/formula/parser.js";
import { spruce } from "./support.js";

const data = { y: [1, 2, 3, 4, 5, 7], x: [1, 2, 3, 4, 5, 6], g: ["a", "a", "a", "b", "b", "b"] };
const TOO_DEEP = `the formula is nested too deeply (more than ${MAX_FORMULA_DEPTH} levels`;

describe("5. parser and term expansion bounded", () => {
  it.each([
    ["3,200 nested parentheses", `y ~ ${"(".repeat(3200)}x${")".repeat(3200)} + (1|g)`],
    ["2,600 unary minuses", `y ~ ${"-".repeat(2600)}x + (1|g)`],
    ["4,500 + terms", `y ~ ${Array.from({ length: 4500 }, (_, i) => `x${i}`).join(" + ")} + (1|g)`],
    ["3,000 nested calls", `y ~ ${"log(".repeat(3000)}x${")".repeat(3000)} + (1|g)`],
  ])("%s: FormulaError, from the API and the CLI", async (_name, formula) => {
    await expect(fit(formula, data)).rejects.toThrow(FormulaError);
    await expect(fit(formula, data)).rejects.toThrow(TOO_DEEP);
    const r = spruce(["formula", "examples/sitka.csv", formula]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(TOO_DEEP);
    expect(r.stderr).not.toContain("RangeError");
  });

  it("formulas just inside the bound still work", () => {
    const deep = `y ~ ${"(".repeat(900)}x${")".repeat(900)} + (1|g)`;
    expect(analyzeFormula(deep).fixed.variableNames).toEqual(["x"]);
    const long = `y ~ ${Array.from({ length: 900 }, (_, i) => `x${i}`).join(" + ")} + (1|g)`;
    expect(analyzeFormula(long).fixed.variableNames).toHaveLength(900);
  });

  it("a formula over 100,000 characters is refused", () => {
    expect(() => analyzeFormula(`y ~ ${"x".repeat(100_001)}`)).toThrow(/at most 100000 are accepted/);
  });
});
