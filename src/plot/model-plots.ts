/**
 * The standard set of diagnostic plots of a fitted model, and the bootstrap LRT plot of a comparison.
 */
import type { Design } from "../design/types.js";
import type { FittedLmm } from "../diagnostics/model.js";
import { ranefQQ, residualQQ } from "../diagnostics/qq.js";
import { cooksDistance, fitted, residuals } from "../diagnostics/residuals.js";
import type { BootstrapLrtResult } from "../inference/bootstrap.js";
import {
  cooksDistanceSvg,
  type GroupSeries,
  type LrtBootstrapInput,
  lrtBootstrapSvg,
  observedFittedSvg,
  qqPanelsSvg,
  qqSvg,
  residualsVsFittedSvg,
} from "./plots.js";
import { thinIndices, thinnedNote } from "./thin.js";

export interface NamedPlot {
  /** File-name friendly name: "residuals-fitted", "qq-residuals", … */
  name: string;
  title: string;
  svg: string;
}

export interface PlotModelOptions {
  /**
   * Most points a scatter draws (residuals vs fitted, the residuals' QQ plot, Cook's stems); above it the most
   * extreme points and an even sample of the rest are drawn, and the title says so (./thin.ts). Default: all.
   */
  maxPoints?: number;
}

/** Residuals vs fitted, QQ of residuals, QQ of each random-effect term, Cook's distance, observed vs fitted. */
export function plotModel(model: FittedLmm, options: PlotModelOptions = {}): NamedPlot[] {
  const { design } = model;
  const yhat = fitted(model);
  const res = residuals(model);
  const plots: NamedPlot[] = [];
  const add = (name: string, title: string, svg: string) => plots.push({ name, title, svg });
  const max = options.maxPoints ?? Number.POSITIVE_INFINITY;
  const pick = (values: Float64Array, kept: Int32Array | null): Float64Array =>
    kept ? Float64Array.from(kept, (i) => values[i] as number) : values;

  const keptRes = thinIndices(res.length, max, (i) => Math.abs(res[i] as number));
  const t1 = `Residuals vs fitted${thinnedNote(keptRes, res.length)}`;
  add(
    "residuals-fitted",
    t1,
    residualsVsFittedSvg({
      fitted: pick(yhat, keptRes),
      residuals: pick(res, keptRes),
      title: t1,
      yLabel: `Residuals (${design.response})`,
    }),
  );
  const qq = residualQQ(model);
  const keptQQ = thinIndices(qq.sample.length, max, (i) => Math.abs(qq.theoretical[i] as number));
  const t2 = `Normal QQ plot of the scaled residuals${thinnedNote(keptQQ, qq.sample.length)}`;
  const qqDrawn = keptQQ
    ? { ...qq, theoretical: pick(qq.theoretical, keptQQ), sample: pick(qq.sample, keptQQ) }
    : qq;
  add("qq-residuals", t2, qqSvg({ qq: qqDrawn, title: t2, yLabel: "Scaled residuals" }));
  const t3 = "Normal QQ plots of the random effects";
  const panels = ranefQQ(model).map((r) => ({ label: `${r.term} | ${r.group}`, qq: r }));
  add("qq-ranef", t3, qqPanelsSvg({ panels, title: t3 }));
  const cooks = cooksDistance(model);
  const keptCooks = thinIndices(cooks.length, max, (i) => {
    const v = cooks[i] as number;
    return Number.isFinite(v) ? v : -1;
  });
  const t4 = `Cook's distance${thinnedNote(keptCooks, cooks.length)}`;
  add(
    "cooks-distance",
    t4,
    cooksDistanceSvg({ values: cooks, title: t4, ...(keptCooks ? { drawn: keptCooks } : {}) }),
  );
  const series = observedFittedSeries(design, yhat);
  // Above maxPoints, an even sample of the groups whose points together stay within it (all groups otherwise).
  let groups = series.groups;
  if (design.n > max && groups.length > 1) {
    const perGroup = design.n / groups.length;
    const keep = Math.max(1, Math.min(groups.length, Math.floor(max / perGroup)));
    groups = Array.from(
      { length: keep },
      (_, k) => groups[Math.floor((k * groups.length) / keep)] as GroupSeries,
    );
  }
  const sampledGroups =
    groups.length < series.groups.length
      ? ` (${groups.length} of ${series.groups.length} groups, evenly spaced)`
      : "";
  const t5 = `Observed and fitted ${design.response} by ${series.group}${sampledGroups}`;
  add(
    "observed-fitted",
    t5,
    observedFittedSvg({
      groups,
      title: t5,
      xLabel: series.xLabel,
      yLabel: design.response,
      groupLabel: series.group,
    }),
  );
  return plots;
}

/**
 * Per-group series for the observed-vs-fitted plot: grouped by the first random-effects factor, against the first
 * covariate with more than two distinct values (a random slope's variable, else a fixed-effect column), else
 * against the observation's position within its group.
 */
export function observedFittedSeries(
  design: Design,
  yhat: ArrayLike<number>,
): { group: string; xLabel: string; groups: GroupSeries[] } {
  const term = design.terms[0];
  const n = design.n;
  let x: Float64Array | null = null;
  let xLabel = "Observation within group";
  const distinctMoreThan2 = (v: ArrayLike<number>) => new Set(Array.from(v)).size > 2;
  if (term) {
    const p = term.columns.length;
    for (let j = 0; j < p && !x; j++) {
      if (term.columns[j] === "(Intercept)") continue;
      const col = Float64Array.from({ length: n }, (_, i) => term.z[i * p + j] as number);
      if (distinctMoreThan2(col)) {
        x = col;
        xLabel = term.columns[j] as string;
      }
    }
  }
  for (let j = 0; j < design.fixedNames.length && !x; j++) {
    const col = design.X.subarray(j * n, (j + 1) * n);
    if (design.fixedNames[j] !== "(Intercept)" && distinctMoreThan2(col)) {
      x = Float64Array.from(col);
      xLabel = design.fixedNames[j] as string;
    }
  }
  if (!term) return { group: "", xLabel, groups: [] };
  const members: number[][] = term.levels.map(() => []);
  for (let i = 0; i < n; i++) members[term.refs[i] as number]?.push(i);
  const groups = term.levels.map((name, l) => {
    const idx = members[l] as number[];
    return {
      name,
      x: idx.map((i, k) => (x ? (x[i] as number) : k + 1)),
      observed: idx.map((i) => design.y[i] as number),
      fitted: idx.map((i) => yhat[i] as number),
    };
  });
  return { group: term.group, xLabel, groups };
}

/** The bootstrap distribution of the likelihood-ratio statistic (see lrtBootstrapSvg). */
export function plotLrtBootstrap(input: LrtBootstrapInput): NamedPlot {
  const title = input.title ?? "Parametric bootstrap of the likelihood-ratio statistic";
  return { name: "lrt-bootstrap", title, svg: lrtBootstrapSvg({ ...input, title }) };
}

/** The LRT plot straight from `bootstrapLRT`'s result (its T*, observed T, df and p-values). */
export function plotBootstrapLrtResult(
  result: Pick<BootstrapLrtResult, "stats" | "observed" | "df" | "pBootstrap" | "pChisq">,
  title?: string,
): NamedPlot {
  return plotLrtBootstrap({
    replicates: result.stats,
    observed: result.observed,
    df: result.df,
    pValueBootstrap: result.pBootstrap,
    pValueChisq: result.pChisq,
    title,
  });
}
