/**
 * lme4's names of the variance components when a grouping factor repeats: mkVarCorr then passes every name
 * through R's make.names(unique = TRUE). Expected values are R 4 / lme4 1.1-31 output
 * (`as.data.frame(VarCorr(m))$grp`, `make.names(..., unique = TRUE)`).
 */
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { makeName, varCorrGroupNames } from "../../src/design/describe.js";
import { syntheticRows } from "./synthetic-data.js";

describe("varCorrGroupNames", () => {
  it("(x||school) + (1|school:class): a repeated factor turns school:class into school.class, as lme4", () => {
    // lme4: grp = "school.class", "school", "school.1" for y ~ x + (x||school) + (1|school:class).
    const d = buildDesign("y ~ x + (x||site) + (1|site:block)", syntheticRows());
    expect(d.terms.map((t) => t.group)).toEqual(["site:block", "site", "site"]);
    expect(varCorrGroupNames(d)).toEqual(["site.block", "site", "site.1"]);
  });

  it("no repeated factor: names are the grouping factors as written (cask:batch, c:(b:a))", () => {
    const d = buildDesign("y ~ x + (1|site/block)", syntheticRows());
    expect(varCorrGroupNames(d)).toEqual(["block:site", "site"]);
  });
});

describe("makeName is R's make.names for one name", () => {
  it.each([
    ["school:class", "school.class"],
    ["factor(g)", "factor.g."],
    ["c:(b:a)", "c..b.a."],
    ["1abc", "X1abc"],
    [".5x", "X.5x"],
    ["_a", "X_a"],
    ["a_b.c", "a_b.c"],
    ["é:b", "é.b"],
    ["", "X"],
    ["if", "if."],
    ["in", "in."],
    ["TRUE", "TRUE."],
    ["NA_real_", "NA_real_."],
    ["...", "..."],
  ])("%s -> %s", (name, expected) => {
    expect(makeName(name)).toBe(expected);
  });
});
