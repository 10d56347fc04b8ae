/** The diagnostic plots of a fitted model (SVG strings from src/plot), each in a captioned figure. */
import type { LinearMixedModel } from "../../src/fit/model.js";
import type { DataFrame } from "../../src/frame/frame.js";
import { plotGroupLines, plotResidualsByGroup } from "../../src/plot/lecture-model.js";
import { plotModel } from "../../src/plot/model-plots.js";
import { el, svgNode } from "./dom.js";

/** Residuals vs fitted, QQ plots of the residuals and of each random effect, Cook's distance, per-group lines. */
export function renderPlots(model: LinearMixedModel): HTMLElement[] {
  // Each SVG carries its title (drawn, and as role="img" aria-label), so the figure needs no caption of its own.
  return plotModel(model).map((plot) => el("figure", { "data-plot": plot.name }, svgNode(plot.svg)));
}

/**
 * The lecture's two pictures, when the model's first grouping factor is a column of the data: the residuals grouped
 * by it (boxplots ordered by median) and the per-group lines of the fixed-effect-only fit (dashed) beside the
 * random-intercept fit (solid) against the first numeric fixed-effect variable. None otherwise.
 */
export async function renderLecturePlots(model: LinearMixedModel, frame: DataFrame): Promise<HTMLElement[]> {
  const group = model.design.terms[0]?.group;
  if (!group || !frame.columns.has(group)) return [];
  const plots = [plotResidualsByGroup(model, frame, group)];
  const numeric = frame.names.find(
    (n) =>
      n !== model.design.response &&
      n !== group &&
      frame.columns.get(n)?.kind === "numeric" &&
      model.design.fixedNames.includes(n),
  );
  if (numeric) plots.push(await plotGroupLines(frame, model.design.response, numeric, group));
  return plots.map((plot) => el("figure", { "data-plot": plot.name }, svgNode(plot.svg)));
}
