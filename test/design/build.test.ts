import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesign, orderTerms } from "../../src/design/build.js";
import { describeDesign, makeUnique, varCorrGroupNames } from "../../src/design/describe.js";
import { keepFullRank } from "../../src/design/rank.js";
import { designBuffers, thetaStart } from "../../src/design/types.js";
import { DataError, ModelError } from "../../src/errors.js";
import { readCsv } from "../../src/frame/csv.js";
import { syntheticRows } from "./synthetic-data.js";

const dataDir = join(import.meta.dirname, "..", "fixtures", "conformance", "data");
const sitka = readCsv(join(dataDir, "sitka.csv"));
const sitkaFormula = "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)";

function col(X: Float64Array, n: number, j: number): number[] {
  return Array.from(X.subarray(j * n, (j + 1) * n));
}

describe("values of y, X and Z", () => {
  const d = buildDesign(sitkaFormula, sitka);
  const size = sitka.columns.get("size")!;
  const time = sitka.columns.get("time")!;
  const treat = sitka.columns.get("treat")!;
  if (size.kind !== "numeric" || time.kind !== "numeric" || treat.kind !== "string")
    throw new Error("sitka.csv");

  it("y is the response column", () => {
    expect(Array.from(d.y)).toEqual(Array.from(size.values));
  });

  it("X columns: intercept, treatment indicator, time, time^2 and their products", () => {
    const n = d.n;
    const t = Array.from(time.values);
    const oz = treat.values.map((v) => (v === "ozone" ? 1 : 0));
    expect(col(d.X, n, 0)).toEqual(t.map(() => 1));
    expect(col(d.X, n, 1)).toEqual(oz);
    expect(col(d.X, n, 2)).toEqual(t);
    expect(col(d.X, n, 3)).toEqual(t.map((v) => v ** 2));
    expect(col(d.X, n, 4)).toEqual(t.map((v, i) => v * oz[i]));
    expect(col(d.X, n, 5)).toEqual(t.map((v, i) => v ** 2 * oz[i]));
    expect(oz.some((v) => v === 0) && oz.some((v) => v === 1)).toBe(true);
  });

  it("Z of (time + I(time^2) | tree) is row-major [1, time, time^2] and refs are the tree levels", () => {
    const term = d.terms[0];
    expect(term.columns).toEqual(["(Intercept)", "time", "I(time^2)"]);
    const tree = sitka.columns.get("tree")!;
    if (tree.kind !== "numeric") throw new Error("tree");
    for (let i = 0; i < d.n; i++) {
      expect([term.z[3 * i], term.z[3 * i + 1], term.z[3 * i + 2]]).toEqual([
        1,
        time.values[i],
        time.values[i] ** 2,
      ]);
      expect(term.levels[term.refs[i]]).toBe(String(tree.values[i]));
    }
    expect(Array.from(d.rows)).toEqual(Array.from({ length: 395 }, (_, i) => i));
  });

  it("designBuffers and θ layout follow the terms (3×3 template: 6 parameters)", () => {
    const b = designBuffers(d);
    expect(b.p).toBe(6);
    expect(Array.from(thetaStart(b))).toEqual([1, 0, 0, 1, 0, 1]);
  });

  it("a:b groups by observed combinations, first factor slowest", () => {
    const rows = [
      { y: 1, a: "q", b: 2 },
      { y: 2, a: "p", b: 10 },
      { y: 3, a: "q", b: 10 },
      { y: 4, a: "p", b: 10 },
      { y: 5, a: "q", b: 2 },
      { y: 6, a: "p", b: 2 },
      { y: 7, a: "q", b: 3 },
    ];
    const t = buildDesign("y ~ 1 + (1|a:b)", rows).terms[0];
    expect(t.group).toBe("a:b");
    expect(t.levels).toEqual(["p:2", "p:10", "q:2", "q:3", "q:10"]);
    expect(Array.from(t.refs)).toEqual([2, 1, 4, 1, 2, 0, 3]);
  });
});

