import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { varCorrGroupNames } from "../../src/design/describe.js";
import { analyzeFormula } from "../../src/formula/model.js";
import { syntheticRows } from "../design/synthetic-data.js";

const data = syntheticRows();

/** Column names lme4 would give: fixed effects, and each random term as [group, columns]. */
function names(formula: string) {
  const d = buildDesign(formula, data);
  return {
    fixed: d.fixedNames,
    random: d.terms.map((t) => [t.group, t.columns] as [string, string[]]),
    correlated: d.terms.map((t) => t.correlated !== false),
    vc: varCorrGroupNames(d),
  };
}

describe("fixed part: R's terms and model.matrix column names", () => {
  it("'+' adds terms after the intercept", () => {
    expect(names("y ~ x + time").fixed).toEqual(["(Intercept)", "x", "time"]);
  });

  it("'-' removes a term, '-1' and '- 1' remove the intercept", () => {
    expect(names("y ~ x + time - x").fixed).toEqual(["(Intercept)", "time"]);
    expect(names("y ~ x - 1").fixed).toEqual(["x"]);
    expect(names("y ~ -1 + x").fixed).toEqual(["x"]);
    expect(names("y ~ x + time - 1 + (1|g)").fixed).toEqual(["x", "time"]);
  });

  it("'0 +' removes the intercept and a factor then gets a column per level", () => {
    expect(names("y ~ 0 + x").fixed).toEqual(["x"]);
    expect(names("y ~ 0 + treat").fixed).toEqual(["treatctrl", "treatozone"]);
    expect(names("y ~ 0 + treat + f").fixed).toEqual(["treatctrl", "treatozone", "fb", "fc"]);
    expect(names("y ~ x + f - 1").fixed).toEqual(["x", "fa", "fb", "fc"]);
  });

  it("'1 +' keeps the intercept explicitly; 'y ~ 1' is intercept only", () => {
    expect(names("y ~ 1 + x").fixed).toEqual(["(Intercept)", "x"]);
    expect(names("y ~ 1 + (1|g)").fixed).toEqual(["(Intercept)"]);
    expect(names("y ~ (1|g)").fixed).toEqual(["(Intercept)"]);
  });

  it("'*' expands to main effects and interaction, factor by numeric", () => {
    expect(names("y ~ treat*x").fixed).toEqual(["(Intercept)", "treatozone", "x", "treatozone:x"]);
  });

  it("factor by factor interaction: first factor varies fastest", () => {
    expect(names("y ~ treat*f").fixed).toEqual([
      "(Intercept)",
      "treatozone",
      "fb",
      "fc",
      "treatozone:fb",
      "treatozone:fc",
    ]);
  });

  it("':' alone: numeric by numeric", () => {
    expect(names("y ~ x:time").fixed).toEqual(["(Intercept)", "x:time"]);
  });

  it("':' numeric by factor without the factor's main effect codes the factor by all its levels", () => {
    expect(names("y ~ x:treat").fixed).toEqual(["(Intercept)", "x:treatctrl", "x:treatozone"]);
    expect(names("y ~ treat + time:treat").fixed).toEqual([
      "(Intercept)",
      "treatozone",
      "treatctrl:time",
      "treatozone:time",
    ]);
  });

  it("parentheses distribute: treat*(time + I(time^2)) gives lme4's Sitka names", () => {
    expect(names("y ~ treat*(time + I(time^2))").fixed).toEqual([
      "(Intercept)",
      "treatozone",
      "time",
      "I(time^2)",
      "treatozone:time",
      "treatozone:I(time^2)",
    ]);
  });

  it("terms are ordered by interaction order, then appearance; labels follow variable order", () => {
    expect(names("y ~ x:time + f + x").fixed).toEqual(["(Intercept)", "fb", "fc", "x", "x:time"]);
    expect(names("y ~ time:x + x").fixed).toEqual(["(Intercept)", "x", "time:x"]);
    expect(names("y ~ x + time:x").fixed).toEqual(["(Intercept)", "x", "x:time"]);
  });

  it("I() arithmetic is named with R's deparse spacing", () => {
    expect(names("y ~ I(time^2) + I(x+time) + I(x/2) + I(2*x1) + I(x2^3 - 1)").fixed).toEqual([
      "(Intercept)",
      "I(time^2)",
      "I(x + time)",
      "I(x/2)",
      "I(2 * x1)",
      "I(x2^3 - 1)",
    ]);
    expect(names("y ~ I( time ^ 2 )").fixed).toEqual(["(Intercept)", "I(time^2)"]);
    expect(names("y ~ I((x + 1)^2) + I(-x)").fixed).toEqual(["(Intercept)", "I((x + 1)^2)", "I(-x)"]);
    expect(names("y ~ I(x * 100000) + I(x1 * 0.50)").fixed).toEqual([
      "(Intercept)",
      "I(x * 1e+05)",
      "I(x1 * 0.5)",
    ]);
  });

  it("log(), exp(), sqrt(), abs() and factor() are variables named as written", () => {
    expect(names("y ~ log(x1 + 20) + exp(time) + sqrt(abs(x)) + abs(x2)").fixed).toEqual([
      "(Intercept)",
      "log(x1 + 20)",
      "exp(time)",
      "sqrt(abs(x))",
      "abs(x2)",
    ]);
    expect(names("y ~ factor(time)").fixed).toEqual([
      "(Intercept)",
      "factor(time)-1",
      "factor(time)0",
      "factor(time)1",
      "factor(time)2",
    ]);
  });

  it("log(y) as the response and duplicated terms collapse", () => {
    const d = buildDesign("log(y) ~ x + x + x:time + time:x", data);
    expect(d.response).toBe("log(y)");
    expect(d.fixedNames).toEqual(["(Intercept)", "x", "x:time"]);
  });

  it("(a + b + c)^2 and a/b expand as R does", () => {
    expect(names("y ~ (x + time + x1)^2").fixed).toEqual([
      "(Intercept)",
      "x",
      "time",
      "x1",
      "x:time",
      "x:x1",
      "time:x1",
    ]);
    expect(names("y ~ treat/x").fixed).toEqual(["(Intercept)", "treatozone", "treatctrl:x", "treatozone:x"]);
  });
});

