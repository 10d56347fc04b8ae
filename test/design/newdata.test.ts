import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { newDataDesign } from "../../src/design/newdata.js";
import { DataError } from "../../src/errors.js";
import { readCsv } from "../../src/frame/csv.js";
import { syntheticRows } from "./synthetic-data.js";

const sitka = readCsv(join(import.meta.dirname, "..", "fixtures", "conformance", "data", "sitka.csv"));

describe("newDataDesign: the fitted model's columns on new data", () => {
  it("on the fitting data it reproduces X, Z and the level refs exactly", () => {
    const d = buildDesign("size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)", sitka);
    const nd = newDataDesign(d, sitka);
    expect(nd.n).toBe(d.n);
    expect(Array.from(nd.X)).toEqual(Array.from(d.X));
    expect(Array.from(nd.terms[0].z)).toEqual(Array.from(d.terms[0].z));
    expect(Array.from(nd.terms[0].refs)).toEqual(Array.from(d.terms[0].refs));
    expect(nd.terms[0].newLevels).toEqual([]);
  });

  it("a few new rows: treatment coding kept even if only one level appears; no response needed", () => {
    const d = buildDesign("y ~ treat*x + (x|g) + (1|site:block)", syntheticRows());
    const nd = newDataDesign(d, [
      { treat: "ozone", x: 2, g: "g3", site: "B", block: 2 },
      { treat: "ozone", x: -1, g: "g99", site: "Z", block: 1 },
    ]);
    expect(d.fixedNames).toEqual(["(Intercept)", "treatozone", "x", "treatozone:x"]);
    // Column-major: intercept, treatozone, x, treatozone:x.
    expect(Array.from(nd.X)).toEqual([1, 1, 1, 1, 2, -1, 2, -1]);
    const gTerm = d.terms.findIndex((t) => t.group === "g");
    const sbTerm = d.terms.findIndex((t) => t.group === "site:block");
    expect(nd.terms[gTerm].refs[0]).toBe(d.terms[gTerm].levels.indexOf("g3"));
    expect(nd.terms[gTerm].refs[1]).toBe(-1);
    expect(nd.terms[gTerm].newLevels).toEqual(["g99"]);
    expect(Array.from(nd.terms[gTerm].z)).toEqual([1, 2, 1, -1]);
    expect(nd.terms[sbTerm].refs[0]).toBe(d.terms[sbTerm].levels.indexOf("B:2"));
    expect(nd.terms[sbTerm].newLevels).toEqual(["Z:1"]);
  });

  it("missing values give NaN rows; a new fixed-effect level is an error", () => {
    const d = buildDesign("y ~ treat + x + (1|g)", syntheticRows());
    const nd = newDataDesign(d, [
      { treat: "ctrl", x: null, g: "g1" },
      { treat: "ctrl", x: 1, g: "g1" },
    ]);
    expect(Number.isNaN(nd.X[0])).toBe(true);
    expect(nd.X[1]).toBe(1);
    expect(() => newDataDesign(d, [{ treat: "placebo", x: 1, g: "g1" }])).toThrow(DataError);
    expect(() => newDataDesign(d, [{ treat: "placebo", x: 1, g: "g1" }])).toThrow(/new level 'placebo'/);
  });

  it("aliased columns stay dropped", () => {
    const d = buildDesign("y ~ x + I(2*x) + (1|g)", syntheticRows());
    const nd = newDataDesign(d, [{ x: 3, g: "g1" }]);
    expect(Array.from(nd.X)).toEqual([1, 3]);
  });
});