describe("values of X for factors (cake: recipe + temp)", () => {
  it("treatment indicators against the first level and the numeric column", () => {
    const cake = readCsv(join(dataDir, "cake.csv"));
    const d = buildDesign("angle ~ recipe + temp + (1|recipe:replicate)", cake);
    const recipe = cake.columns.get("recipe")!;
    const temp = cake.columns.get("temp")!;
    if (recipe.kind !== "string" || temp.kind !== "numeric") throw new Error("cake.csv");
    expect(col(d.X, d.n, 1)).toEqual(recipe.values.map((r) => (r === "B" ? 1 : 0)));
    expect(col(d.X, d.n, 2)).toEqual(recipe.values.map((r) => (r === "C" ? 1 : 0)));
    expect(col(d.X, d.n, 3)).toEqual(Array.from(temp.values));
    const replicate = cake.columns.get("replicate")!;
    if (replicate.kind !== "numeric") throw new Error("cake.csv");
    const t = d.terms[0];
    for (let i = 0; i < d.n; i++)
      expect(t.levels[t.refs[i]]).toBe(`${recipe.values[i]}:${replicate.values[i]}`);
  });

  it("0 + factor: one indicator per level, each row has exactly one", () => {
    const d = buildDesign("y ~ 0 + f + x + (1|g)", syntheticRows());
    expect(d.fixedNames).toEqual(["fa", "fb", "fc", "x"]);
    for (let i = 0; i < d.n; i++) expect(d.X[i] + d.X[d.n + i] + d.X[2 * d.n + i]).toBe(1);
  });
});

describe("rank deficiency: aliased columns dropped as lme4 does", () => {
  const data = syntheticRows();

  it("a column equal to a combination of earlier ones is dropped, later one kept", () => {
    const d = buildDesign("y ~ x + I(2 * x) + time + (1|g)", data);
    expect(d.fixedNames).toEqual(["(Intercept)", "x", "time"]);
    expect(d.droppedFixed).toEqual(["I(2 * x)"]);
    expect(d.X.length).toBe(d.n * 3);
    expect(col(d.X, d.n, 2)).toEqual(data.map((r) => r.time));
  });

  it("empty cells of a factor interaction are dropped", () => {
    // treat and a are the same split (i % 2), so treat:a has empty cells and aliased columns.
    const d = buildDesign("y ~ treat*a + (1|g)", data);
    expect(d.fixedNames).toEqual(["(Intercept)", "treatozone"]);
    expect(d.droppedFixed).toEqual(["aa2", "treatozone:aa2"]);
  });

  it("keepFullRank agrees with the definition: near-dependence below 1e-7 relative is aliased", () => {
    const n = 50;
    const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.3));
    const nearly = Float64Array.from(a, (v, i) => 2 * v - b[i] + 1e-12 * (i % 3));
    const clearly = Float64Array.from(a, (v, i) => 2 * v - b[i] + 1e-3 * (i % 3));
    expect(keepFullRank([a, b, nearly])).toEqual([true, true, false]);
    expect(keepFullRank([a, b, clearly])).toEqual([true, true, true]);
    expect(keepFullRank([new Float64Array(n), a])).toEqual([false, true]);
  });
});

describe("missing values: rows with a missing value in any model variable are dropped", () => {
  it("NA in the response, a covariate or a grouping factor drops the row; unused variables do not", () => {
    const rows = syntheticRows().map((r, i) => ({
      ...r,
      y: i === 3 ? null : r.y,
      x: i === 7 ? Number.NaN : r.x,
      g: i === 11 ? undefined : r.g,
      unused: i === 20 ? null : 1,
    }));
    const d = buildDesign("y ~ x + (1|g)", rows);
    expect(d.n).toBe(57);
    expect(d.droppedRows).toBe(3);
    expect(Array.from(d.rows)).not.toContain(3);
    expect(Array.from(d.rows)).not.toContain(7);
    expect(Array.from(d.rows)).not.toContain(11);
    expect(Array.from(d.rows)).toContain(20);
    expect(describeDesign(d).dropped).toBe(3);
  });

  it("levels that only occurred in dropped rows disappear", () => {
    const rows = syntheticRows().map((r) => ({ ...r, y: r.g === "g6" ? null : r.y }));
    const d = buildDesign("y ~ x + (1|g)", rows);
    expect(d.terms[0].levels).toEqual(["g1", "g2", "g3", "g4", "g5"]);
  });
});

