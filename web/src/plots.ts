/** The diagnostic plots of a fitted model (SVG strings from src/plot), each in a captioned figure. */
import type { LinearMixedModel } from "../../src/fit/model.js";
import { plotModel } from "../../src/plot/model-plots.js";
import { el, svgNode } from "./dom.js";

/** Residuals vs fitted, QQ plots of the residuals and of each random effect, Cook's distance, per-group lines. */
export function renderPlots(model: LinearMixedModel): HTMLElement[] {
  // Each SVG carries its title (drawn, and as role="img" aria-label), so the figure needs no caption of its own.
  return plotModel(model).map((plot) => el("figure", { "data-plot": plot.name }, svgNode(plot.svg)));
}
