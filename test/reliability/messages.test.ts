/** Issue 18, case 10: messages name the row and cell, the real reason, and the value as given. */
import { describe, expect, it } from "vitest";
import { ArgumentError, DataError, ModelError } from "../../src/errors.js";
import { fit } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/csv.js";
import { bootstrapLRT } from "../../src/inference/bootstrap.js";
import { spruce } from "./support.js";

const sitka = readCsv("examples/sitka.csv");

describe("10. messages", () => {
  it("a non-numeric response names the data row and the cell (was: a sorted list of values)", async () => {
    await expect(fit("treat ~ time + (1|tree)", sitka)).rejects.toThrow(DataError);
    await expect(fit("treat ~ time + (1|tree)", sitka)).rejects.toThrow(
      "the response 'treat' must be numeric, but it holds text or logical values: row 1 of the data holds 'ozone', which is not a number (and 394 more cells)",
    );
    const d = { y: [1, 2, "3,5", 4, 5, 6], g: ["a", "a", "a", "b", "b", "b"] };
    await expect(fit("y ~ 1 + (1|g)", d)).rejects.toThrow("row 3 of the data holds '3,5'");
  });

  it("tree ~ 1 + (1|tree) is refused because the response is the grouping factor", async () => {
    await expect(fit("tree ~ 1 + (1|tree)", sitka)).rejects.toThrow(ModelError);
    await expect(fit("tree ~ 1 + (1|tree)", sitka)).rejects.toThrow(
      "the response 'tree' is also the grouping factor of the random-effects term (1 | tree)",
    );
  });

  it.each([
    [["--nsim", "10"], "--nsim applies to --confint boot only: add --confint boot or drop --nsim"],
    [
      ["--level", "0.9"],
      "--level applies to --confint: add --confint profile, wald or boot (or drop --level)",
    ],
    [
      ["--confint", "wald", "--nsim", "10"],
      "--nsim applies to --confint boot only (not --confint wald): add --confint boot or drop --nsim",
    ],
  ])("fit %j without --confint boot is an error (was: silently ignored)", (flags, message) => {
    const r = spruce(["fit", "examples/sleepstudy.csv", "Reaction ~ Days + (Days|Subject)", ...flags]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`spruce: ${message}\n`);
  });

  it('nsim: "10" is rejected with the value printed as given (quoted)', async () => {
    const m0 = await fit("size ~ time + (1|tree)", sitka, { REML: false });
    const m1 = await fit("size ~ time*treat + (1|tree)", sitka, { REML: false });
    await expect(bootstrapLRT(m0, m1, { nsim: "10" as unknown as number })).rejects.toThrow(ArgumentError);
    await expect(bootstrapLRT(m0, m1, { nsim: "10" as unknown as number })).rejects.toThrow(
      `bootstrapLRT: option 'nsim' must be an integer ≥ 1, got "10"`,
    );
    await expect(bootstrapLRT(m0, m1, { seed: "1" as unknown as number })).rejects.toThrow(`got "1"`);
    const cli = spruce([
      "boot",
      "examples/sitka.csv",
      "size ~ time + (1|tree)",
      "size ~ time*treat + (1|tree)",
      "--nsim",
      "0x10",
    ]);
    expect(cli.status).toBe(2);
    expect(cli.stderr).toBe('spruce: --nsim must be an integer ≥ 1, got "0x10"\n');
  });
});