describe("clear errors", () => {
  const data = syntheticRows();

  it("unknown column: names it and lists the columns", () => {
    expect(() => buildDesign("y ~ z + (1|g)", data)).toThrow(DataError);
    expect(() => buildDesign("y ~ z + (1|g)", data)).toThrow(/'z'.*columns are: y, x, x1/);
    expect(() => buildDesign("y ~ x + (1|nope)", data)).toThrow(/'nope'/);
  });

  it("non-numeric response", () => {
    expect(() => buildDesign("treat ~ x + (1|g)", data)).toThrow(/response 'treat' must be numeric/);
  });

  it("a text column in arithmetic", () => {
    expect(() => buildDesign("y ~ I(treat^2) + (1|g)", data)).toThrow(DataError);
  });

  it("empty data after dropping rows", () => {
    const rows = data.map((r) => ({ ...r, x: null }));
    expect(() => buildDesign("y ~ x + (1|g)", rows)).toThrow(/no complete rows.*x/);
  });

  it("grouping factor with as many levels as observations (lme4's message)", () => {
    const rows = data.map((r, i) => ({ ...r, id: i }));
    expect(() => buildDesign("y ~ x + (1|id)", rows)).toThrow(
      /number of levels of each grouping factor must be < number of observations \(problems: id\)/,
    );
  });

  it("more random effects than observations (lme4's check.nobs.vs.nRE)", () => {
    expect(() =>
      buildDesign(
        "y ~ x + (x + time + x1 + x2 + I(x^2) + I(x^3) + I(x^4) + I(x^5) + I(x^6) + I(x^7)|g)",
        data,
      ),
    ).toThrow(ModelError);
  });

  it("a grouping factor with a single level", () => {
    const rows = data.map((r) => ({ ...r, one: "only" }));
    expect(() => buildDesign("y ~ x + (1|one)", rows)).toThrow(/> 1 sampled level/);
  });

  it("a fixed factor with a single level", () => {
    const rows = data.map((r) => ({ ...r, one: "only" }));
    expect(() => buildDesign("y ~ x + one + (1|g)", rows)).toThrow(/only one level/);
  });

  it("infinite values", () => {
    const rows = data.map((r) => ({ ...r, x: r.x - data[0].x }));
    expect(() => buildDesign("y ~ log(abs(x)) + (1|g)", rows)).toThrow(/-Infinity in data row 1/);
  });
});

describe("lme4's ordering and naming helpers", () => {
  it("orderTerms: non-increasing levels keep formula order, otherwise rev(order(nl))", () => {
    const t = (name: string, k: number) => ({ name, levels: Array.from({ length: k }, String) });
    expect(orderTerms([t("a", 10), t("b", 5), t("c", 5)]).map((x) => x.name)).toEqual(["a", "b", "c"]);
    expect(orderTerms([t("a", 5), t("b", 5), t("c", 10)]).map((x) => x.name)).toEqual(["c", "b", "a"]);
    expect(orderTerms([t("a", 3), t("b", 24), t("c", 6)]).map((x) => x.name)).toEqual(["b", "c", "a"]);
  });

  it("makeUnique is R's make.unique", () => {
    expect(makeUnique(["a", "a", "a", "b"])).toEqual(["a", "a.1", "a.2", "b"]);
    expect(makeUnique(["a", "a.1", "a"])).toEqual(["a", "a.1", "a.2"]);
  });

  it("varCorrGroupNames for (Days||Subject)-like terms", () => {
    const d = buildDesign("y ~ x + (x||g) + (1|site)", syntheticRows());
    expect(varCorrGroupNames(d)).toEqual(["g", "g.1", "site"]);
  });
});
