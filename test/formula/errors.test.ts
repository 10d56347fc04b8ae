import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { SpruceError } from "../../src/errors.js";
import { deparse, formatRNumber } from "../../src/formula/deparse.js";
import { FormulaError } from "../../src/formula/errors.js";
import { analyzeFormula } from "../../src/formula/model.js";
import { parseExpression } from "../../src/formula/parser.js";
import { syntheticRows } from "../design/synthetic-data.js";

function formulaError(text: string): FormulaError {
  try {
    analyzeFormula(text);
  } catch (e) {
    if (e instanceof FormulaError) return e;
    throw e;
  }
  throw new Error(`no FormulaError for ${text}`);
}

describe("syntax errors name the position with a caret", () => {
  const cases: [string, number, RegExp][] = [
    ["y ~ x +", 6, /needs something after it/],
    ["y ~ (1|g", 8, /missing '\)'/],
    ["y ~ x $ z", 6, /unexpected character '\$'/],
    ["~ x", 0, /response/],
    ["y ~ x*(1|g)", 8, /only be added/],
    ["y ~ foo(x)", 4, /unknown function foo\(\)/],
    ["y ~ x x", 6, /operator .* is missing/],
    ["y ~ 2 + x", 4, /number other than 0 or 1/],
    ["y ~ x + 1|g", 9, /parentheses/],
    ["y ~ (x|)", 7, /unexpected '\)'/],
    ["y ~ x ~ z", 6, /more than one '~'/],
    ["y", 0, /needs a response and '~'/],
    ["y ~ ()", 5, /empty parentheses/],
    ["y ~ (x|g+h)", 8, /cannot be used in a grouping factor/],
    ["y ~ (0|g)", 5, /no columns/],
    ["y ~ (x + 1)^1.5", 12, /whole number/],
    ["y ~ . + (1|g)", 4, /not supported/],
    ["y ~ log(x, 2, 3)", 4, /one or two arguments/],
    ["y ~ I(x | z)", 8, /only be added/],
  ];
  it.each(cases)("%s", (text, position, reason) => {
    const e = formulaError(text);
    expect(e).toBeInstanceOf(SpruceError);
    expect(e.userFacing).toBe(true);
    expect(e.position).toBe(position);
    expect(e.reason).toMatch(reason);
    // The message shows the formula and a caret under the position.
    const lines = e.message.split("\n");
    expect(lines[1]).toBe(`  ${text}`);
    expect(lines[2]).toBe(`  ${" ".repeat(position)}^`);
  });
});

describe("R's deparse of expressions and numbers", () => {
  it.each([
    ["I(time^2)", "I(time^2)"],
    ["I(a+b)", "I(a + b)"],
    ["I(x/2)", "I(x/2)"],
    ["I(2*x)", "I(2 * x)"],
    ["I(a-b)", "I(a - b)"],
    ["log( x )", "log(x)"],
    ["I(-x^2)", "I(-x^2)"],
    ["I((a+b)^2)", "I((a + b)^2)"],
    ["log(x, 10)", "log(x, 10)"],
    ["`my var`", "`my var`"],
    ["a:b", "a:b"],
    ["I(x %in% y)", "I(x %in% y)"],
    ["I(x^2L)", "I(x^2L)"],
    ["I(x^2.0)", "I(x^2)"],
  ])("%s deparses as %s", (text, expected) => {
    expect(deparse(parseExpression(text))).toBe(expected);
  });

  it.each([
    [2, "2"],
    [0.5, "0.5"],
    [100000, "1e+05"],
    [123456, "123456"],
    [1000, "1000"],
    [1e-10, "1e-10"],
    [0.0001, "1e-04"],
    [0.001, "0.001"],
    [1 / 3, "0.333333333333333"],
    [-2.5, "-2.5"],
    [1e15, "1e+15"],
  ])("number %s prints as R prints it: %s", (x, expected) => {
    expect(formatRNumber(x)).toBe(expected);
  });
});

describe("property: any text is a valid formula or a FormulaError, never another exception", () => {
  const pieces = [
    "y",
    "x",
    "time",
    "treat",
    "g",
    "site",
    "block",
    "~",
    "+",
    "-",
    "*",
    ":",
    "/",
    "^",
    "|",
    "||",
    "(",
    ")",
    "0",
    "1",
    "2",
    "I(",
    "log(",
    "factor(",
    ",",
    " ",
    "%in%",
    "`",
    "$",
    ".5",
    "1e",
  ];
  const formulaText = fc.array(fc.constantFrom(...pieces), { maxLength: 14 }).map((p) => p.join(""));

  it("random token soup", () => {
    fc.assert(
      fc.property(formulaText, (text) => {
        try {
          analyzeFormula(text);
        } catch (e) {
          expect(e).toBeInstanceOf(FormulaError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("random strings of any characters", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        try {
          analyzeFormula(text);
        } catch (e) {
          expect(e).toBeInstanceOf(FormulaError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("formulas that parse build a design or fail with a SpruceError naming the problem", () => {
    const data = syntheticRows();
    const prefixed = formulaText.map((t) => `y ~ ${t}`);
    fc.assert(
      fc.property(prefixed, (text) => {
        try {
          buildDesign(text, data);
        } catch (e) {
          expect(e).toBeInstanceOf(SpruceError);
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe("names", () => {
  it("letters of any script are names, as in R in a UTF-8 locale; odd names need backticks", () => {
    const d = buildDesign("größe ~ Zeit + `my var` + (1|Baum)", [
      { größe: 1, Zeit: 1, "my var": 3, Baum: "a" },
      { größe: 2, Zeit: 2, "my var": 1, Baum: "a" },
      { größe: 4, Zeit: 4, "my var": 5, Baum: "b" },
      { größe: 3, Zeit: 5, "my var": 2, Baum: "b" },
    ]);
    expect(d.response).toBe("größe");
    expect(d.fixedNames).toEqual(["(Intercept)", "Zeit", "`my var`"]);
  });
});
