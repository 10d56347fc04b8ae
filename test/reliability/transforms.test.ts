/** Issue 18, case 3: a transform that gives NaN is an error naming the term and the rows, or a visible choice. */
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { fit } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/csv.js";
import { spruce } from "./support.js";

const sitka = readCsv("examples/sitka.csv");

describe("3. NaN-producing transforms", () => {
  it("log(time) on standardised time is a DataError naming the term and 237 of 395 rows", async () => {
    const attempt = fit("size ~ log(time) + (1|tree)", sitka);
    await expect(attempt).rejects.toThrow(DataError);
    await expect(fit("size ~ log(time) + (1|tree)", sitka)).rejects.toThrow(
      /'log\(time\)' gave NaN in 237 of 395 rows \(first: data row 1\).*dropNaN: true \(CLI: --drop-nan\)/,
    );
  });

  it("dropNaN: true drops the 237 rows and says so with the fit", async () => {
    const m = await fit("size ~ log(time) + (1|tree)", sitka, { dropNaN: true });
    expect(m.nobs).toBe(395 - 237);
    expect(m.messages).toContain("dropped 237 rows where log(time) gave NaN (dropNaN)");
  });

  it("the CLI refuses by default (exit 2) and fits with --drop-nan", () => {
    const refused = spruce(["fit", "examples/sitka.csv", "size ~ log(time) + (1|tree)", "--json"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("'log(time)' gave NaN in 237 of 395 rows");
    const dropped = spruce([
      "fit",
      "examples/sitka.csv",
      "size ~ log(time) + (1|tree)",
      "--json",
      "--drop-nan",
    ]);
    expect(dropped.status).toBe(0);
    expect(JSON.parse(dropped.stdout).nobs).toBe(158);
    expect(dropped.stderr).toContain("dropped 237 rows where log(time) gave NaN");
  });

  it("missing inputs are still plain missing values (not a transform's NaN)", async () => {
    const d = {
      y: [1, 2, 3, 4, 5, 6, 7, 8],
      x: [1, 2, null, 4, 5, 6, 7, 9],
      g: ["a", "a", "a", "a", "b", "b", "b", "b"],
    };
    const m = await fit("y ~ log(x) + (1|g)", d);
    expect(m.nobs).toBe(7);
  });
});
