/**
 * R's read.csv reads a column of whole numbers written without a decimal point or exponent as an integer vector,
 * and factor() labels integers in full: 100000 is level "100000", where a double 100000 (written 1e+05) is "1e+05".
 * Grouping factors and factor() terms made from such columns must carry R's labels (ranef level names, coefficient
 * names). Expected labels are R 4 output: levels(factor(read.csv(f)$id)).
 */
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { newDataDesign } from "../../src/design/newdata.js";
import { parseCsv } from "../../src/frame/csv.js";

describe("integer columns", () => {
  it("whole numbers without '.' or exponent, within R's integer range, make an integer column", () => {
    const f = parseCsv("a,b,c,d,e\n100000,1e5,100000.0,3000000000,-7\n200000,2e5,200000.0,1,NA\n");
    expect(f.columns.get("a")).toMatchObject({ kind: "numeric", integer: true });
    for (const name of ["b", "c", "d"]) expect(f.columns.get(name), name).not.toHaveProperty("integer");
    expect(f.columns.get("e")).toMatchObject({ kind: "numeric", integer: true });
  });

  // R: levels(factor(read.csv(f)$id)) "100000" "200000" "1000000"; levels(factor(read.csv(f)$dbl)) "1e+05" ...
  const csv = [
    "id,dbl,x,y",
    "100000,1e+05,0,1.5",
    "200000,2e+05,1,2.25",
    "1000000,1e+06,0,0.5",
    "100000,1e+05,1,3",
    "200000,2e+05,0,1",
    "1000000,1e+06,1,2",
    "100000,1e+05,0,2.5",
    "200000,2e+05,1,0.75",
    "1000000,1e+06,0,1.25",
  ].join("\n");

  it("a grouping factor from an integer column is labelled in full (100000), from a double column as R prints it (1e+05)", () => {
    const data = parseCsv(csv);
    expect(buildDesign("y ~ x + (1|id)", data).terms[0]?.levels).toEqual(["100000", "200000", "1000000"]);
    expect(buildDesign("y ~ x + (1|dbl)", data).terms[0]?.levels).toEqual(["1e+05", "2e+05", "1e+06"]);
    // lme4: fixef names (Intercept), factor(id)200000, factor(id)1000000.
    expect(buildDesign("y ~ factor(id) + (1|dbl)", data).fixedNames).toEqual([
      "(Intercept)",
      "factor(id)200000",
      "factor(id)1000000",
    ]);
    // Interactions join the full labels: id:x -> "100000:0".
    expect(buildDesign("y ~ 1 + (1|id:x)", data).terms[0]?.levels).toEqual([
      "100000:0",
      "100000:1",
      "200000:0",
      "200000:1",
      "1000000:0",
      "1000000:1",
    ]);
  });

  it("new data given as JS numbers find the integer column's levels", () => {
    const d = buildDesign("y ~ factor(id) + (1|id)", parseCsv(csv));
    const nd = newDataDesign(d, [{ id: 200000 }, { id: 1000000 }]);
    expect(Array.from(nd.terms[0]?.refs ?? [])).toEqual([1, 2]);
    // Column-major X: intercept, factor(id)200000, factor(id)1000000.
    expect(Array.from(nd.X)).toEqual([1, 1, 1, 0, 0, 1]);
    const unseen = newDataDesign(buildDesign("y ~ x + (1|id)", parseCsv(csv)), [{ id: 400000, x: 0 }]);
    // A new level is labelled as the fitted variable was: an integer in full.
    expect(unseen.terms[0]?.newLevels).toEqual(["400000"]);
  });
});
