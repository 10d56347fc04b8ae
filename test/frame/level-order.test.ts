/**
 * Text levels in R's order. R sorts with ICU's root collation (C.UTF-8, en_US.UTF-8), not by code point: the
 * baseline of a treatment contrast and the order of conditional modes depend on it.
 */
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { compareLevels, makeFactor } from "../../src/frame/factor.js";

describe("text levels in R's order", () => {
  it("case, accents, punctuation and digits sort as R 4's levels(factor(x))", () => {
    // dput(levels(factor(x))) in R 4.x (ICU root collation), x being the same strings in any order.
    const r = [
      "_x",
      "-1",
      "+1",
      "10",
      "1a",
      "1A",
      "9",
      "a b",
      "a_b",
      "a-b",
      "a.b",
      "aa",
      "aA",
      "Aa",
      "AA",
      "ab",
      "co-op",
      "CO-OP",
      "control",
      "coop",
      "Coop",
      "Drug",
      "emile",
      "Emile",
      "Émile",
      "f",
      "s1",
      "S1",
      "s10",
      "S10",
      "s2",
      "x1",
      "X1",
    ];
    const shuffled = [...r].reverse().concat(r.filter((_, i) => i % 3 === 0));
    expect(makeFactor({ kind: "string", values: shuffled }).levels).toEqual(r);
    expect([...r].sort(compareLevels)).toEqual(r);
  });

  it("'control' vs 'Drug': control is the baseline, as in lme4 (code-point order would pick Drug)", () => {
    const rows = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({
      y: i,
      cond: i % 2 ? "Drug" : "control",
      g: `G${i % 4}`,
    }));
    expect(buildDesign("y ~ cond + (1|g)", rows).fixedNames).toEqual(["(Intercept)", "condDrug"]);
  });
});