describe("random part: lme4's terms, groups and columns", () => {
  it("(1|g)", () => {
    expect(names("y ~ x + (1|g)").random).toEqual([["g", ["(Intercept)"]]]);
  });

  it("(x|g) equals (1 + x|g)", () => {
    expect(names("y ~ x + (x|g)").random).toEqual([["g", ["(Intercept)", "x"]]]);
    expect(names("y ~ x + (1 + x|g)").random).toEqual([["g", ["(Intercept)", "x"]]]);
  });

  it("(0 + x|g), (-1 + x|g) and (x - 1|g) have no intercept", () => {
    for (const f of ["y ~ x + (0 + x|g)", "y ~ x + (-1 + x|g)", "y ~ x + (x - 1|g)"])
      expect(names(f).random).toEqual([["g", ["x"]]]);
  });

  it("(1|g) + (0 + x|g): two terms on one factor, the second is g.1 in the variance table", () => {
    const n = names("y ~ x + (1|g) + (0 + x|g)");
    expect(n.random).toEqual([
      ["g", ["(Intercept)"]],
      ["g", ["x"]],
    ]);
    expect(n.vc).toEqual(["g", "g.1"]);
  });

  it("(x||g) splits into uncorrelated (1|g) + (0 + x|g)", () => {
    const n = names("y ~ x + (x||g)");
    expect(n.random).toEqual([
      ["g", ["(Intercept)"]],
      ["g", ["x"]],
    ]);
    expect(n.correlated).toEqual([false, false]);
    expect(n.vc).toEqual(["g", "g.1"]);
    const three = names("y ~ x + (x + time||g)");
    expect(three.random).toEqual([
      ["g", ["(Intercept)"]],
      ["g", ["x"]],
      ["g", ["time"]],
    ]);
    expect(three.vc).toEqual(["g", "g.1", "g.2"]);
    expect(names("y ~ x + (0 + x + time||g)").random).toEqual([
      ["g", ["x"]],
      ["g", ["time"]],
    ]);
  });

  it("(1|site/block) is (1|block:site) + (1|site), named as lme4 does", () => {
    const d = buildDesign("y ~ x + (1|site/block)", data);
    expect(d.terms.map((t) => t.group)).toEqual(["block:site", "site"]);
    expect(d.terms[0].levels.slice(0, 4)).toEqual(["1:A", "1:B", "1:C", "2:A"]);
    expect(d.terms[1].levels).toEqual(["A", "B", "C"]);
  });

  it("(x|site/block) puts the slope on both levels of nesting", () => {
    expect(names("y ~ x + (x|site/block)").random).toEqual([
      ["block:site", ["(Intercept)", "x"]],
      ["site", ["(Intercept)", "x"]],
    ]);
  });

  it("(x || a/b): '||' is split first, then each part is nested, as lme4's findbars does", () => {
    expect(analyzeFormula("y ~ (x || site/block)").random.map((r) => r.label)).toEqual([
      "1 | block:site",
      "1 | site",
      "0 + x | block:site",
      "0 + x | site",
    ]);
  });

  it("three levels of nesting: a/b/c gives c:(b:a), b:a, a", () => {
    const d = buildDesign("y ~ x + (1|a/b/c)", data);
    expect(d.terms.map((t) => t.group)).toEqual(["c:(b:a)", "b:a", "a"]);
    expect(d.terms[0].levels[0]).toBe("c1:b1:a1");
    expect(d.terms[1].levels).toEqual(["b1:a1", "b1:a2", "b2:a1", "b2:a2"]);
  });

  it("site + (1|site:block): fixed site, random site:block", () => {
    const n = names("y ~ site + (1|site:block)");
    expect(n.fixed).toEqual(["(Intercept)", "siteB", "siteC"]);
    expect(n.random).toEqual([["site:block", ["(Intercept)"]]]);
  });

  it("x*site + (x|site:block)", () => {
    const n = names("y ~ x*site + (x|site:block)");
    expect(n.fixed).toEqual(["(Intercept)", "x", "siteB", "siteC", "x:siteB", "x:siteC"]);
    expect(n.random).toEqual([["site:block", ["(Intercept)", "x"]]]);
  });

  it("(x1|site) + (x2|block): different factors, ordered by number of levels", () => {
    expect(names("y ~ x + (x1|site) + (x2|block)").random).toEqual([
      ["block", ["(Intercept)", "x2"]],
      ["site", ["(Intercept)", "x1"]],
    ]);
  });

  it("crossed (1|g1) + (1|g2): more levels first, numeric grouping values sort numerically", () => {
    const d = buildDesign("y ~ x + (1|g2) + (1|g1)", data);
    expect(d.terms.map((t) => t.group)).toEqual(["g1", "g2"]);
    expect(d.terms[0].levels).toEqual(["2", "12", "22", "32", "42"]);
  });

  it("several terms on the same factor keep formula order when levels tie", () => {
    expect(names("y ~ x + (1|g) + (0 + x|g) + (0 + time|g)").random).toEqual([
      ["g", ["(Intercept)"]],
      ["g", ["x"]],
      ["g", ["time"]],
    ]);
  });

  it("lme4's rev(order(nl)): once reordering is needed, ties come out in reverse formula order", () => {
    // levels: g 6, g1 5, g 6 — not non-increasing, so lme4 reorders with rev(order(c(6, 5, 6))).
    expect(names("y ~ x + (1|g) + (1|g1) + (0 + x|g)").random).toEqual([
      ["g", ["x"]],
      ["g", ["(Intercept)"]],
      ["g1", ["(Intercept)"]],
    ]);
  });

  it("a factor on the left of the bar gets treatment contrasts, or all levels without intercept", () => {
    expect(names("y ~ x + (treat|g)").random).toEqual([["g", ["(Intercept)", "treatozone"]]]);
    expect(names("y ~ x + (0 + treat|g)").random).toEqual([["g", ["treatctrl", "treatozone"]]]);
  });

  it("analyzeFormula keeps lme4's labels of the expanded terms", () => {
    expect(analyzeFormula("y ~ x + (x||g)").random.map((r) => r.label)).toEqual(["1 | g", "0 + x | g"]);
    expect(analyzeFormula("y ~ (1|site/block)").random.map((r) => r.label)).toEqual([
      "1 | block:site",
      "1 | site",
    ]);
  });
});
