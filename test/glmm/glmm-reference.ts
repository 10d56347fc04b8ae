/**
 * Comparison of a spruce GLMM fit with an lme4 glmer reference (test/fixtures/glmm/<id>.json) at issue 12's
 * tolerances: logLik not below lme4's by more than 2e-3, fixed effects within 2% of an SE, SEs within 2%,
 * random-effect SDs within 2%, correlations within 0.03. Shared by the fast suite and the scale suite.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { parseCsv } from "../../src/frame/csv.js";
import { fitGlmm } from "../../src/glmm/fit.js";
import type { GeneralizedLinearMixedModel } from "../../src/glmm/model.js";
import { fixturesDir } from "../support/fixtures.js";

export const glmmDir = join(fixturesDir, "glmm");

export interface GlmmFixture {
  id: string;
  data: string;
  formula: string;
  family: string;
  link: string;
  nAGQ: number;
  weights: string | null;
  nobs: number;
  logLik: number;
  objective: number;
  deviance: number;
  theta: number[] | number;
  beta: number[];
  fixef: Record<string, number>;
  se: Record<string, number>;
  varcorr: { grp: string; var1: string; var2: string | null; sdcor: number }[];
  ranef: { group: string; levels: string[]; values: number[][]; condSD: number[][] }[];
  fitted: number[];
  residualsByType: Record<string, number[]>;
  predictLink: number[];
  predictNewdata: { data: Record<string, (number | string)[]>; link: number[]; responseFixedOnly: number[] };
  devfun: { theta: number[] | number; beta: number[] | null; deviance: number | null }[];
  convergence: { hessian?: number[][] };
  lme4Warnings: string[];
}

export function loadGlmmFixture(id: string): GlmmFixture {
  return JSON.parse(readFileSync(join(glmmDir, `${id}.json`), "utf8")) as GlmmFixture;
}

export function fixtureData(fx: GlmmFixture) {
  return parseCsv(readFileSync(join(glmmDir, fx.data), "utf8"));
}

export async function fitFixture(fx: GlmmFixture): Promise<GeneralizedLinearMixedModel> {
  return fitGlmm(fx.formula, fixtureData(fx), {
    family: fx.family,
    link: fx.link,
    nAGQ: fx.nAGQ,
    ...(fx.weights ? { weights: fx.weights } : {}),
  });
}

/** Asserts the tolerances; `separation` skips SEs and the diverging coefficient (its MLE is infinite). */
export function expectAgreement(m: GeneralizedLinearMixedModel, fx: GlmmFixture, separation = false): void {
  expect(m.nobs).toBe(fx.nobs);
  expect(m.logLik()).toBeGreaterThan(fx.logLik - 2e-3);
  const fe = m.fixef();
  const se = m.se();
  for (const [name, b] of Object.entries(fx.fixef)) {
    if (separation && Math.abs(b) > 10) continue;
    const s = fx.se[name] as number;
    expect(Math.abs((fe[name] as number) - b), `fixef ${name}`).toBeLessThan(0.02 * s);
    if (!separation) expect(Math.abs((se[name] as number) / s - 1), `se ${name}`).toBeLessThan(0.02);
  }
  const vc = m.varCorr();
  expect(vc.length).toBe(fx.varcorr.length);
  fx.varcorr.forEach((r, i) => {
    const ours = vc[i]!;
    expect([ours.grp, ours.var1, ours.var2]).toEqual([r.grp, r.var1, r.var2]);
    if (r.var2 === null) expect(Math.abs(ours.sdcor / r.sdcor - 1), `sd ${r.grp}`).toBeLessThan(0.02);
    else expect(Math.abs(ours.sdcor - r.sdcor), `cor ${r.grp}`).toBeLessThan(0.03);
  });
  // Conditional modes within a tenth of their conditional SD; fitted values and residuals close.
  const re = m.ranef({ condVar: true });
  fx.ranef.forEach((g, gi) => {
    const ours = re[gi]!;
    expect(ours.levels).toEqual(g.levels);
    g.values.forEach((row, l) => {
      row.forEach((v, j) => {
        const sd = g.condSD[l]![j]!;
        expect(Math.abs(ours.values[l]![j]! - v)).toBeLessThan(0.1 * sd + 1e-6);
        expect(Math.abs(Math.sqrt(ours.condVar![l]![j]![j]!) / sd - 1)).toBeLessThan(0.02);
      });
    });
  });
  if (separation) return;
  const eta = m.predict();
  fx.predictLink.forEach((v, i) => {
    expect(Math.abs(eta[i]! - v)).toBeLessThan(0.02);
  });
  const fitted = m.fitted();
  const tol = (i: number) => 0.02 * Math.max(1, Math.abs(eta[i]!));
  fx.fitted.forEach((v, i) => {
    expect(Math.abs(fitted[i]! - v)).toBeLessThan(tol(i) * Math.max(0.01, v));
  });
}
