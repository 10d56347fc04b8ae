/** Issue 18, case 2: boot and anova refuse models that are not nested, and never test a negative statistic. */
import { describe, expect, it } from "vitest";
import { designBuffers } from "../../src/design/types.js";
import { ModelError } from "../../src/errors.js";
import { fit, modelAtTheta } from "../../src/fit/fit.js";
import { createEngine } from "../../src/fit/wasm-engine.js";
import { readCsv } from "../../src/frame/csv.js";
import { anova } from "../../src/inference/anova.js";
import { bootstrapLRT } from "../../src/inference/bootstrap.js";
import { notNestedReason } from "../../src/inference/nesting.js";
import { spruce } from "./support.js";

const sitka = readCsv("examples/sitka.csv");

describe("2. non-nested models", () => {
  it("spruce boot with fixed effects that are not nested exits 2 naming the column (was: LRT −664.46, exit 0)", () => {
    const r = spruce([
      "boot",
      "examples/sitka.csv",
      "size ~ time + (1|tree)",
      "size ~ treat + I(time^2) + (1|tree)",
      "--nsim",
      "100",
      "--seed",
      "1",
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the models are not nested");
    expect(r.stderr).toContain("time not in the column space of the larger model");
    expect(r.stdout).toBe("");
  });

  it("anova refuses a random part that is not nested, naming the term", async () => {
    const m0 = await fit("size ~ time + (time|tree)", sitka, { REML: false });
    const m1 = await fit("size ~ time*treat + (1|tree) + (0 + I(time^2)|tree)", sitka, { REML: false });
    expect(() => anova(m0, m1)).toThrow(ModelError);
    expect(() => anova(m0, m1)).toThrow(
      /random effects of 'size ~ time \+ \(time\|tree\)' are not within those of .*\(the term \(\(Intercept\) \+ time \| tree\) is not covered/,
    );
    await expect(bootstrapLRT(m0, m1, { nsim: 5, workers: 0 })).rejects.toThrow(/not nested/);
  });

  it("nested models pass: (1|g) + (0+x|g) within (x|g), and fixed effects by column space", async () => {
    const a = await fit("size ~ time + (1|tree) + (0 + time|tree)", sitka, { REML: false });
    const b = await fit("size ~ time*treat + (time|tree)", sitka, { REML: false });
    expect(notNestedReason(a.design, b.design)).toBeNull();
    expect(notNestedReason(b.design, a.design)).toMatch(/treatozone/);
    const rows = anova(a, b).rows;
    expect(rows[1]?.Chisq).toBeGreaterThan(0);
  });

  it("a negative observed statistic beyond rounding is never reported as a test", async () => {
    const m0 = await fit("size ~ time + (1|tree)", sitka, { REML: false });
    const good = await fit("size ~ time*treat + (1|tree)", sitka, { REML: false });
    // The larger model away from its optimum (θ fixed far off): its deviance is above the smaller model's.
    const engine = await createEngine(designBuffers(good.design));
    const bad = modelAtTheta(good.design, engine, [0.01], { REML: false });
    expect(bad.objective).toBeGreaterThan(m0.objective);
    await expect(bootstrapLRT(m0, bad, { nsim: 5, workers: 0 })).rejects.toThrow(
      /the larger model fits worse than the smaller one \(observed LRT -\d+\.\d+ < 0\)/,
    );
    const table = anova(m0, bad);
    expect(table.rows[1]?.Chisq).toBeNull();
    expect(table.rows[1]?.p).toBeNull();
    expect(table.messages.join("\n")).toMatch(/has a higher deviance than model 1 .*no test is reported/);
  });
});
