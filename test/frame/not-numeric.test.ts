/** A column that should be numeric but is text because of some cells: the error names the row (issue 16). */
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { parseCsv } from "../../src/frame/csv.js";

const rows = (cells: string[]) =>
  ["y,x,g", ...cells.map((c, i) => `${c},${i % 3},${"abc"[i % 3]}`)].join("\n");

describe("a response with a bad cell", () => {
  it("names the row and the cell", () => {
    const data = parseCsv(rows(["1.5", "2.5", "1.2a", "3.5", "4", "5"]));
    expect(() => buildDesign("y ~ x + (1|g)", data)).toThrow(
      /column 'y' holds numbers except one cell: data row 3 is "1.2a"; fix the cell/,
    );
  });

  it("counts further bad cells and hints at decimal commas", () => {
    const data = parseCsv(rows(['"1,5"', '"2,5"', '"3,25"', "4", "5", "6"]));
    expect(() => buildDesign("y ~ x + (1|g)", data)).toThrow(
      /row 1 of the data holds '1,5', which is not a number \(and 2 more cells\); the cells look like numbers with decimal commas/,
    );
  });

  it("a covariate used in arithmetic names the row too", () => {
    const data = parseCsv(["y,x,g", "1,1,a", "2,2x,b", "3,3,c", "4,4,a"].join("\n"));
    expect(() => buildDesign("y ~ I(x^2) + (1|g)", data)).toThrow(
      /column 'x' holds string values: row 2 of the data holds '2x'/,
    );
  });
});
