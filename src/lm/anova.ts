/**
 * Comparing models without random effects, and mixed models against them.
 *
 * - All linear models: R's anova(lm0, lm1, ...) (anova.lmlist): the F test of each model against the one before,
 *   scaled by the residual mean square of the model with the fewest residual degrees of freedom.
 * - A mixed model and a linear model: lme4's anova(mixed, lm), the likelihood-ratio test of the random effects
 *   (the mixed model refitted by ML when it was fitted by REML; the lm's logLik is ML). The χ² p-value is
 *   conservative there: under H0 the variance parameters lie on the boundary of their space, so the statistic's
 *   null distribution is a mixture of χ²'s with fewer degrees of freedom and the printed p-value is too big
 *   (the lecture's point; a parametric bootstrap gives the right one).
 */

import { fUpper } from "../distributions/beta.js";
import { chiSquareUpper } from "../distributions/chisq.js";
import { SpruceError } from "../errors.js";
import type { LinearMixedModel } from "../fit/model.js";
import type { AnovaResult, AnovaRow } from "../inference/anova.js";
import { checkSameData, toMlFit } from "../inference/models.js";
import { LinearModel } from "./model.js";
import { formatColumn, formatPValues, printRight, SIGNIF_LEGEND, withStars, zapsmallR } from "./print.js";

export interface FTestResult {
  test: "F";
  models: string[];
  ResDf: number[];
  RSS: number[];
  /** One entry per model; null on the first (R's NA). */
  Df: (number | null)[];
  SumSq: (number | null)[];
  F: (number | null)[];
  p: (number | null)[];
}

/** R's anova.lmlist for linear models, in the order given. */
export function anovaLm(models: LinearModel[]): FTestResult {
  if (models.length < 2) throw new SpruceError("anova: give at least two models to compare");
  checkSameData(
    models.map((m) => m.design),
    "anova",
  );
  const resdf = models.map((m) => m.dfResidual);
  const rss = models.map((m) => m.rss);
  let big = 0;
  resdf.forEach((d, i) => {
    if (d < (resdf[big] as number)) big = i;
  });
  const scale = (rss[big] as number) / (resdf[big] as number);
  const Df: (number | null)[] = [null];
  const SumSq: (number | null)[] = [null];
  const F: (number | null)[] = [null];
  const p: (number | null)[] = [null];
  for (let i = 1; i < models.length; i++) {
    const df = (resdf[i - 1] as number) - (resdf[i] as number);
    const ss = (rss[i - 1] as number) - (rss[i] as number);
    Df.push(df);
    SumSq.push(ss);
    if (df === 0) {
      F.push(null);
      p.push(null);
      continue;
    }
    const f = ss / df / scale;
    F.push(f);
    p.push(fUpper(f, Math.abs(df), resdf[big] as number));
  }
  return { test: "F", models: models.map((m) => m.formula), ResDf: resdf, RSS: rss, Df, SumSq, F, p };
}

/** The JSON of `spruce anova` for linear models: scalars for two models, arrays (first entry null) for more. */
export function fTestJson(r: FTestResult): Record<string, unknown> {
  const two = r.models.length === 2;
  const pick = (xs: (number | null)[]) => (two ? xs[1] : xs);
  return {
    test: "F",
    models: r.models,
    ResDf: r.ResDf,
    RSS: r.RSS,
    Df: pick(r.Df),
    SumSq: pick(r.SumSq),
    F: pick(r.F),
    p: pick(r.p),
  };
}

/** The table as R prints it (print.anova, digits 5). */
export function formatFTest(r: FTestResult): string {
  const digits = 5;
  const cols = ["Res.Df", "RSS", "Df", "Sum of Sq", "F", "Pr(>F)"];
  const resdf = formatColumn(r.ResDf, digits);
  const rss = formatColumn(zapsmallR(r.RSS, digits), digits);
  const df = formatColumn(r.Df, digits);
  const ss = formatColumn(
    zapsmallR(
      r.SumSq.map((x) => (x === null ? Number.NaN : x)),
      digits,
    ).map((x) => (Number.isNaN(x) ? null : x)),
    digits,
  );
  const f = formatColumn(
    r.F.map((x) => (x === null ? null : Math.round(x * 1e4) / 1e4)),
    digits,
  );
  const pv = formatPValues(r.p, 4);
  const cells = r.models.map((_, i) => [
    resdf[i] as string,
    rss[i] as string,
    df[i] as string,
    ss[i] as string,
    f[i] as string,
    pv[i] as string,
  ]);
  const hasStars = withStars(cells, cols, r.p);
  const out = ["Analysis of Variance Table", ""];
  r.models.forEach((m, i) => {
    out.push(`Model ${i + 1}: ${m}`);
  });
  out.push(
    ...printRight(
      r.models.map((_, i) => String(i + 1)),
      cols,
      cells,
    ),
  );
  if (hasStars) out.push("---", SIGNIF_LEGEND);
  return out.join("\n");
}

/** What the mixed-versus-lm test adds to lme4's table: why its p-value is too big. */
export const BOUNDARY_NOTE =
  "Note: this tests variance parameters on the boundary of their space (a variance of 0 under H0), so the " +
  "chi-squared p-value is conservative (too big); a parametric bootstrap gives the right one.";

export type AnyModel = LinearMixedModel | LinearModel;

/**
 * lme4's anova(mixed, lm): the likelihood-ratio table of models with and without random effects (at least one
 * mixed model and at least one linear model), models ordered by npar; REML fits are refitted by ML first.
 */
export function anovaMixedLm(models: AnyModel[], names?: string[]): AnovaResult {
  if (models.length < 2) throw new SpruceError("anova: give at least two models to compare");
  checkSameData(
    models.map((m) => m.design),
    "anova",
  );
  let refitted = false;
  const entries = models.map((m, i) => {
    if (m instanceof LinearModel)
      return { m, ll: m.logLik(), npar: m.npar, n: m.nobs, i, name: names?.[i] ?? m.formula };
    const ml = toMlFit(m);
    if (ml.refitted) refitted = true;
    return { m, ll: ml.logLik, npar: ml.npar, n: ml.nobs, i, name: names?.[i] ?? m.formula };
  });
  entries.sort((a, b) => a.npar - b.npar || a.i - b.i);
  const rows: AnovaRow[] = entries.map((e, k) => {
    const deviance = -2 * e.ll;
    const row: AnovaRow = {
      name: e.name,
      formula: e.m.formula,
      npar: e.npar,
      AIC: deviance + 2 * e.npar,
      BIC: deviance + e.npar * Math.log(e.n),
      logLik: e.ll,
      deviance,
      Chisq: null,
      Df: null,
      p: null,
    };
    if (k > 0) {
      const prev = entries[k - 1] as (typeof entries)[number];
      const chisq = 2 * Math.max(0, e.ll - prev.ll);
      const df = e.npar - prev.npar;
      row.Chisq = chisq;
      row.Df = df;
      row.p = df > 0 ? chiSquareUpper(chisq, df) : null;
    }
    return row;
  });
  const messages = refitted ? ["refitting model(s) with ML (instead of REML)"] : [];
  messages.push(BOUNDARY_NOTE);
  return { rows, refitted, messages, fits: [] };
}
