/**
 * The summary text against lme4's own printout. At lme4's θ̂ the numbers are lme4's, so the text must be the
 * same character for character (lme4 1.1 summary of the sleepstudy REML fit, as printed in its documentation).
 */
import { describe, expect, it } from "vitest";
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { fitMixed as fitLmm, modelAtTheta } from "../../src/fit/fit.js";
import { createEngine } from "../../src/fit/wasm-engine.js";
import { readCsv } from "../../src/frame/csv.js";
import { abbreviate, formatNumbers, quantile7, zapsmall } from "../../src/report/rformat.js";
import { asArray, fixtureDataPath, loadFitFixture } from "../support/fixtures.js";

async function atLme4Theta(id: string) {
  const fx = loadFitFixture(id);
  const design = buildDesign(fx.formula, readCsv(fixtureDataPath(fx)));
  const engine = await createEngine(designBuffers(design));
  return modelAtTheta(design, engine, asArray(fx.theta), { REML: fx.REML });
}

const lme4SleepstudyReml = `Linear mixed model fit by REML ['lmerMod']
Formula: Reaction ~ Days + (Days | Subject)
   Data: sleepstudy

REML criterion at convergence: 1743.6

Scaled residuals: 
    Min      1Q  Median      3Q     Max 
-3.9536 -0.4634  0.0231  0.4634  5.1793 

Random effects:
 Groups   Name        Variance Std.Dev. Corr
 Subject  (Intercept) 612.10   24.741       
          Days         35.07    5.922   0.07
 Residual             654.94   25.592       
Number of obs: 180, groups:  Subject, 18

Fixed effects:
            Estimate Std. Error t value
(Intercept)  251.405      6.825  36.838
Days          10.467      1.546   6.771

Correlation of Fixed Effects:
     (Intr)
Days -0.138`;

describe("summary()", () => {
  it("sleepstudy REML at lme4's θ̂: lme4's printout exactly", async () => {
    const model = await atLme4Theta("sleepstudy_reml");
    expect(model.summary({ dataName: "sleepstudy" })).toBe(lme4SleepstudyReml);
  });

  it("sleepstudy ML: title, AIC table and lme4's numbers", async () => {
    const model = await atLme4Theta("sleepstudy_ml");
    const text = model.summary();
    const lines = text.split("\n");
    // lme4 prints two spaces before ['lmerMod'] for ML fits.
    expect(lines[0]).toBe("Linear mixed model fit by maximum likelihood  ['lmerMod']");
    expect(lines[3]).toBe("     AIC      BIC   logLik deviance df.resid ");
    expect(lines[4]).toBe("  1763.9   1783.1   -876.0   1751.9      174 ");
    // lme4 1.1-31's estimates (the fixture): variance 565.476, sd 23.780, t = 251.405/6.632 = 37.907.
    expect(text).toContain(" Subject  (Intercept) 565.48   23.780       ");
    expect(text).toContain("(Intercept)  251.405      6.632  37.907");
  });

  it("a second term on the same factor is named Subject.1 and has no Corr column", async () => {
    const model = await atLme4Theta("sleepstudy_uncorr_ml");
    const text = model.summary();
    expect(text).toContain(" Groups    Name        Variance Std.Dev.\n");
    expect(text).toMatch(/\n Subject\.1 Days {9}33\.63 {4}5\.799 {2}\n/);
  });

  it("a 3×3 term prints the lower triangle of its correlations", async () => {
    const model = await atLme4Theta("sitka_mm1_ml");
    const text = model.summary();
    expect(text).toContain("Number of obs: 395, groups:  tree, 79");
    // cor(time, I(time^2)) = −0.710 in lme4's varcorr; cor((Intercept), I(time^2)) = 0.118.
    expect(text).toMatch(/\n {10}I\(time\^2\) +0\.002593 0\.05092 +0\.12 -0\.71/);
    expect(text).toContain("Correlation of Fixed Effects:");
    expect(text).toContain("treatozn:tm");
  });

  it("a singular fit ends with lme4's message", async () => {
    const fx = loadFitFixture("dyestuff2_reml");
    const model = await fitLmm(fx.formula, readCsv(fixtureDataPath(fx)));
    expect(model.singular).toBe(true);
    expect(model.summary().split("\n").at(-1)).toBe("boundary (singular) fit: see help('isSingular')");
  });
});

describe("R formatting helpers", () => {
  it("format(x, digits = 4) uses common decimals, as R", () => {
    expect(formatNumbers([612.1002, 35.07171, 654.9412], 4)).toEqual(["612.10", " 35.07", "654.94"]);
    expect(formatNumbers([24.74066, 5.922138, 25.59182], 4)).toEqual(["24.741", " 5.922", "25.592"]);
    expect(formatNumbers([749888.3, 1858727.1], 4)).toEqual([" 749888", "1858727"]);
    expect(formatNumbers([1e-10, 1], 4)).toEqual(["1e-10", "1e+00"]);
  });

  it("abbreviate() as R: (Intercept) → (Intr), treatozone → tretzn", () => {
    expect(abbreviate(["(Intercept)", "Days"], 6)).toEqual(["(Intr)", "Days"]);
    expect(abbreviate(["treatozone"], 6)).toEqual(["tretzn"]);
    expect(abbreviate(["treatozone:time"], 11)).toEqual(["treatozn:tm"]);
  });

  it("quantile type 7 and zapsmall", () => {
    expect(quantile7([1, 2, 3, 4], [0, 0.25, 0.5, 1])).toEqual([1, 1.75, 2.5, 4]);
    expect(zapsmall([1e-20, 5.17934], 5)).toEqual([0, 5.1793]);
  });
});
