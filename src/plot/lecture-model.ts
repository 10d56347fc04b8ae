/**
 * The lecture's pictures from data and models (./lecture-plots.ts draws them): residuals of any fitted model
 * grouped by a column, and the fixed-effect-only versus random-intercept lines of `response ~ x` by group.
 */

import type { RandomTerm } from "../design/types.js";
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
  // The model's own grouping codes (one term, `group`'s levels in lme4's order), and each group's rows; groups are
  // drawn in order of first appearance.
  const term = mixed.design.terms[0] as RandomTerm;
  const codes = term.refs;
  const rowsOf: number[][] = term.levels.map(() => []);
  const firstSeen: number[] = [];
  for (let i = 0; i < codes.length; i++) {
    const list = rowsOf[codes[i] as number] as number[];
    if (list.length === 0) firstSeen.push(codes[i] as number);
    list.push(i);
  }
  const xs = Float64Array.from(rows, (r) => xcol.values[r] as number);
  const y = mixed.design.y;
  const fixedFit = withinGroupFit(y, xs, codes, term.levels.length);
  const mixedFit = mixed.fitted();
  const drawn =
    firstSeen.length <= MAX_GROUP_LINES
      ? firstSeen
      : Array.from(
          { length: MAX_GROUP_LINES },
          (_, j) => firstSeen[Math.floor((j * firstSeen.length) / MAX_GROUP_LINES)] as number,
        );
  const lines: GroupLine[] = drawn.map((c) => {
    const idx = rowsOf[c] as number[];
    return {
      group: term.levels[c] as string,
      x: idx.map((i) => xs[i] as number),
      observed: idx.map((i) => y[i] as number),
      fixedFit: idx.map((i) => fixedFit[i] as number),
      mixedFit: idx.map((i) => mixedFit[i] as number),
    };
  });
  const sample =
    drawn.length < firstSeen.length ? ` (${drawn.length} of ${firstSeen.length} groups drawn)` : "";
  const title = `${response} by ${group}: ${response} ~ ${group} + ${x} (dashed) and ${response} ~ ${x} + (1 | ${group}) (solid)${sample}`;
  return {
    name: "group-lines",
    title,
    svg: groupLinesSvg({ lines, title, xLabel: x, yLabel: response }),
  };
}
