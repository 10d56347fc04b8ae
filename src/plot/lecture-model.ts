/**
 * The lecture's pictures from data and models (./lecture-plots.ts draws them): residuals of any fitted model
 * grouped by a column, and the fixed-effect-only versus random-intercept lines of `response ~ x` by group.
 */

import { DataError } from "../errors.js";
import { fitMixed } from "../fit/fit.js";
import type { LinearMixedModel } from "../fit/model.js";
import { type DataInput, toDataFrame } from "../frame/frame.js";
import type { LinearModel } from "../lm/model.js";
import { withinGroupFit } from "./group-lines-fit.js";
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

/** The most groups whose lines one picture draws: the lecture's 79 trees; beyond it an even sample, said so. */
export const MAX_GROUP_LINES = 80;

/**
 * Per-group lines of `response ~ factor(group) + x` (R's lm; dashed) and `response ~ x + (1 | group)` (lmer,
 * REML; solid) over the data, as the lecture draws them for the Sitka trees. The lm's fitted values come from the
 * within-group regression (./group-lines-fit.ts: the same fit, in two passes instead of a QR of n × groups).
 * With more than MAX_GROUP_LINES groups, that many are drawn, evenly spaced in order of first appearance, and
 * the title says how many of how many.
 */
export async function plotGroupLines(
  data: DataInput,
  response: string,
  x: string,
  group: string,
): Promise<NamedPlot> {
  const mixed = await fitMixed(`${response} ~ ${x} + (1 | ${group})`, data);
  const frame = toDataFrame(data);
  const xcol = frame.columns.get(x);
  if (xcol?.kind !== "numeric") throw new DataError(`'${x}' must be a numeric column to draw lines against`);
  const rows = mixed.design.rows;
  const labels = groupLabels(data, group, rows);
  // Rows by group in order of first appearance, and each row's group code for the fit.
  const byGroup = new Map<string, number[]>();
  const codeOf = new Map<string, number>();
  const codes = new Int32Array(labels.length);
  labels.forEach((g, i) => {
    let list = byGroup.get(g);
    if (!list) {
      byGroup.set(g, (list = []));
      codeOf.set(g, codeOf.size);
    }
    list.push(i);
    codes[i] = codeOf.get(g) as number;
  });
  const xs = Float64Array.from(rows, (r) => xcol.values[r] as number);
  const y = mixed.design.y;
  const fixedFit = withinGroupFit(y, xs, codes, byGroup.size);
  const mixedFit = mixed.fitted();
  const all = [...byGroup];
  const drawn =
    all.length <= MAX_GROUP_LINES
      ? all
      : Array.from(
          { length: MAX_GROUP_LINES },
          (_, j) => all[Math.floor((j * all.length) / MAX_GROUP_LINES)] as [string, number[]],
        );
  const lines: GroupLine[] = drawn.map(([g, idx]) => ({
    group: g,
    x: idx.map((i) => xs[i] as number),
    observed: idx.map((i) => y[i] as number),
    fixedFit: idx.map((i) => fixedFit[i] as number),
    mixedFit: idx.map((i) => mixedFit[i] as number),
  }));
  const sample = drawn.length < all.length ? ` (${drawn.length} of ${all.length} groups drawn)` : "";
  const title = `${response} by ${group}: ${response} ~ ${group} + ${x} (dashed) and ${response} ~ ${x} + (1 | ${group}) (solid)${sample}`;
  return {
    name: "group-lines",
    title,
    svg: groupLinesSvg({ lines, title, xLabel: x, yLabel: response }),
  };
}
