/**
 * The lecture's pictures from data and models (./lecture-plots.ts draws them): residuals of any fitted model
 * grouped by a column, and the fixed-effect-only versus random-intercept lines of `response ~ x` by group.
 */

import { DataError } from "../errors.js";
import { fitMixed } from "../fit/fit.js";
import type { LinearMixedModel } from "../fit/model.js";
import { type DataInput, toDataFrame } from "../frame/frame.js";
import { fitLinearModel } from "../lm/fit.js";
import type { LinearModel } from "../lm/model.js";
import { type GroupLine, groupLinesSvg, residualsByGroupSvg } from "./lecture-plots.js";
import type { NamedPlot } from "./model-plots.js";

/** The labels of column `group` on the rows a model used (`rows`: indices into the data). */
export function groupLabels(data: DataInput, group: string, rows: ArrayLike<number>): string[] {
  const frame = toDataFrame(data);
  const col = frame.columns.get(group);
  if (!col) throw new DataError(`no column '${group}' to group by; columns are: ${frame.names.join(", ")}`);
  const values = col.values as ArrayLike<number | string | boolean | null>;
  return Array.from(rows, (r) => String(values[r] ?? "NA"));
}

/** Residuals of a fitted model (lm or mixed) as boxplots per level of column `group`, ordered by median. */
export function plotResidualsByGroup(
  model: LinearModel | LinearMixedModel,
  data: DataInput,
  group: string,
): NamedPlot {
  const labels = groupLabels(data, group, model.design.rows);
  const title = `Residuals of ${model.formula}, grouped by ${group}`;
  return {
    name: "residuals-by-group",
    title,
    svg: residualsByGroupSvg({ residuals: model.residuals(), groups: labels, title, groupLabel: group }),
  };
}

/**
 * Per-group lines of `response ~ factor(group) + x` (R's lm; dashed) and `response ~ x + (1 | group)` (lmer,
 * REML; solid) over the data, as the lecture draws them for the Sitka trees.
 */
export async function plotGroupLines(
  data: DataInput,
  response: string,
  x: string,
  group: string,
): Promise<NamedPlot> {
  const fixed = fitLinearModel(`${response} ~ factor(${group}) + ${x}`, data);
  const mixed = await fitMixed(`${response} ~ ${x} + (1 | ${group})`, data);
  if (fixed.design.n !== mixed.design.n)
    throw new DataError("the two fits used different rows (missing values); remove incomplete rows first");
  const frame = toDataFrame(data);
  const xcol = frame.columns.get(x);
  if (xcol?.kind !== "numeric") throw new DataError(`'${x}' must be a numeric column to draw lines against`);
  const labels = groupLabels(data, group, fixed.design.rows);
  const mixedFit = mixed.fitted();
  const byGroup = new Map<string, number[]>();
  labels.forEach((g, i) => {
    let list = byGroup.get(g);
    if (!list) byGroup.set(g, (list = []));
    list.push(i);
  });
  const lines: GroupLine[] = [...byGroup].map(([g, idx]) => ({
    group: g,
    x: idx.map((i) => xcol.values[fixed.design.rows[i] as number] as number),
    observed: idx.map((i) => fixed.design.y[i] as number),
    fixedFit: idx.map((i) => fixed.fittedValues[i] as number),
    mixedFit: idx.map((i) => mixedFit[i] as number),
  }));
  const title = `${response} by ${group}: ${response} ~ ${group} + ${x} (dashed) and ${response} ~ ${x} + (1 | ${group}) (solid)`;
  return {
    name: "group-lines",
    title,
    svg: groupLinesSvg({ lines, title, xLabel: x, yLabel: response }),
  };
}
